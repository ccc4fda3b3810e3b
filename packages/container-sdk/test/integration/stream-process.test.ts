import { testEngines, until } from '@pocketdock/testkit';
import type { Container, ExecResult, OutputChunk } from '../../src/index.js';
import { processes, sandbox } from './helpers.js';

describe.each(testEngines())('streams and detached processes on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('streams output as it comes, then the result', async () => {
    const s = c.run('echo one; sleep 0.2; echo two >&2; exit 3', { stream: true });
    const chunks: OutputChunk[] = [];
    for await (const chunk of s) chunks.push(chunk);
    expect(chunks.filter((x) => x.stream === 'stdout').map((x) => x.data).join('')).toBe('one\n');
    expect(chunks.filter((x) => x.stream === 'stderr').map((x) => x.data).join('')).toBe('two\n');
    expect((await s.result).exitCode).toBe(3);
  });

  it('streams bytes in buffer mode', async () => {
    const s = c.run(['printf', '\\377\\000'], { stream: true, encoding: 'buffer' });
    const parts: Buffer[] = [];
    for await (const chunk of s) parts.push(chunk.data);
    expect(Buffer.concat(parts)).toEqual(Buffer.from([0xff, 0x00]));
  });

  it('leaving the loop early kills the process', async () => {
    const s = c.run('i=0; while true; do echo $i; i=$((i+1)); sleep 0.05; done; # loop-305', { stream: true });
    for await (const chunk of s) {
      if (chunk.data.includes('2')) break;
    }
    const result = await s.result;
    expect(result.exitCode).not.toBe(0);
    expect((await processes(c)).filter((p) => p.includes('loop-305'))).toEqual([]);
  });

  it('a start failure reaches the loop', async () => {
    const stopped = await sandbox(engine);
    await stopped.stop();
    const s = stopped.run('true', { stream: true });
    await expect(
      (async () => {
        for await (const _ of s) void _;
      })(),
    ).rejects.toMatchObject({ code: 'CONTAINER_NOT_RUNNING' });
    await stopped.shutdown();
  });

  it('detached: isRunning, peek/read, kill, wait with the real duration', async () => {
    const p = await c.run('echo started; sleep 306', { detach: true });
    await until(() => p.peek().stdout !== '', { what: 'the first output' });
    await new Promise((r) => setTimeout(r, 300)); // the duration counts from the exec's start, before this
    expect(p.isRunning()).toBe(true);
    expect(p.peek().stdout).toBe('started\n');
    expect(p.read().stdout).toBe('started\n');
    expect(p.peek().stdout).toBe('');
    await expect(p.wait({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'CONTAINER_WAIT_TIMEOUT' });
    await p.kill();
    const r = await p.wait();
    expect(p.isRunning()).toBe(false);
    expect(r.exitCode).toBe(137);
    expect(r.durationMs).toBeGreaterThanOrEqual(300);
    expect((await processes(c)).filter((p) => p.includes('sleep 306'))).toEqual([]);
  });

  it('kill(TERM) delivers that signal in the container', async () => {
    const p = await c.run(['sh', '-c', 'trap "echo got-term; exit 7" TERM; echo armed; while true; do sleep 0.1; done'], { detach: true });
    await until(() => p.peek().stdout === 'armed\n', { what: 'the trap to be set' });
    await p.kill('SIGTERM');
    const r = await p.wait({ timeoutMs: 5000 });
    expect([r.exitCode, r.stdout]).toEqual([7, 'armed\ngot-term\n']);
  });

  it('a ring-buffer overflow keeps the newest bytes and sets the flag', async () => {
    const p = await c.run('head -c 5000 /dev/zero | tr "\\0" x; printf END', { detach: true, bufferBytes: 1000 });
    const r = await p.wait({ timeoutMs: 10_000 });
    expect(p.bufferOverflow).toBe(true);
    expect(r.stdout.length).toBe(1000);
    expect(r.stdout.endsWith('END')).toBe(true);
  });

  it('callbacks receive output and the exit; an exception in one breaks nothing', async () => {
    const thrown: unknown[] = [];
    const d = await sandbox(engine, { onCallbackError: (err) => void thrown.push(err) });
    const seen: string[] = [];
    let exit: ExecResult | undefined;
    try {
      const p = await d.run('echo a; sleep 0.1; echo b; echo c >&2', {
        detach: true,
        onStdout: (s) => {
          seen.push(s);
          throw new Error('callback bug');
        },
        onStderr: (s) => void seen.push(`err:${s}`),
        onExit: (r) => {
          exit = r;
        },
      });
      const r = await p.wait({ timeoutMs: 10_000 });
      expect(r.exitCode).toBe(0);
      await new Promise((res) => setImmediate(res));
      expect(seen.join('')).toContain('a\n');
      expect(seen.join('')).toContain('b\n');
      expect(seen).toContain('err:c\n');
      expect(exit?.exitCode).toBe(0);
      expect(thrown.map(String)).toEqual(['Error: callback bug', 'Error: callback bug']);
    } finally {
      await d.shutdown();
    }
  });

  it('container-wide callbacks see every detached process', async () => {
    const seen: string[] = [];
    const d = await sandbox(engine, { onStdout: (s, p) => void seen.push(`${p.id.slice(0, 4)}:${s}`) });
    try {
      const p = await d.run('echo shared', { detach: true });
      await p.wait({ timeoutMs: 10_000 });
      expect(seen).toEqual([`${p.id.slice(0, 4)}:shared\n`]);
    } finally {
      await d.shutdown();
    }
  });
});
