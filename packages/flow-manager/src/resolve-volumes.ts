import { FLOW_SOCKET_DIR } from '@pocketdock/flow-runtime';
import { allowedPath } from './allowed-paths.js';
import { FlowManagerError } from './errors.js';
import type { ResolvedContainerConfig } from './models.js';

/**
 * A payload's volumes -> container-sdk binds, each host path resolved and checked against `roots`; `rw` only when
 * allowed; the flow's socket directory is reserved.
 */
export async function resolveVolumes(
  volumes: ResolvedContainerConfig['volumes'],
  roots: readonly string[],
  allowWritable: boolean,
): Promise<Record<string, { path: string; readOnly: boolean }>> {
  const out: Record<string, { path: string; readOnly: boolean }> = {};
  for (const [host, v] of Object.entries(volumes)) {
    const field = `volumes.${host}`;
    if (v.bind === FLOW_SOCKET_DIR || v.bind.startsWith(`${FLOW_SOCKET_DIR}/`)) {
      throw new FlowManagerError('FM_INVALID_PAYLOAD', `${field}: ${FLOW_SOCKET_DIR} is reserved for the flow's socket`, { details: { field } });
    }
    if (v.mode === 'rw' && !allowWritable) {
      throw new FlowManagerError('FM_PATH_NOT_ALLOWED', `${field}: writable volumes are not allowed here (mode 'ro', or configure allowWritableVolumes)`, { details: { field } });
    }
    out[await allowedPath(host, roots, field)] = { path: v.bind, readOnly: v.mode !== 'rw' };
  }
  return out;
}
