import { rawRequest, testEngines } from '@pocketdock/testkit';
import type { DestroyReason } from '../../src/index.js';
import { nextCheck, poolContainers, testPool } from './helpers.js';

describe.each(testEngines())('release check in the background on $name', (engine) => {
  it('release() resolves before the check; a waiter gets the container only once its stray process is killed', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const order: string[] = [];
    pool.on('acquire', () => order.push('acquire'));
    pool.on('release', ({ reused }) => order.push(`checked reused=${reused}`));
    const first = await pool.acquire();
    await first.run('sleep 779 >/dev/null 2>&1 &');
    const waiting = pool.acquire({ timeoutMs: 20_000 });
    await first.release();
    // The lease is closed, its container not yet back; and it still counts against maxSize: no second container.
    expect(first.active).toBe(false);
    expect(pool.stats()).toMatchObject({ leased: 0, checking: 1, idle: 0, waiting: 1, creating: 0 });
    await using second = await waiting;
    expect(second.container.id).toBe(first.container.id);
    expect(order).toEqual(['acquire', 'checked reused=true', 'acquire']);
    expect((await second.run('ps -o args')).stdout).not.toContain('sleep 779');
    expect(pool.stats()).toMatchObject({ created: 1, checking: 0 });
  }, 60_000);

  it('a failing check removes the container, and the waiter is served by a replacement', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const reasons: DestroyReason[] = [];
    pool.on('destroy', ({ reason }) => reasons.push(reason));
    const lease = await pool.acquire();
    const waiting = pool.acquire({ timeoutMs: 20_000 });
    await rawRequest({ socketPath: engine.socketPath, method: 'POST', path: `/v1.41/containers/${lease.container.id}/kill` });
    const checked = nextCheck(pool, lease.container.id);
    await lease.release();
    expect(await checked).toMatchObject({ reused: false, reason: 'failed-check' });
    await using next = await waiting;
    expect(next.container.id).not.toBe(lease.container.id);
    expect((await next.run('echo ok')).stdout).toBe('ok\n');
    expect(reasons).toEqual(['failed-check']);
    expect(pool.stats()).toMatchObject({ created: 2, destroyed: 1, removing: 0 });
  }, 60_000);

  it('shutdown during a check cancels it and leaves nothing behind', async () => {
    const pool = await testPool(engine, { maxSize: 2, minIdle: 1 });
    const lease = await pool.acquire();
    // Still running when the lease is released: the check waits behind it in the warm session (up to its 30 s).
    const stuck = lease.run('sleep 30').catch((err: unknown) => err);
    const checked = nextCheck(pool, lease.container.id);
    await lease.release();
    expect(pool.stats().checking).toBe(1);
    const t0 = Date.now();
    await pool.shutdown();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await checked).toMatchObject({ reused: false, reason: 'shutdown' });
    expect(await stuck).toMatchObject({ code: 'POOL_RUN_FAILED', cause: { code: 'SESSION_CLOSED' } }); // its container was removed under it
    expect(pool.stats()).toMatchObject({ idle: 0, leased: 0, checking: 0, removing: 0, creating: 0 });
    expect(await poolContainers(engine, pool.name)).toHaveLength(0);
  }, 60_000);

  it('a lease released at maxUses is removed without a check, reported by the release event', async () => {
    await using pool = await testPool(engine, { maxSize: 1, maxUses: 1 });
    const lease = await pool.acquire();
    const checked = nextCheck(pool, lease.container.id);
    await lease.release();
    expect(await checked).toMatchObject({ reused: false, reason: 'max-uses' });
    await using next = await pool.acquire({ timeoutMs: 20_000 });
    expect(next.container.id).not.toBe(lease.container.id);
  }, 60_000);
});
