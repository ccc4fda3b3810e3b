import { randomBytes } from 'node:crypto';
import { testEngines, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { createPool } from '../../src/index.js';
import type { EngineEntry, Lease, MultiEnginePool, MultiPoolOptions } from '../../src/index.js';
import { IMAGE, poolContainers } from './helpers.js';

/** Docker and Podman, by name (both are required by the global setup). */
export function bothEngines(): { docker: TestEngine; podman: TestEngine } {
  const all = testEngines();
  const docker = all.find((e) => e.name === 'docker');
  const podman = all.find((e) => e.name === 'podman');
  if (!docker || !podman) throw new Error('these tests need both engines: POCKETDOCK_TEST_ENGINES=docker,podman');
  return { docker, podman };
}

/** A uniquely named pool over `engines`, its containers labelled for this test run. Use with `await using`. */
export function testMultiPool(engines: (string | EngineEntry)[], options: Partial<MultiPoolOptions> = {}): Promise<MultiEnginePool> {
  return createPool({
    name: `pd-multi-${randomBytes(4).toString('hex')}`,
    image: IMAGE,
    engines,
    refillIntervalMs: 200,
    healthIntervalMs: 200,
    probeIntervalMs: 100,
    maxBackoffMs: 400,
    ...options,
    labels: { ...testLabels(), ...options.labels },
  });
}

/** The pool's containers on `engine` (labelled `<pool>.<engine name>`), listed on the real engine's socket. */
export function containersOn(engine: TestEngine, pool: MultiEnginePool, engineName: string): Promise<string[]> {
  return poolContainers(engine, `${pool.name}.${engineName}`);
}

/** Which engine (by name) each lease came from, read from the `acquire` events. */
export function trackEngines(pool: MultiEnginePool): Map<string, string> {
  const byContainer = new Map<string, string>();
  pool.on('acquire', ({ containerId, engine }) => byContainer.set(containerId, engine));
  return byContainer;
}

export const engineOf = (seen: Map<string, string>, lease: Lease): string | undefined => seen.get(lease.container.id);
