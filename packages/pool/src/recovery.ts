import { resumeContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { POOL_LABELS } from './labels.js';
import type { Semaphore } from './semaphore.js';

interface Summary {
  Id: string;
  State: string;
  Labels?: Record<string, string> | null;
}

/** Every container (running or not) labelled with pool `name`; re-filtered here in case an engine ignored the filter. */
export async function listPoolContainers(engine: EngineClient, sem: Semaphore, name: string): Promise<Summary[]> {
  const label = [`${POOL_LABELS.pool}=${name}`];
  const list = await sem.run(() => engine.json<Summary[]>({ path: '/containers/json', query: { all: true, filters: { label } } }));
  return list.filter((c) => c.Labels?.[POOL_LABELS.pool] === name);
}

/** Removes a container by id with force; one already gone is not an error. */
export async function removeById(engine: EngineClient, sem: Semaphore, id: string): Promise<void> {
  await sem.run(() => engine.json({ method: 'DELETE', path: `/containers/${id}`, query: { force: true, v: true } })).catch((err: unknown) => {
    if ((err as { status?: number }).status !== 404) throw err;
  });
}

/**
 * What a restarted pool finds: running containers with its name AND configuration hash, up to `maxIdle`, are
 * returned as `Container`s to adopt (the caller checks and resets them); everything else with its name label
 * (stopped, dead, another configuration, over the limit) is removed.
 */
export async function recover(engine: EngineClient, sem: Semaphore, name: string, hash: string, maxIdle: number): Promise<{ adopted: Container[]; removed: number }> {
  const found = await listPoolContainers(engine, sem, name);
  const adopted: Container[] = [];
  let removed = 0;
  for (const c of found) {
    if (c.State === 'running' && c.Labels?.[POOL_LABELS.config] === hash && adopted.length < maxIdle) {
      try {
        adopted.push(await sem.run(() => resumeContainer(c.Id, { engine })));
        continue;
      } catch {
        // Vanished or stopped meanwhile: removed below like any other leftover.
      }
    }
    await removeById(engine, sem, c.Id);
    removed++;
  }
  return { adopted, removed };
}

/**
 * Removes every container still labelled with pool `name`: the last step of a shutdown (a create the engine finished
 * late...). A failure -> `POOL_ENGINE_ERROR`.
 */
export async function sweep(engine: EngineClient, sem: Semaphore, name: string): Promise<void> {
  try {
    for (const c of await listPoolContainers(engine, sem, name)) await removeById(engine, sem, c.Id);
  } catch (err) {
    throw new PoolError('POOL_ENGINE_ERROR', `pool ${name}: final sweep failed: ${(err as Error).message}`, { cause: err });
  }
}
