import { EngineProxy, testEngines } from '@pocketdock/testkit';
import type { DestroyReason } from '../../src/index.js';
import { once } from 'node:events';
import { releaseChecked, testPool } from './helpers.js';

describe.each(testEngines())('lease.run fast path on $name', (engine) => {
  it('runs each command in its own subshell of the warm session: cwd and env do not leak; stdout and stderr apart', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    const a = await lease.run('cd /tmp && export LEAK=1 && pwd');
    expect(a).toMatchObject({ path: 'session', stdout: '/tmp\n', exitCode: 0, ok: true });
    const b = await lease.run('pwd; echo "LEAK=$LEAK"');
    expect(b.stdout).not.toContain('/tmp');
    expect(b.stdout).toContain('LEAK=\n');
    expect(await lease.run('echo out; echo err >&2; exit 3')).toMatchObject({ path: 'session', stdout: 'out\n', stderr: 'err\n', exitCode: 3, ok: false });
    expect(await lease.run('echo "$X"; pwd # a comment', { env: { X: 'it works' }, workdir: '/tmp' })).toMatchObject({ path: 'session', stdout: 'it works\n/tmp\n' });
  }, 60_000);

  it('a command cannot break out of its subshell (a ")" in it does not end the subshell early)', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    const escape = await lease.run('true\n)\ncd /tmp\nexport LEAK=1\n(\ntrue');
    expect((await lease.run('pwd; echo "LEAK=$LEAK"')).stdout).toBe('/\nLEAK=\n');
    expect(escape).toMatchObject({ path: 'session', ok: false }); // a syntax error, inside the subshell
  }, 60_000);

  it('is fast: no engine exec per command, once the lease is warm', async () => {
    await using proxy = await EngineProxy.start(engine.socketPath);
    await using pool = await testPool(engine, { maxSize: 1, socketPath: proxy.path });
    await using lease = await pool.acquire();
    expect((await lease.run('true')).path).toBe('session'); // the first run may open the session
    const before = proxy.requests.length;
    for (let i = 0; i < 30; i++) expect((await lease.run('echo $((40 + 2))')).stdout).toBe('42\n');
    const execs = (requests: string[]): string[] => requests.filter((r) => /\/exec(\/|$)/.test(r.split('?')[0]!));
    expect(execs(proxy.requests.slice(before))).toEqual([]); // an exec is POST .../exec, then POST /exec/{id}/start
    expect(execs(proxy.requests.slice(0, before)).length).toBeGreaterThan(0); // the proxy does see the session's exec
  }, 60_000);

  it('stdin and a different output cap take the exec path, and say so', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    await using lease = await pool.acquire();
    expect(await lease.run('cat', { stdin: 'fed in' })).toMatchObject({ path: 'exec', stdout: 'fed in' });
    expect(await lease.run(['echo', 'argv'])).toMatchObject({ path: 'exec', stdout: 'argv\n' });
  }, 60_000);

  it('a timed-out run is killed and taints its container: removed on release', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const reasons: DestroyReason[] = [];
    pool.on('destroy', ({ reason }) => reasons.push(reason));
    const lease = await pool.acquire();
    const r = await lease.run('echo before; sleep 30', { timeoutMs: 1000 }); // room for a loaded CI machine
    expect(r).toMatchObject({ path: 'session', timedOut: true, stdout: 'before\n', ok: false });
    expect(r.durationMs).toBeLessThan(5_000);
    const removed = once(pool, 'destroy');
    expect(await releaseChecked(pool, lease)).toMatchObject({ reused: false, reason: 'tainted' });
    await removed;
    expect(reasons).toEqual(['tainted']);
    await expect(lease.run('true')).rejects.toMatchObject({ code: 'POOL_LEASE_ENDED' });
  }, 60_000);

  it('an output cap cuts exactly, kills the command and taints the container', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const reasons: DestroyReason[] = [];
    pool.on('destroy', ({ reason }) => reasons.push(reason));
    const lease = await pool.acquire();
    const r = await lease.run('yes', { maxOutputBytes: 100 });
    expect(r).toMatchObject({ truncated: true, ok: false });
    expect(r.stdout).toHaveLength(100);
    const removed = once(pool, 'destroy');
    expect(await releaseChecked(pool, lease)).toMatchObject({ reused: false, reason: 'tainted' });
    await removed;
    expect(reasons).toEqual(['tainted']);
  }, 60_000);

  it('background jobs a fast-path command started are killed by the release check', async () => {
    await using pool = await testPool(engine, { maxSize: 1 });
    const first = await pool.acquire();
    await first.run('sleep 779 >/dev/null 2>&1 &');
    await first.release();
    await using second = await pool.acquire();
    expect(second.container.id).toBe(first.container.id);
    expect((await second.run('ps -o args')).stdout).not.toContain('sleep 779');
  }, 60_000);
});
