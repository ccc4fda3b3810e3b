import { EngineProxy, rawStream, testEngines, until } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { Lease, POOL_LABELS } from '../../src/index.js';
import type { Pool } from '../../src/index.js';
import { poolContainers, testPool } from './helpers.js';

interface EngineWatch {
  /** The pool's containers on the engine now, and the most there ever were. */
  count: number;
  max: number;
  /** Containers the engine created for the pool so far. */
  created: number;
  onCreate: (() => void) | undefined;
  close(): void;
}

/**
 * Counts the pool's containers on the real engine (not through the proxy) from its event stream: each `create` +1,
 * each `destroy` (Podman: `remove`) -1. Opened before the pool makes any container, so the count is exact.
 */
async function watchEngine(engine: TestEngine, poolName: string): Promise<EngineWatch> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${POOL_LABELS.pool}=${poolName}`], type: ['container'] }));
  const res = await rawStream({ socketPath: engine.socketPath, path: `/v1.41/events?filters=${filters}` });
  const watch: EngineWatch = { count: 0, max: 0, created: 0, onCreate: undefined, close: () => res.destroy() };
  let pending = '';
  res.setEncoding('utf8');
  res.on('error', () => undefined);
  res.on('data', (text: string) => {
    pending += text;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const { Action } = JSON.parse(pending.slice(0, end)) as { Action: string };
      pending = pending.slice(end + 1);
      if (Action === 'create') {
        watch.created++;
        watch.max = Math.max(watch.max, ++watch.count);
        watch.onCreate?.();
      } else if (Action === 'destroy' || Action === 'remove') {
        watch.count--;
      }
    }
  });
  return watch;
}

/** Nothing being created, checked or removed (failed creates and removals still being cleaned up count as removing). */
const settled = (pool: Pool): boolean => {
  const s = pool.stats();
  return s.creating + s.checking + s.removing + s.waiting === 0;
};

/** Asserts the engine holds exactly the containers the pool tracks (listed on the real engine socket). */
async function expectEngineMatchesPool(engine: TestEngine, pool: Pool): Promise<void> {
  await until(() => settled(pool), { timeoutMs: 20_000, what: 'the pool to settle' });
  const { idle, leased } = pool.stats();
  expect(await poolContainers(engine, pool.name)).toHaveLength(idle + leased);
}

// Regression: the engine cut while acquires created containers left containers the pool no longer knew (the create
// or start went through, the answer was lost; the removal of a released container failed): 5 on the engine against
// 2 tracked with maxSize 3, until shutdown.
describe.each(testEngines())('pool containers when the engine is cut mid-acquire on $name', (engine) => {
  it('every create the pool starts ends tracked or removed, and the engine never holds more than maxSize', async () => {
    const maxSize = 3;
    await using proxy = await EngineProxy.start(engine.socketPath);
    const errors: Error[] = [];
    let watch: EngineWatch | undefined;
    let name = '';
    try {
      {
        await using pool = await testPool(engine, { socketPath: proxy.path, maxSize, refillIntervalMs: 50, maxBackoffMs: 300, onError: (e) => errors.push(e) });
        name = pool.name;
        watch = await watchEngine(engine, name);
        const held = await pool.acquire();
        // Cut the engine the moment it created the next container: its answer is lost. The answers are held back from
        // here on (mute), so the cut always comes before the pool hears of that create, however slowly the engine's
        // event stream tells us of it.
        const cut = new Promise<void>((resolve) => {
          watch!.onCreate = () => {
            if (watch!.created === 2) resolve();
          };
        });
        proxy.mute();
        const racing = [pool.acquire(), pool.acquire()].map((p) => p.catch((err: unknown) => err));
        await cut;
        await proxy.down();
        proxy.unmute();
        const outcomes = await Promise.all(racing);
        expect(outcomes).toContainEqual(expect.objectContaining({ code: 'POOL_CREATE_FAILED' }));
        // While it is away: acquires fail fast rather than waiting out acquireTimeoutMs; a release cannot remove.
        for (let i = 0; i < 5; i++) await expect(pool.acquire()).rejects.toMatchObject({ code: 'POOL_CREATE_FAILED' });
        await held.release();
        await until(() => pool.stats().checking === 0, { what: "the released lease's check to fail" });
        await proxy.up();
        for (const lease of outcomes) if (lease instanceof Lease) await lease.release();
        await expectEngineMatchesPool(engine, pool);
        // Back to normal: maxSize leases at once, and the engine holds exactly those.
        const leases = await Promise.all(Array.from({ length: maxSize }, () => pool.acquire({ timeoutMs: 20_000 })));
        expect(await poolContainers(engine, name)).toHaveLength(maxSize);
        await Promise.all(leases.map((l) => l.release()));
        await expectEngineMatchesPool(engine, pool);
      }
      expect(errors).toContainEqual(expect.objectContaining({ code: 'POOL_CREATE_FAILED' }));
      expect(watch.max).toBeLessThanOrEqual(maxSize);
      expect(await poolContainers(engine, name)).toHaveLength(0);
    } finally {
      watch?.close();
    }
  }, 90_000);
});
