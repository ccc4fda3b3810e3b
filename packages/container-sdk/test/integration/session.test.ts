import { testEngines, until } from '@pocketdock/testkit';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

describe.each(testEngines())('sessions on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  });
  afterAll(async () => {
    await c?.shutdown();
  });

  it('keeps the working directory and environment between commands', async () => {
    await using s = await c.session();
    await s.run('cd /tmp && export GREETING=hi');
    const r = await s.run('pwd; echo $GREETING; echo to-err >&2; false');
    expect(r).toMatchObject({ stdout: '/tmp\nhi\n', stderr: 'to-err\n', exitCode: 1 });
  });

  it('returns output without a trailing newline exactly, and never shows its markers', async () => {
    await using s = await c.session();
    const r = await s.run("printf 'no newline'");
    expect(r.stdout).toBe('no newline');
    expect(r.stdout + r.stderr).not.toMatch(/__PD[XE]_/);
  });

  it('a marker-like line from the user (another nonce) does not end the wait', async () => {
    await using s = await c.session();
    const r = await s.run("printf '__PDX_00000000000000000000000000000000_000__\\n'; sleep 0.2; echo after");
    expect(r.stdout).toBe('__PDX_00000000000000000000000000000000_000__\nafter\n');
  });

  it('survives syntax errors and commands that read stdin', async () => {
    await using s = await c.session();
    expect((await s.run('echo "unterminated')).exitCode).not.toBe(0);
    expect((await s.run('cat; echo read-nothing')).stdout).toBe('read-nothing\n');
    expect((await s.run('echo still here')).stdout).toBe('still here\n');
  });

  it('runs concurrent calls one after another, in order', async () => {
    await using s = await c.session();
    const results = await Promise.all([s.run('sleep 0.2; echo 1'), s.run('echo 2'), s.run('echo 3')]);
    expect(results.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n']);
  });

  it('on timeout closes the session, says so, and keeps the partial output', async () => {
    const s = await c.session();
    const r = await s.run('echo partial; sleep 307', { timeoutMs: 1500 }); // with room for a loaded machine
    expect(r).toMatchObject({ timedOut: true, stdout: 'partial\n' });
    expect(s.closed).toBe(true);
    await expect(s.run('true')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    const ps = await c.run(['ps', '-o', 'args']);
    expect(ps.stdout).not.toContain('sleep 307');
  });

  it('EOF (the shell exits) releases a pending wait with SESSION_CLOSED', async () => {
    const s = await c.session();
    await expect(s.run('exit 3')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    expect(s.closed).toBe(true);
  });

  it('send() and onOutput() carry raw input and output', async () => {
    await using s = await c.session();
    const seen: string[] = [];
    const off = s.onOutput((chunk) => seen.push(chunk.data));
    s.send('echo raw-send\n');
    await until(() => seen.join('').includes('raw-send'), { timeoutMs: 5_000, intervalMs: 20, what: 'the output of the raw send' });
    off();
    expect(seen.join('')).toBe('raw-send\n');
  });

  it('close() is idempotent and later calls fail with SESSION_CLOSED', async () => {
    const s = await c.session();
    await Promise.all([s.close(), s.close()]);
    await expect(s.run('true')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    expect(() => s.send('x')).toThrow(expect.objectContaining({ code: 'SESSION_CLOSED' }) as Error);
  });
});
