import { EngineProxy, until } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import type { Lease, MultiEnginePool, PoolError } from '../../src/index.js';
import { poolContainers } from './helpers.js';
import { bothEngines, engineOf, testMultiPool, trackEngines } from './multi-helpers.js';

const { docker, podman } = bothEngines();

const state = (pool: MultiEnginePool, engine: string) => pool.stats().engines[engine]!;

// Each engine in turn is the one cut (through an EngineProxy: its socket taken away, every connection cut).
describe.each([
  { cut: docker, other: podman },
  { cut: podman, other: docker },
])('a pool over Docker and Podman, $cut.name cut mid-run', ({ cut, other }: { cut: TestEngine; other: TestEngine }) => {
  it('its leases end with POOL_ENGINE_DOWN, acquires go on on the other, its share is refilled there; back, it rejoins and refills', async () => {
    await using proxy = await EngineProxy.start(cut.socketPath);
    const errors: Error[] = [];
    const downs: { engine: string; error: PoolError; leases: number }[] = [];
    const held: Lease[] = [];
    let name = '';
    {
      await using pool = await testMultiPool(
        [
          { name: 'cut', socketPath: proxy.path, maxSize: 3 },
          { name: 'other', socketPath: other.socketPath, maxSize: 3 },
        ],
        { maxSize: 4, minIdle: 2, onError: (e) => errors.push(e) },
      );
      await using _release = { [Symbol.asyncDispose]: async () => void (await Promise.all(held.filter((l) => l.active).map((l) => l.release()))) };
      name = pool.name;
      pool.on('engine-down', (info) => downs.push(info));
      const seen = trackEngines(pool);
      expect([state(pool, 'cut').idle, state(pool, 'other').idle]).toEqual([1, 1]);
      // Least loaded: one lease on each engine.
      held.push(await pool.acquire(), await pool.acquire());
      const onCut = held.find((l) => engineOf(seen, l) === 'cut')!;
      const onOther = held.find((l) => engineOf(seen, l) === 'other')!;
      expect(onCut && onOther).toBeTruthy();
      const running = onCut.run('sleep 30').catch((err: unknown) => err);
      await new Promise((r) => setTimeout(r, 200));

      await proxy.down();
      expect(await running).toMatchObject({ code: 'POOL_ENGINE_DOWN' });
      expect(onCut.active).toBe(false);
      await expect(onCut.run('true')).rejects.toMatchObject({ code: 'POOL_ENGINE_DOWN' });
      await onCut.release(); // a no-op: nothing to give back
      expect(downs).toEqual([expect.objectContaining({ engine: 'cut', leases: 1, error: expect.objectContaining({ code: 'POOL_ENGINE_DOWN' }) })]);
      expect(state(pool, 'cut').state).toBe('down');
      // The other engine's lease is untouched; acquires keep succeeding there.
      expect((await onOther.run('echo still')).stdout).toBe('still\n');
      for (let i = 0; i < 2; i++) {
        const lease = await pool.acquire({ timeoutMs: 20_000 });
        held.push(lease);
        expect(engineOf(seen, lease)).toBe('other');
      }
      // 3 leased there (its maxSize); the cut engine's share of minIdle moved over, capped by that maxSize.
      expect(state(pool, 'other').leased).toBe(3);
      expect(state(pool, 'other').minIdle).toBe(2);
      await Promise.all(held.slice(2).map((l) => l.release()));
      await until(() => state(pool, 'other').idle >= 2, { timeoutMs: 20_000, what: 'the other engine to refill the whole minIdle' });
      expect(pool.stats().idle + pool.stats().leased).toBeLessThanOrEqual(4);

      await proxy.up();
      await until(() => state(pool, 'cut').state === 'up', { timeoutMs: 20_000, what: 'the cut engine to rejoin' });
      expect(state(pool, 'cut').outages).toBe(1);
      await until(() => state(pool, 'cut').idle >= 1, { timeoutMs: 20_000, what: 'the rejoined engine to refill its share' });
      const back = await pool.acquire({ timeoutMs: 20_000 });
      held.push(back);
      expect((await back.run('echo back')).stdout).toBe('back\n');
      expect(pool.stats().idle + pool.stats().leased + pool.stats().creating).toBeLessThanOrEqual(4);
      // On the engines themselves (what the old pool left on the cut one included): never more than the total.
      await until(() => pool.stats().creating + pool.stats().checking + pool.stats().removing === 0, { what: 'the pool to settle' });
      const onEngines = (await poolContainers(cut, `${name}.cut`)).length + (await poolContainers(other, `${name}.other`)).length;
      expect(onEngines).toBeLessThanOrEqual(4);
    }
    expect(errors).toContainEqual(expect.objectContaining({ code: 'POOL_ENGINE_DOWN' }));
    expect(await poolContainers(cut, `${name}.cut`)).toEqual([]);
    expect(await poolContainers(other, `${name}.other`)).toEqual([]);
  }, 120_000);
});
