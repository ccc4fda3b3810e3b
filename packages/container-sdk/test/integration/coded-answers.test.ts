import { testEngines, thrown } from '@pocketdock/testkit';
import { TIMEOUT_EXIT_CODE } from '../../src/index.js';
import type { Container, ExecResult } from '../../src/index.js';
import { sandbox } from './helpers.js';

/** The code `p` rejects with, or 'resolved: <value>' when it does not. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    return `resolved: ${JSON.stringify(await p)}`;
  } catch (err) {
    const e = err as { code?: string; message: string };
    return e.code ?? e.message;
  }
}

// The same mistake gets the same coded answer on both engines and in every form of run (before: exit 1 with the
// engine's text on stderr, exit 126 on Docker, CONTAINER_ENGINE_ERROR on Podman, -1 or 137 for a timeout...).
describe.each(testEngines())('coded answers on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('a NUL in an argv element, the command string or env -> CONTAINER_INVALID_OPTIONS, in every form', async () => {
    expect(await codeOf(c.run(['echo', 'a\0b']))).toBe('CONTAINER_INVALID_OPTIONS');
    expect(await codeOf(c.run('echo a\0b'))).toBe('CONTAINER_INVALID_OPTIONS');
    expect(await codeOf(c.run(['echo', 'x'], { env: { X: 'a\0b' } }))).toBe('CONTAINER_INVALID_OPTIONS');
    expect(await codeOf(c.run(['echo', 'a\0b'], { detach: true }))).toBe('CONTAINER_INVALID_OPTIONS');
    expect(thrown(() => c.run(['echo', 'a\0b'], { stream: true }))).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    const s = await c.session();
    try {
      expect(await codeOf(s.run('echo a\0b'))).toBe('CONTAINER_INVALID_OPTIONS');
      expect((await s.run('echo still here')).stdout).toBe('still here\n');
    } finally {
      await s.close();
    }
  });

  it('a user (or group) that does not exist -> CONTAINER_INVALID_USER from run, stream, detached, session and create', async () => {
    expect(await codeOf(c.run('id', { user: 'nosuchuser' }))).toBe('CONTAINER_INVALID_USER');
    expect(await codeOf(c.run(['id'], { user: '0:nosuchgroup' }))).toBe('CONTAINER_INVALID_USER');
    const stream = c.run('id', { user: 'nosuchuser', stream: true });
    const chunks: string[] = [];
    const looped = (async () => {
      for await (const chunk of stream) chunks.push(String(chunk.data));
    })();
    expect(await codeOf(looped)).toBe('CONTAINER_INVALID_USER');
    expect(await codeOf(stream.result)).toBe('CONTAINER_INVALID_USER');
    expect(chunks).toEqual([]); // the runtime's message is not the command's output
    // Detached: Podman refuses the start (run rejects), Docker's runtime ends it at once (wait rejects): same code.
    expect(await codeOf(c.run('id', { user: 'nosuchuser', detach: true }).then((p) => p.wait()))).toBe('CONTAINER_INVALID_USER');
    expect(await codeOf(c.session({ user: 'nosuchuser' }))).toBe('CONTAINER_INVALID_USER');
    expect(await codeOf(sandbox(engine, { user: 'nosuchuser' }))).toBe('CONTAINER_INVALID_USER');
    // A real user still works, and a command's own exit 126 is still just an exit code.
    expect((await c.run('id -u', { user: '65534' })).stdout).toBe('65534\n');
    expect((await c.run('echo "unable to find user x: no matching entries in passwd file"; exit 126', { user: '0' })).exitCode).toBe(126);
  });

  it('a malformed image reference -> IMAGE_INVALID', async () => {
    expect(await codeOf(sandbox(engine, { image: 'Bad::ref!!' }))).toBe('IMAGE_INVALID');
    expect(await codeOf(sandbox(engine, { image: 'UPPER/case:tag' }))).toBe('IMAGE_INVALID');
  });

  it('unknown option keys of run and session are refused with the closest valid one', async () => {
    await expect(c.run('true', { timeout: 50 } as never)).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringContaining('did you mean "timeoutMs"') });
    await expect(c.session({ workDir: '/tmp' } as never)).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringContaining('did you mean "workdir"') });
    await expect(c.stop({ timeout: 1 } as never)).rejects.toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
  });

  it(`a timed-out command has exitCode ${TIMEOUT_EXIT_CODE} and timedOut: true in every form`, async () => {
    const timedOut = (r: ExecResult): unknown => ({ timedOut: r.timedOut, exitCode: r.exitCode, ok: r.ok });
    const want = { timedOut: true, exitCode: 137, ok: false };
    expect(timedOut(await c.run('sleep 30', { timeoutMs: 1_000 }))).toEqual(want);
    const stream = c.run('sleep 30', { timeoutMs: 1_000, stream: true });
    for await (const _ of stream) void _;
    expect(timedOut(await stream.result)).toEqual(want);
    expect(timedOut(await (await c.run('sleep 30', { timeoutMs: 1_000, detach: true })).wait())).toEqual(want);
    const s = await c.session();
    expect(timedOut(await s.run('sleep 30', { timeoutMs: 1_000 }))).toEqual(want); // -1 before
    await s.close();
  }, 30_000);
});
