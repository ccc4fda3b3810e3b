import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { rebootFresh } from './reboot-fresh.js';
import type { ResolvedCreateOptions } from '../options.js';

/**
 * Restarts container `id` in place, or (`fresh`) removes it and creates and starts a new one from the same
 * options. Returns the identity the handle has afterwards.
 */
export async function rebootContainer(
  engine: EngineClient,
  current: { id: string; name: string },
  options: ResolvedCreateOptions,
  fresh: boolean,
): Promise<{ id: string; name: string }> {
  if (!fresh) {
    const t = Math.ceil(options.stopTimeoutMs / 1000);
    try {
      await engine.json({ method: 'POST', path: `/containers/${current.id}/restart`, query: { t }, timeoutMs: (t + 30) * 1000 });
    } catch (err) {
      throw containerError(err, `reboot ${current.name}`);
    }
    return current;
  }
  return rebootFresh(engine, current, options);
}
