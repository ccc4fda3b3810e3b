import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rawJson, testEngines, until } from '@pocketdock/testkit';
import { ContainerError, openContainer } from '../../src/index.js';
import type { Container } from '../../src/index.js';
import { processes, rejection, sandbox } from './helpers.js';

const OWNER = join(__dirname, 'spawn-owner.ts');

/** Spawns `argv` from a separate Node process that exits right after; resolves with the process id. */
async function spawnFromChild(socketPath: string, name: string, argv: string[], maxOutputBytes = 1024 * 1024): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@pocketdock/source', '--import', 'tsx', OWNER, socketPath, name, JSON.stringify(argv), String(maxOutputBytes)],
    { timeout: 60_000 },
  );
  return stdout.trim();
}

const codeOf = (err: unknown): string | undefined => (ContainerError.is(err) ? err.code : String(err));
/** `n` bytes of `abcdefghi\n` repeated, printed by busybox (exactly n bytes). */
const pattern = (n: number): string => 'abcdefghi\n'.repeat(Math.ceil(n / 10) + 1).slice(0, n);
const print = (n: number): string[] => ['sh', '-c', `yes abcdefghi | head -c ${n}`];

describe.each(testEngines())('supervised processes on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  }, 60_000);
  afterAll(async () => {
    await c?.shutdown({ force: true });
  }, 60_000);

  it('outlives the client that started it: another one lists it, replays all output and gets the exit code', async () => {
    const script = 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done; sleep 1; echo bye >&2; exit 3';
    const id = await spawnFromChild(engine.socketPath, c.name, ['sh', '-c', script]);
    const expected = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('') + 'bye\n';
    const other = await openContainer(c.name, { socketPath: engine.socketPath });
    try {
      const listed = (await other.processes()).find((p) => p.id === id);
      expect(listed).toMatchObject({ id, command: ['sh', '-c', script], firstOffset: 0 });
      const a = await other.attach(id);
      const { data, exitCode } = await a.readAll();
      expect(data.toString()).toBe(expected);
      expect(exitCode).toBe(3);
      expect(await other.waitProcess(id)).toEqual({ exitCode: 3 });
      const from = await (await other.attach(id, { offset: 100, follow: false })).readAll();
      expect(from.data.toString()).toBe(expected.slice(100));
      expect((await other.processes()).find((p) => p.id === id)).toMatchObject({ state: 'exited', exitCode: 3, outputBytes: expected.length });
      await other.removeProcess(id);
      expect(codeOf(await rejection(other.attach(id)))).toBe('PROCESS_NOT_FOUND');
    } finally {
      // Not shutdown(): that would remove the sandbox this handle shares with the others.
      await other.engine.close();
    }
  }, 120_000);

  it.each([
    ['below', 1023],
    ['at', 1024],
  ])('keeps all output %s the bound', async (_what, n) => {
    const p = await c.spawn(print(n), { maxOutputBytes: 1024 });
    expect(await c.waitProcess(p.id, { timeoutMs: 20_000 })).toEqual({ exitCode: 0 });
    const { data } = await (await c.attach(p.id)).readAll();
    expect(data.toString()).toBe(pattern(n));
    expect((await c.processes()).find((x) => x.id === p.id)).toMatchObject({ outputBytes: n, firstOffset: 0 });
  }, 60_000);

  it('above the bound keeps at most the bound and at least half of it, the newest bytes, at their offsets', async () => {
    const n = 10_000;
    const p = await c.spawn(print(n), { maxOutputBytes: 1024 });
    await c.waitProcess(p.id, { timeoutMs: 20_000 });
    const info = (await c.processes()).find((x) => x.id === p.id)!;
    expect(info.outputBytes).toBe(n);
    const kept = n - info.firstOffset;
    expect(kept).toBeLessThanOrEqual(1024);
    expect(kept).toBeGreaterThanOrEqual(512);
    const chunks = [];
    for await (const chunk of await c.attach(p.id, { offset: 0 })) chunks.push(chunk);
    expect(chunks[0]!.offset).toBe(info.firstOffset);
    expect(Buffer.concat(chunks.map((x) => x.data)).toString()).toBe(pattern(n).slice(info.firstOffset));
  }, 60_000);

  it('follows live output; killProcess and waitProcess work from another handle; leaving a loop ends the reader', async () => {
    const p = await c.spawn('echo first; sleep 1; echo second; sleep 600');
    const a = await c.attach(p.id);
    const seen: string[] = [];
    for await (const chunk of a) {
      seen.push(chunk.data.toString());
      if (seen.join('').includes('second')) break;
    }
    expect(seen.join('')).toBe('first\nsecond\n');
    expect(codeOf(await rejection(c.removeProcess(p.id)))).toBe('PROCESS_RUNNING');
    expect(codeOf(await rejection(c.waitProcess(p.id, { timeoutMs: 200 })))).toBe('CONTAINER_WAIT_TIMEOUT');
    const other = await openContainer(c.name, { socketPath: engine.socketPath });
    try {
      await other.killProcess(p.id, 'TERM');
      expect(await other.waitProcess(p.id, { timeoutMs: 20_000 })).toEqual({ exitCode: 143 });
    } finally {
      await other.engine.close();
    }
    await until(async () => (await processes(c)).filter((x) => x.includes('pocketdock-attach') || x.includes('sleep 600')).length === 0, {
      timeoutMs: 15_000,
      what: 'the reader and the killed process to end',
    });
  }, 60_000);

  it('leaving a loop early ends the reader in the container (the connection dropped is enough), the process runs on', async () => {
    const p = await c.spawn('echo first; sleep 600');
    const started = Date.now();
    for await (const chunk of await c.attach(p.id)) if (chunk.data.toString().includes('first')) break;
    await until(async () => (await processes(c)).filter((x) => x.includes('pocketdock-attach')).length === 0, { timeoutMs: 15_000, what: 'the reader to end' });
    const endedMs = Date.now() - started;
    expect((await c.processes()).find((x) => x.id === p.id)?.state).toBe('running');
    await c.killProcess(p.id);
    expect(endedMs).toBeLessThan(15_000);
  }, 60_000);

  it('a running supervised process is activity for idleTimeoutMs; once it ended the sandbox expires', async () => {
    // keepAlive: false: no lifeline from this client, so only the process keeps the sandbox alive.
    // 5 s: under heavy load, creating the sandbox and starting the first exec alone took over 2 s.
    const s = await sandbox(engine, { idleTimeoutMs: 5000, keepAlive: false });
    try {
      // Asked through the engine, not by execs (each one would be activity).
      const gone = async (): Promise<boolean> => (await rawJson({ socketPath: engine.socketPath, path: `/containers/${s.id}/json` }).catch(() => undefined)) === undefined;
      await s.spawn('sleep 20');
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 12_000)); // more than twice the idle timeout, no exec meanwhile
      expect(await gone()).toBe(false);
      await until(gone, { timeoutMs: 60_000, intervalMs: 500, what: 'the idle sandbox to remove itself' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(20_000); // not before its process had ended
      // Removed by its reaper; with no lifeline (keepAlive: false) this handle cannot tell why.
      expect(['CONTAINER_EXPIRED', 'CONTAINER_NOT_FOUND']).toContain(codeOf(await rejection(s.run('true'))));
    } finally {
      await s.shutdown({ force: true });
    }
  }, 120_000);

  it('answers bad ids and options with codes', async () => {
    for (const id of ['nope', '../../../etc/passwd', '0123456789ABCDEF', '', '0123456789abcdef0']) {
      expect(codeOf(await rejection(c.attach(id)))).toBe('PROCESS_NOT_FOUND');
      expect(codeOf(await rejection(c.killProcess(id)))).toBe('PROCESS_NOT_FOUND');
    }
    expect(codeOf(await rejection(c.attach('0123456789abcdef')))).toBe('PROCESS_NOT_FOUND');
    expect(codeOf(await rejection(c.waitProcess('0123456789abcdef')))).toBe('PROCESS_NOT_FOUND');
    expect(codeOf(await rejection(c.removeProcess('0123456789abcdef')))).toBe('PROCESS_NOT_FOUND');
    expect(codeOf(await rejection(c.spawn('true', { maxOutputBytes: 10 })))).toBe('CONTAINER_INVALID_OPTIONS');
    expect(codeOf(await rejection(c.attach('0123456789abcdef', { offset: -1 })))).toBe('CONTAINER_INVALID_OPTIONS');
    const p = await c.spawn('sleep 600');
    expect(codeOf(await rejection(c.killProcess(p.id, 'BOGUS')))).toBe('CONTAINER_INVALID_OPTIONS');
    await c.killProcess(p.id);
    expect(await c.waitProcess(p.id, { timeoutMs: 20_000 })).toEqual({ exitCode: 137 });
    await c.killProcess(p.id); // ended: nothing to do
  }, 60_000);
});
