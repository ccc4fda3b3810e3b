import { createNewContainer } from '@pocketdock/container-sdk';
import { rawRequest, testEngines, testLabels, until } from '@pocketdock/testkit';
import { POOL_LABELS, configHash } from '../../src/index.js';
import type { DestroyReason } from '../../src/index.js';
import { IMAGE, checksDone, poolContainers, releaseChecked, testPool } from './helpers.js';

describe.each(testEngines())('pool lifecycle on $name', (engine) => {
  it('labels every container with the pool name and configuration hash', async () => {
    await using pool = await testPool(engine, { minIdle: 1 });
    const [id] = await poolContainers(engine, pool.name);
    const res = await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${id}/json` });
    const labels = (JSON.parse(res.body.toString()) as { Config: { Labels: Record<string, string> } }).Config.Labels;
    expect(labels).toMatchObject({ [POOL_LABELS.pool]: pool.name, [POOL_LABELS.config]: pool.configHash, 'pocketdock.managed': 'true' });
  }, 60_000);

  it('a container killed through the engine API while leased is detected on release and replaced', async () => {
    await using pool = await testPool(engine, { maxSize: 1, minIdle: 1 });
    const reasons: DestroyReason[] = [];
    pool.on('destroy', ({ reason }) => reasons.push(reason));
    const lease = await pool.acquire();
    await rawRequest({ socketPath: engine.socketPath, method: 'POST', path: `/v1.41/containers/${lease.container.id}/kill` });
    expect(await releaseChecked(pool, lease)).toMatchObject({ reused: false, reason: 'failed-check' });
    await using next = await pool.acquire({ timeoutMs: 20_000 }); // made once the dead one is removed (maxSize 1)
    expect(reasons).toEqual(['failed-check']);
    expect(next.container.id).not.toBe(lease.container.id);
    expect((await next.container.run('echo ok')).stdout).toBe('ok\n');
  }, 60_000);

  it('processes a lease leaves behind are killed before the container is reused', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    await first.container.run('sleep 777', { detach: true });
    await first.container.run('sh -c "sleep 778 &"');
    await first.release();
    await using second = await pool.acquire();
    expect(second.container.id).toBe(first.container.id);
    const ps = (await second.container.run(['ps', '-o', 'args'])).stdout;
    expect(ps).not.toMatch(/sleep 77[78]/);
  }, 60_000);

  it('retires a container after maxUses', async () => {
    await using pool = await testPool(engine, { maxSize: 1, maxUses: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await pool.acquire();
      ids.push(lease.container.id);
      await lease.release();
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  }, 60_000);

  it('retires a container after maxLifetimeMs', async () => {
    await using pool = await testPool(engine, { maxSize: 1, maxLifetimeMs: 300 });
    const first = await pool.acquire();
    await new Promise((r) => setTimeout(r, 400));
    await first.release();
    await using second = await pool.acquire();
    expect(second.container.id).not.toBe(first.container.id);
  }, 60_000);

  it('trims idle containers past idleTimeoutMs down to minIdle, and keeps minIdle topped up', async () => {
    await using pool = await testPool(engine, { minIdle: 1, maxIdle: 3, maxSize: 3, idleTimeoutMs: 300, refillIntervalMs: 100 });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    await Promise.all(leases.map((l) => l.release()));
    await checksDone(pool);
    expect(pool.stats().idle).toBe(3);
    await until(() => pool.stats().idle === 1 && pool.stats().destroyed === 2);
    expect(await poolContainers(engine, pool.name)).toHaveLength(1);
  }, 60_000);

  it('recovery adopts only running containers with its name and configuration hash, up to maxIdle; removes the rest', async () => {
    const name = `pd-test-recover-${Date.now().toString(36)}`;
    const labels = testLabels();
    const hash = configHash({ image: IMAGE, command: undefined, container: {}, labels });
    const make = (extra: Record<string, string>) =>
      createNewContainer({ image: IMAGE, socketPath: engine.socketPath, labels: { ...labels, [POOL_LABELS.pool]: name, ...extra } });
    const matching = await Promise.all([1, 2, 3].map(() => make({ [POOL_LABELS.config]: hash })));
    const stopped = await make({ [POOL_LABELS.config]: hash });
    const other = await make({ [POOL_LABELS.config]: 'another-config' });
    try {
      await rawRequest({ socketPath: engine.socketPath, method: 'POST', path: `/v1.41/containers/${stopped.id}/kill` });
      await using pool = await testPool(engine, { name, maxIdle: 2, maxSize: 4 });
      expect(pool.configHash).toBe(hash);
      const left = await poolContainers(engine, name);
      expect(left).toHaveLength(2);
      expect(matching.map((c) => c.id)).toEqual(expect.arrayContaining(left));
      expect(pool.stats()).toMatchObject({ idle: 2, created: 0 });
      await using lease = await pool.acquire();
      expect(left).toContain(lease.container.id);
    } finally {
      await Promise.all([...matching, stopped, other].map((c) => c.shutdown({ force: true })));
    }
    expect(await poolContainers(engine, name)).toHaveLength(0);
  }, 60_000);

  it('shutdown with a lease never returned, bounded by a signal, leaves nothing behind', async () => {
    const pool = await testPool(engine, { minIdle: 2, maxSize: 3 });
    const lease = await pool.acquire();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    await pool.shutdown({ signal: ac.signal });
    clearTimeout(timer);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await poolContainers(engine, pool.name)).toHaveLength(0);
    expect(lease.active).toBe(false);
    await lease.release(); // revoked by the shutdown: a no-op
    expect(pool.stats()).toMatchObject({ idle: 0, leased: 0 });
  }, 60_000);

  it('a failing engine create is reported (onError and error event), backs off instead of looping, and fails a waiter with POOL_CREATE_FAILED', async () => {
    const errors: Error[] = [];
    const events: Error[] = [];
    await using pool = await testPool(engine, { image: 'pocketdock/no-such-image:nope', minIdle: 1, refillIntervalMs: 50, maxBackoffMs: 400, onError: (e) => errors.push(e) });
    pool.on('error', (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 1_500));
    // 50 ms doubling up to 400 ms: about 5 rounds in 1.5 s; a hot loop would make hundreds.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(errors[0]).toMatchObject({ code: 'POOL_CREATE_FAILED' });
    expect((errors[0]!.cause as { code: string }).code).toBe('IMAGE_NOT_FOUND');
    expect(events.length).toBeGreaterThanOrEqual(1);
    await expect(pool.acquire({ timeoutMs: 20_000 })).rejects.toMatchObject({ code: 'POOL_CREATE_FAILED' });
  }, 60_000);
});
