import { randomBytes } from 'node:crypto';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FLOW_SOCKET_DIR } from '@pocketdock/flow-runtime';
import { allowedPath } from './allowed-paths.js';
import { FlowManagerError } from './errors.js';
import type { FlowCode } from './flow-code.js';
import { LABEL_CODE_TARGET, LABEL_ENV_KEYS, LABEL_INSTANCE, LABEL_SOCKET_KEY, projectOf } from './labels.js';
import type { ResolvedContainerConfig } from './models.js';
import { resolveVolumes } from './resolve-volumes.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import type { StateStore } from './state-store.js';

/** What creating a flow needs from the manager. */
export interface CreateContext {
  engine: EngineClient;
  sockets: SocketCommunicationHandler;
  code: FlowCode;
  state: StateStore;
  instance: string;
  allowedRoots: string[];
  allowWritableVolumes: boolean;
  defaultCommand: string[];
  labels: Record<string, string>;
  network: string;
  stopTimeoutMs: number;
}

/** Default working directory (and code mount) of a flow created with `code_path`. */
export const DEFAULT_CODE_TARGET = '/app';

/**
 * Checks a parsed `create_container` payload against the service's rules, lays out what the service owns for the
 * flow (its socket directory, its code, its state file) and creates and starts the container. On failure nothing
 * it made stays. Returns the container and its key.
 */
export async function createFlow(ctx: CreateContext, c: ResolvedContainerConfig, image: string): Promise<{ handle: Container; key: string }> {
  if (Object.keys(c.ports).length > 0 && ctx.network === 'none') {
    // Docker would report the ports and route nothing; Podman would drop them without a word.
    throw new FlowManagerError('FM_INVALID_PAYLOAD', "ports: flows run offline (network 'none'), where published ports reach nothing; configure the flow-manager's network to publish ports", {
      details: { field: 'ports', network: ctx.network },
    });
  }
  const volumes = await resolveVolumes(c.volumes, ctx.allowedRoots, ctx.allowWritableVolumes);
  const codeTarget = c.code_path === undefined ? undefined : (c.working_dir ?? DEFAULT_CODE_TARGET);
  const codeSource = c.code_path === undefined ? undefined : await allowedPath(c.code_path, ctx.allowedRoots, 'code_path');
  if (codeTarget !== undefined && Object.values(c.volumes).some((v) => v.bind === codeTarget)) {
    throw new FlowManagerError('FM_INVALID_PAYLOAD', `volumes: ${codeTarget} is where code_path goes; mount volumes elsewhere`, { details: { field: 'volumes' } });
  }
  const key = randomBytes(8).toString('hex');
  let handle: Container | undefined;
  try {
    volumes[await ctx.sockets.mountDir(key)] = { path: FLOW_SOCKET_DIR, readOnly: false };
    if (codeSource !== undefined && codeTarget !== undefined) {
      await ctx.code.install(key, codeSource);
      volumes[ctx.code.currentOf(key)] = { path: codeTarget, readOnly: true };
    }
    await ctx.state.writeFlow(key, { stoppedByUs: false, reportedEndMs: undefined, codePath: codeSource ?? null });
    const command = c.command === undefined ? ctx.defaultCommand : typeof c.command === 'string' ? ['sh', '-c', c.command] : c.command;
    const workdir = c.working_dir ?? codeTarget;
    handle = await createNewContainer({
      engine: ctx.engine,
      image,
      ...(c.name ? { name: c.name } : {}),
      env: c.environment,
      volumes,
      ports: c.ports,
      command,
      ...(workdir ? { workdir } : {}),
      network: ctx.network,
      persist: true,
      project: projectOf(ctx.instance),
      labels: {
        ...ctx.labels,
        [LABEL_INSTANCE]: ctx.instance,
        [LABEL_SOCKET_KEY]: key,
        [LABEL_ENV_KEYS]: Object.keys(c.environment).join(','),
        ...(codeTarget ? { [LABEL_CODE_TARGET]: codeTarget } : {}),
      },
      stopTimeoutMs: ctx.stopTimeoutMs,
    });
    return { handle, key };
  } catch (err) {
    await removeFlowFiles(ctx, key, '');
    throw err;
  }
}

/** Everything the service keeps for a flow on the host: socket, socket directory, code, state file. */
export async function removeFlowFiles(ctx: Pick<CreateContext, 'sockets' | 'code' | 'state'>, key: string, id: string): Promise<void> {
  await ctx.sockets.cleanupSocket(id, key).catch(() => undefined);
  await ctx.code.remove(key).catch(() => undefined);
  await ctx.state.removeFlow(key).catch(() => undefined);
}
