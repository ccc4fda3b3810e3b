import { ContainerError } from '@pocketdock/container-sdk';
import type { ContainerErrorCode } from '@pocketdock/container-sdk';
import { EngineError } from '@pocketdock/engine-socket';
import { FlowManagerError } from './errors.js';
import type { FlowManagerErrorCode } from './errors.js';

/** container-sdk codes that mean something here; every other one is `FM_ENGINE_ERROR`. */
const FROM_CONTAINER: Partial<Record<ContainerErrorCode, FlowManagerErrorCode>> = {
  CONTAINER_NOT_FOUND: 'FM_CONTAINER_NOT_FOUND',
  CONTAINER_NOT_MANAGED: 'FM_CONTAINER_NOT_FOUND',
  IMAGE_NOT_FOUND: 'FM_IMAGE_NOT_FOUND',
  CONTAINER_NOT_RUNNING: 'FM_CONTAINER_NOT_RUNNING',
  CONTAINER_NAME_CONFLICT: 'FM_NAME_IN_USE',
  CONTAINER_INVALID_OPTIONS: 'FM_INVALID_PAYLOAD',
};

/** Any failure below the flow-manager -> a FlowManagerError (wrapped once, with the original as `cause`). */
export function toFlowError(err: unknown, what: string): FlowManagerError {
  if (FlowManagerError.is(err)) return err;
  if (ContainerError.is(err)) {
    return new FlowManagerError(FROM_CONTAINER[err.code] ?? 'FM_ENGINE_ERROR', `${what}: ${err.message}`, { cause: err, details: { engine_code: err.code } });
  }
  if (EngineError.is(err)) {
    const code = err.status === 404 ? 'FM_CONTAINER_NOT_FOUND' : 'FM_ENGINE_ERROR';
    return new FlowManagerError(code, `${what}: ${err.message}`, { cause: err, details: { engine_code: err.code } });
  }
  return new FlowManagerError('FM_INTERNAL', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
