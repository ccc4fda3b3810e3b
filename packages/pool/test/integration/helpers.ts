import { randomBytes } from 'node:crypto';
import { rawJson, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { POOL_LABELS, createPool } from '../../src/index.js';
import type { Lease, Pool, PoolOptions, ReleaseInfo } from '../../src/index.js';

export const IMAGE = 'pocketdock/busybox:test';

/** A uniquely named pool on `engine`, its containers labelled for this test run. Use with `await using`. */
export function testPool(engine: TestEngine, options: Partial<PoolOptions> = {}): Promise<Pool> {
  return createPool({
    name: `pd-test-${randomBytes(4).toString('hex')}`,
    image: IMAGE,
    socketPath: engine.socketPath,
    refillIntervalMs: 200,
    ...options,
    labels: { ...testLabels(), ...options.labels },
  });
}

/** Ids of every container (running or not) labelled with pool `name`. */
export async function poolContainers(engine: TestEngine, name: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${POOL_LABELS.pool}=${name}`] }));
  const list = await rawJson<{ Id: string }[]>({ socketPath: engine.socketPath, path: `/v1.41/containers/json?all=true&filters=${filters}` });
  return list.map((c) => c.Id);
}

/** The outcome of the next release check of `containerId` (the pool's `release` event). Call it before releasing. */
export function nextCheck(pool: Pool, containerId: string): Promise<ReleaseInfo> {
  return new Promise((resolve) => {
    const listener = (info: ReleaseInfo): void => {
      if (info.containerId !== containerId) return;
      pool.off('release', listener);
      resolve(info);
    };
    pool.on('release', listener);
  });
}

/** Releases `lease` and waits for its container's check: the outcome. */
export async function releaseChecked(pool: Pool, lease: Lease): Promise<ReleaseInfo> {
  const checked = nextCheck(pool, lease.container.id);
  await lease.release();
  return checked;
}

/** Resolves once no release check is running (at once when none is). */
export function checksDone(pool: Pool): Promise<void> {
  if (pool.stats().checking === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (): void => {
      if (pool.stats().checking > 0) return;
      pool.off('release', listener);
      resolve();
    };
    pool.on('release', listener);
  });
}
