import { EngineError } from '@pocketdock/engine-socket';
import type { EngineClient } from '@pocketdock/engine-socket';

/**
 * When a create's answer never came (a timeout, a cut connection, an engine error 5xx), the engine may still have
 * made the container, or be making it: under load a create can outlast the client's timeout. Nobody holds its id,
 * so nothing would ever remove it. The container carries the `pocketdock.instance` value we chose before asking,
 * and the exact `pocketdock.created-at` time (a name given by the caller is also the instance value, and an older
 * container of that name must never match), so we look it up by both labels and remove what we find, a few times over a couple of seconds to catch a create
 * still in flight. A clear refusal (4xx: bad image, name taken) made nothing and needs no sweep.
 */
export function createOutcomeUnknown(err: unknown): boolean {
  if (!EngineError.is(err)) return true;
  if (err.code === 'ENGINE_API_ERROR') return (err.status ?? 500) >= 500;
  return err.code === 'ENGINE_TIMEOUT' || err.code === 'ENGINE_CONNECTION_LOST' || err.code === 'ENGINE_BAD_RESPONSE';
}

/** The waits before each look, in ms: at once, then as a slow create would finish. */
export const SWEEP_DELAYS_MS = [0, 500, 1500];

/**
 * Removes every container carrying all of these labels (`key=value`); returns how many it removed. Never throws:
 * it runs on a path that is already failing, and the caller's error is the one to report.
 */
export async function sweepByLabels(engine: EngineClient, labels: readonly string[], delaysMs: readonly number[] = SWEEP_DELAYS_MS): Promise<number> {
  let removed = 0;
  for (const delay of delaysMs) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      const found = await engine.json<{ Id: string }[]>({
        path: '/containers/json',
        query: { all: true, filters: { label: [...labels] } },
      });
      for (const { Id } of found) {
        await engine.json({ method: 'DELETE', path: `/containers/${Id}`, query: { force: true, v: true } });
        removed += 1;
      }
    } catch {
      // The engine is unreachable or the container went on its own: the next look (if any) tries again.
    }
  }
  return removed;
}
