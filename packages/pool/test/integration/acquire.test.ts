import { testEngines, until } from '@pocketdock/testkit';
import type { Lease } from '../../src/index.js';
import { checksDone, nextCheck, releaseChecked, testPool } from './helpers.js';

describe.each(testEngines())('pool acquire on $name', (engine) => {
  it('200 concurrent acquires against maxSize 10: strict FIFO, never handed out twice, all released', async () => {
    await using pool = await testPool(engine, { maxSize: 10, maxIdle: 10, maxConcurrentEngineOps: 10, acquireTimeoutMs: 100_000 });
    const held = new Set<string>();
    const served: number[] = [];
    let maxHeld = 0;
    const work = Array.from({ length: 200 }, (_, i) =>
      pool.acquire().then(async (lease) => {
        served.push(i);
        expect(held.has(lease.container.id)).toBe(false);
        held.add(lease.container.id);
        maxHeld = Math.max(maxHeld, held.size);
        await new Promise((r) => setImmediate(r));
        held.delete(lease.container.id);
        await lease.release();
      }),
    );
    await Promise.all(work);
    expect(served).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(maxHeld).toBeLessThanOrEqual(10);
    await checksDone(pool);
    // creates started for waiters that a released container served first are still allowed to finish (on a slow
    // engine they do after the last waiter is served); they end as idle containers, within maxSize
    await until(() => pool.stats().creating === 0, { timeoutMs: 60_000, what: 'the creates under way to end' });
    const s = pool.stats();
    expect(s).toMatchObject({ leased: 0, waiting: 0, creating: 0, checking: 0, removing: 0 });
    expect(s.created).toBeLessThanOrEqual(10);
    expect(s.idle + s.destroyed).toBe(s.created);
  }, 180_000);

  it('hands out the most recently used idle container first', async () => {
    await using pool = await testPool(engine, { maxSize: 2 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(await releaseChecked(pool, a)).toMatchObject({ reused: true });
    expect(await releaseChecked(pool, b)).toMatchObject({ reused: true });
    await using again = await pool.acquire();
    expect(again.container.id).toBe(b.container.id);
  }, 60_000);

  it('an acquire times out with POOL_ACQUIRE_TIMEOUT, or ends with POOL_ACQUIRE_ABORTED; maxWaiting -> POOL_EXHAUSTED', async () => {
    await using pool = await testPool(engine, { maxSize: 1, maxWaiting: 1 });
    const lease = await pool.acquire();
    await expect(pool.acquire({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'POOL_ACQUIRE_TIMEOUT' });
    const ac = new AbortController();
    const aborted = pool.acquire({ signal: ac.signal });
    await expect(pool.acquire({ timeoutMs: 5_000 })).rejects.toMatchObject({ code: 'POOL_EXHAUSTED' });
    ac.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toMatchObject({ code: 'POOL_ACQUIRE_ABORTED' });
    expect(pool.stats()).toMatchObject({ timeouts: 1, waiting: 0, leased: 1 });
    await lease.release();
    await using next = await pool.acquire({ timeoutMs: 5_000 });
    expect(next.container.id).toBe(lease.container.id);
  }, 60_000);

  it('a create that outlives a cancelled acquire goes idle', async () => {
    await using pool = await testPool(engine, { maxSize: 2 });
    await expect(pool.acquire({ timeoutMs: 1 })).rejects.toMatchObject({ code: 'POOL_ACQUIRE_TIMEOUT' });
    const created = new Promise((r) => pool.once('create', r));
    await created;
    expect(pool.stats()).toMatchObject({ idle: 1, created: 1, leased: 0 });
  }, 60_000);

  it('releasing twice or through another pool -> POOL_INVALID_RELEASE, never a double hand-out', async () => {
    await using pool = await testPool(engine, { maxSize: 2 });
    await using other = await testPool(engine, { maxSize: 1 });
    const lease: Lease = await pool.acquire();
    await expect(other.release(lease)).rejects.toMatchObject({ code: 'POOL_INVALID_RELEASE' });
    const checked = nextCheck(pool, lease.container.id);
    const first = lease.release();
    const second = lease.release(); // while the first one's check runs
    expect(pool.stats()).toMatchObject({ checking: 1, leased: 0, idle: 0 });
    await first;
    await expect(second).rejects.toMatchObject({ code: 'POOL_INVALID_RELEASE' });
    expect(await checked).toMatchObject({ reused: true });
    await expect(lease.release()).rejects.toMatchObject({ code: 'POOL_INVALID_RELEASE' });
    expect(pool.stats()).toMatchObject({ idle: 1, leased: 0, checking: 0 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(a.container.id).not.toBe(b.container.id);
    await Promise.all([a.release(), b.release()]);
  }, 60_000);

  it('acquire after shutdown began -> POOL_SHUTDOWN; waiters get it too', async () => {
    const pool = await testPool(engine, { maxSize: 1 });
    const lease = await pool.acquire();
    const waiting = pool.acquire();
    const closing = pool.shutdown();
    await expect(waiting).rejects.toMatchObject({ code: 'POOL_SHUTDOWN' });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'POOL_SHUTDOWN' });
    await lease.release();
    await closing;
  }, 60_000);
});
