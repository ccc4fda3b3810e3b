import { Readable } from 'node:stream';
import { testEngines } from '@pocketdock/testkit';
import type { Container } from '../../src/index.js';
import { processes, sandbox, untilRunning } from './helpers.js';

describe.each(testEngines())('run() on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('propagates exit codes', async () => {
    const r = await c.run('exit 42');
    expect([r.exitCode, r.ok]).toEqual([42, false]);
    expect((await c.run('true')).ok).toBe(true);
  });

  it('keeps stdout and stderr apart: only one, both interleaved, or neither', async () => {
    expect(await c.run('echo out')).toMatchObject({ stdout: 'out\n', stderr: '' });
    expect(await c.run('echo err >&2')).toMatchObject({ stdout: '', stderr: 'err\n' });
    const r = await c.run('for i in 1 2 3; do echo o$i; echo e$i >&2; done');
    expect([r.stdout, r.stderr]).toEqual(['o1\no2\no3\n', 'e1\ne2\ne3\n']);
    expect(await c.run('true')).toMatchObject({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('returns more than 8 MiB of output intact', async () => {
    const r = await c.run('yes abcdefghijklmno | head -c 9437184', { maxOutputBytes: 16 * 1024 * 1024 });
    expect(r.stdout.length).toBe(9437184);
    expect(r.stdout.slice(0, 32)).toBe('abcdefghijklmno\nabcdefghijklmno\n');
    expect(r.truncated).toBe(false);
  });

  it('passes an argv array untouched: quotes, spaces and $() are not interpreted', async () => {
    const args = ['a b', "it's", '"dq"', '$(id)', '`id`', '; echo pwned', '*'];
    const r = await c.run(['printf', '%s\\n', ...args]);
    expect(r.stdout).toBe(args.map((a) => `${a}\n`).join(''));
  });

  it('pipes stdin from a string, a Buffer and a Readable, then closes it', async () => {
    expect((await c.run('cat', { stdin: 'from a string' })).stdout).toBe('from a string');
    expect((await c.run('wc -c', { stdin: Buffer.alloc(100_000, 1) })).stdout.trim()).toBe('100000');
    expect((await c.run('cat', { stdin: Readable.from(['a', 'b', 'c']) })).stdout).toBe('abc');
  });

  it('applies env, workdir and user', async () => {
    const r = await c.run('echo "$FOO"; pwd; id -u', { env: { FOO: 'bar baz' }, workdir: '/tmp', user: '65534' });
    expect(r.stdout).toBe('bar baz\n/tmp\n65534\n');
  });

  it('on timeout: keeps the output so far and kills the process and its children', async () => {
    // 4 s: the clock includes creating and starting the exec, which takes far longer than usual on a loaded machine
    // (500 ms once ended the run before the echo; 1.5 s did on Podman at load average 20).
    const r = await c.run('echo before; sleep 300 & sleep 301; echo never', { timeoutMs: 4000 });
    expect(r).toMatchObject({ timedOut: true, stdout: 'before\n', ok: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(3950);
    expect((await processes(c)).filter((p) => p.includes('sleep 30'))).toEqual([]);
  });

  it('aborting via signal behaves like a timeout', async () => {
    const ac = new AbortController();
    const pending = c.run('echo x; sleep 302', { signal: ac.signal });
    await untilRunning(c, 'sleep 302'); // aborted once surely running, not after a guessed delay
    ac.abort();
    const r = await pending;
    expect(r).toMatchObject({ timedOut: true, stdout: 'x\n' });
    expect((await processes(c)).filter((p) => p.includes('sleep 302'))).toEqual([]);
  });

  it('cuts output exactly at maxOutputBytes inside a frame and kills the process', async () => {
    const r = await c.run('head -c 5000 /dev/zero | tr "\\0" a; sleep 303', { maxOutputBytes: 1234 });
    expect(r).toMatchObject({ truncated: true, ok: false });
    expect(r.stdout).toBe('a'.repeat(1234));
    expect((await processes(c)).filter((p) => p.includes('sleep 303'))).toEqual([]);
  });

  it('cuts exactly at a frame boundary', async () => {
    // two writes a moment apart arrive as two frames; the limit falls between them
    const r = await c.run('printf 12345; sleep 0.2; printf 67890; sleep 304', { maxOutputBytes: 5 });
    expect([r.stdout, r.truncated]).toEqual(['12345', true]);
    const exact = await c.run('printf 12345', { maxOutputBytes: 5 });
    expect([exact.stdout, exact.truncated, exact.ok]).toEqual(['12345', false, true]);
  });

  it('runs 32 commands at once on one container', async () => {
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => c.run(`echo ${i}; exit ${i % 4}`)));
    results.forEach((r, i) => expect([r.stdout, r.exitCode]).toEqual([`${i}\n`, i % 4]));
  });

  it('rejects stream and detach together, and bad options, with CONTAINER_INVALID_OPTIONS', async () => {
    // a stream is returned synchronously, so its option errors throw
    expect(() => c.run('true', { stream: true, detach: true } as never)).toThrow(expect.objectContaining({ code: 'CONTAINER_INVALID_OPTIONS' }) as Error);
    await expect(c.run('true', { maxOutputBytes: -1 })).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    await expect(c.run([] as string[])).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
  });
});
