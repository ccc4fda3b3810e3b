import { randomBytes } from 'node:crypto';
import { rawJson, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { POOL_LABELS, createPool } from '../../src/index.js';
import type { Pool, PoolOptions } from '../../src/index.js';

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

/** Polls `check` every 50 ms until it is true, or fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
