import { testEngines, until } from '@pocketdock/testkit';
import { PoolError, createPool } from '../../src/index.js';
import { IMAGE, poolContainers, releaseChecked, testPool } from './helpers.js';

describe.each(testEngines())('clean leases on $name', (engine) => {
  it('a lease never sees the files or processes of the one before: its container is replaced, refilled ahead of demand', async () => {
    await using pool = await testPool(engine, { cleanLeases: true, minIdle: 1, maxSize: 2 });
    const first = await pool.acquire();
    await first.container.writeFile('/tmp/secret', 'tenant A');
    await first.container.run('sleep 600', { detach: true });
    const firstId = first.container.id;
    const outcome = await releaseChecked(pool, first);
    expect(outcome).toMatchObject({ reused: false, reason: 'clean-lease' });
    await until(() => pool.stats().idle === 1, { what: 'the refill to replace the container' });
    await using second = await pool.acquire();
    expect(second.container.id).not.toBe(firstId);
    expect((await second.run('cat /tmp/secret 2>&1; ps -o args | grep -c "^sleep 600"')).stdout).toMatch(/No such file[\s\S]*\n0\n$/);
    await until(async () => !(await poolContainers(engine, pool.name)).includes(firstId), { what: 'the used container to be removed' });
  }, 60_000);

  it('without cleanLeases a reused container keeps the files (what the option is for)', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    await first.container.writeFile('/tmp/secret', 'tenant A');
    await releaseChecked(pool, first);
    await using second = await pool.acquire();
    expect((await second.run('cat /tmp/secret')).stdout).toBe('tenant A');
  }, 60_000);
});

describe('container options are checked up front', () => {
  it.each([
    [{ memoryLimit: '64m' }, /unknown option "memoryLimit" \(did you mean "memLimit"\?\)/],
    [{ image: 'x' }, /image is set by the pool/],
    [{ ttlMs: 10 }, /ttlMs/],
  ])('%j -> POOL_INVALID_OPTIONS', async (container, message) => {
    const err = await createPool({ name: 'pd-test-invalid', image: IMAGE, socketPath: '/nonexistent.sock', container: container as never }).catch((e: unknown) => e);
    expect(PoolError.is(err) && err.code).toBe('POOL_INVALID_OPTIONS');
    expect((err as Error).message).toMatch(message);
  });
});
