import { EngineError } from '@pocketdock/engine-socket';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from './engine-errors.js';

/**
 * Stops a container with a grace period of `timeoutMs` (rounded up to whole seconds, as the API takes). Already
 * stopped (304, or a not-running answer) is not an error.
 */
export async function stopById(engine: EngineClient, id: string, timeoutMs: number, what: string): Promise<void> {
  const t = Math.ceil(timeoutMs / 1000);
  try {
    await engine.json({ method: 'POST', path: `/containers/${id}/stop`, query: { t }, timeoutMs: (t + 10) * 1000 });
  } catch (err) {
    if (EngineError.is(err) && err.status === 304) return;
    const e = containerError(err, what);
    if (e.code !== 'CONTAINER_NOT_RUNNING') throw e;
  }
}
