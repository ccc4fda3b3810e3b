import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { POOL_LABELS } from './labels.js';
import type { Semaphore } from './semaphore.js';

/** The pool's network option: containers join `name`; the pool creates it when missing and removes it at shutdown if asked. */
export interface PoolNetwork {
  name: string;
  driver?: string | undefined;
  /** Create it when missing (default true); one that already exists is used as it is. */
  create?: boolean | undefined;
  /** Remove it at shutdown (default false). */
  remove?: boolean | undefined;
  labels?: Record<string, string> | undefined;
}

const status = (err: unknown): number | undefined => (err as { status?: number }).status;

/**
 * Makes sure the network exists: found -> used; missing -> created (a 409 from a concurrent create is fine).
 * Missing with `create: false`, or not creatable -> `POOL_ENGINE_ERROR`. `labels` has the pool's name label.
 */
export async function ensureNetwork(engine: EngineClient, sem: Semaphore, net: PoolNetwork, labels: Record<string, string>): Promise<void> {
  try {
    try {
      await sem.run(() => engine.json({ path: `/networks/${encodeURIComponent(net.name)}` }));
      return;
    } catch (err) {
      if (status(err) !== 404 || net.create === false) throw err;
    }
    const body = { Name: net.name, CheckDuplicate: true, ...(net.driver ? { Driver: net.driver } : {}), Labels: { ...labels, ...net.labels } };
    await sem.run(() => engine.json({ method: 'POST', path: '/networks/create', body })).catch((err: unknown) => {
      if (status(err) !== 409) throw err; // created meanwhile by someone else: not an error
    });
  } catch (err) {
    const pool = labels[POOL_LABELS.pool];
    throw new PoolError('POOL_ENGINE_ERROR', `pool ${pool}: network ${net.name} is missing and could not be created: ${(err as Error).message}`, { cause: err });
  }
}

/** Removes the network; one already gone is not an error. A failure -> `POOL_ENGINE_ERROR`. */
export async function removeNetwork(engine: EngineClient, sem: Semaphore, name: string, poolName: string): Promise<void> {
  await sem.run(() => engine.json({ method: 'DELETE', path: `/networks/${encodeURIComponent(name)}` })).catch((err: unknown) => {
    if (status(err) === 404) return;
    throw new PoolError('POOL_ENGINE_ERROR', `pool ${poolName}: removing network ${name} failed: ${(err as Error).message}`, { cause: err });
  });
}
