import { join } from 'node:path';
import { ContainerError, TIMEOUT_EXIT_CODE } from '@pocketdock/container-sdk';
import { EngineError } from '@pocketdock/engine-socket';
import { tempDir, testEngines } from '@pocketdock/testkit';
import { PoolError, createPool } from '../../src/index.js';
import { IMAGE, testPool } from './helpers.js';

/** What `p` rejected with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// Regression: createPool with an engine socket nobody answers rejected with engine-socket's raw EngineError, although
// the README promises PoolErrors. Every failure of the pool's API is a PoolError, the lower error its `cause`.
describe('the pool reports with PoolError only', () => {
  it('createPool against a dead socket -> POOL_ENGINE_ERROR, cause: the EngineError', async () => {
    await using dir = await tempDir();
    const err = await rejection(createPool({ name: 'p', image: IMAGE, socketPath: join(dir.path, 'dead.sock') }));
    expect(PoolError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'POOL_ENGINE_ERROR' });
    expect(EngineError.is((err as PoolError).cause)).toBe(true);
  });
});

describe.each(testEngines())('lease.run failures on $name', (engine) => {
  // Regression: lease.run rejected with container-sdk's ContainerError (not the pool's class).
  it('a command that cannot run -> POOL_RUN_FAILED (cause: the ContainerError); a bad option -> POOL_INVALID_OPTIONS', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    const bad = await rejection(lease.run(['true'], { timeout: 5 } as never));
    expect(bad).toMatchObject({ code: 'POOL_INVALID_OPTIONS', message: expect.stringContaining('did you mean "timeoutMs"') });
    const user = await rejection(lease.run(['id'], { user: 'nosuchuser' }));
    expect(user).toMatchObject({ code: 'POOL_RUN_FAILED', cause: { code: 'CONTAINER_INVALID_USER' } });
    expect(PoolError.is(user) && ContainerError.is(user.cause)).toBe(true);
    await lease.container.stop({ timeoutMs: 0 });
    for (const cmd of ['true', ['true']]) {
      expect(await rejection(lease.run(cmd))).toMatchObject({ code: 'POOL_RUN_FAILED', cause: { code: expect.stringMatching(/^(CONTAINER_NOT_RUNNING|SESSION_CLOSED)$/) } });
    }
    await lease.destroy();
  }, 60_000);

  // Regression: a timed-out command on the fast path had exitCode -1 (a plain run: 137).
  it(`a timed-out command on the fast path has exitCode ${TIMEOUT_EXIT_CODE}, as on the exec path`, async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    expect(await lease.run('sleep 30', { timeoutMs: 1_000 })).toMatchObject({ path: 'session', timedOut: true, exitCode: 137, ok: false });
    expect(await lease.run(['sleep', '30'], { timeoutMs: 1_000 })).toMatchObject({ path: 'exec', timedOut: true, exitCode: 137, ok: false });
  }, 60_000);
});
