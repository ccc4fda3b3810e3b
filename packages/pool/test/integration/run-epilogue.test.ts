import { rawJson, rawRequest, testEngines, until } from '@pocketdock/testkit';
import { nextCheck, releaseChecked, testPool } from './helpers.js';

// A fast-path run ends with an epilogue in the same write (PooledContainer.run): it looks whether the command left
// anything running, kills nothing, and a release right after a run that found nothing needs no check of its own.
describe.each(testEngines())('fast-path run epilogue on $name', (engine) => {
  it('is invisible in the result: exact stdout (no trailing newline), stderr and exit code', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    expect(await lease.run("printf 'no newline'; printf e >&2; exit 7")).toMatchObject({ path: 'session', stdout: 'no newline', stderr: 'e', exitCode: 7, ok: false });
    expect(await lease.run('printf "__PDC_0123456789abcdef_0_0__\\n"')).toMatchObject({ stdout: '__PDC_0123456789abcdef_0_0__\n', exitCode: 0, ok: true });
    expect(await lease.run('true', { workdir: '/nowhere' })).toMatchObject({ exitCode: 126, ok: false });
  }, 60_000);

  it('kills nothing: what a run started in the background is there for the lease\'s next run, and killed on release', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    expect(await first.run('sleep 778 >/dev/null 2>&1 &')).toMatchObject({ exitCode: 0, stdout: '' });
    expect((await first.run('ps -o args')).stdout).toContain('sleep 778');
    expect(await releaseChecked(pool, first)).toMatchObject({ reused: true });
    await using second = await pool.acquire();
    expect((await second.run('ps -o args')).stdout).not.toContain('sleep 778');
  }, 60_000);

  it('a lease that was handed its Container is checked on release, even when it used it after its last run', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    const id = first.containerId;
    const container = first.container; // taken before the runs, used after them
    await first.run('true');
    await container.run(['sh', '-c', 'sleep 777 >/dev/null 2>&1 &']);
    const checked = nextCheck(pool, id);
    await first.release();
    expect(await checked).toMatchObject({ reused: true });
    await using second = await pool.acquire();
    expect((await second.run('ps -o args')).stdout).not.toContain('sleep 777');
  }, 60_000);

  it('a release right after a clean run trusts its epilogue: no check round trip (what the pool did not see stays)', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    const id = first.containerId; // not first.container: a lease handed its Container is always checked
    await first.run('true'); // clean, and the last thing the lease did
    // Behind the pool's back (a bare exec through the engine, not the lease): not seen, so not checked for.
    const { socketPath } = engine;
    const exec = await rawJson<{ Id: string }>({ socketPath, method: 'POST', path: `/v1.41/containers/${id}/exec`, body: { Cmd: ['sleep', '776'] } });
    await rawRequest({ socketPath, method: 'POST', path: `/v1.41/exec/${exec.Id}/start`, body: { Detach: true } });
    await until(async () => (await rawJson<{ Running: boolean }>({ socketPath, path: `/v1.41/exec/${exec.Id}/json` })).Running, { what: 'the outside exec to run' });
    const checked = nextCheck(pool, id);
    await first.release();
    expect(await checked).toMatchObject({ reused: true });
    await using second = await pool.acquire();
    expect((await second.run('ps -o args')).stdout).toContain('sleep 776');
  }, 60_000);
});
