import type { EngineClient } from '@pocketdock/engine-socket';
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

/** Makes sure the network exists: found -> used; missing -> created (a 409 from a concurrent create is fine). */
export async function ensureNetwork(engine: EngineClient, sem: Semaphore, net: PoolNetwork, labels: Record<string, string>): Promise<void> {
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
}

/** Removes the network; one already gone is not an error. */
export async function removeNetwork(engine: EngineClient, sem: Semaphore, name: string): Promise<void> {
  await sem.run(() => engine.json({ method: 'DELETE', path: `/networks/${encodeURIComponent(name)}` })).catch((err: unknown) => {
    if (status(err) !== 404) throw err;
  });
}
