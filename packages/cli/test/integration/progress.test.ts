import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rawRequest, tempDir, testEngines } from '@pocketdock/testkit';
import { BIN, TEST_STATE_HOME, cli } from './cli.js';
import { Tmux } from './tmux.js';

jest.setTimeout(120_000);

const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';
/** A terminal's environment: yocto-spinner draws nothing when CI is set (CI logs are no terminal). */
function terminalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { CI: _ci, ...env } = process.env;
  return { ...env, XDG_STATE_HOME: TEST_STATE_HOME, ...extra };
}
/** What cli-progress draws: `[████░░░░] 42% | 1.0 MiB / 2.0 MiB`. */
const BAR = /\[[█░]+\] \d+% \| [\d.]+ [KM]iB \/ [\d.]+ [KM]iB/;

// Progress bars (push, pull) and spinners (waits over 300 ms): on a terminal only, never into a pipe.
describe.each(testEngines())('pocketdock progress bars and spinners on $name', (engine) => {
  const name = `pdcli-bar-${engine.name}-${process.pid}-${Date.now().toString(36)}`;
  const g = ['--socket', engine.socketPath];
  const bin = `node ${BIN} --socket ${engine.socketPath}`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let blob: string;

  beforeAll(async () => {
    dir = await tempDir();
    blob = join(dir.path, 'blob');
    await writeFile(blob, randomBytes(24 * 1024 * 1024));
    // its main process ignores SIGTERM: a stop waits out its grace period, long enough for a spinner
    const r = await cli([...g, 'create', '--name', name, '-l', `pocketdock.test-run=${RUN}`, '--', 'sh', '-c', 'trap "" TERM; sleep 1000000']);
    expect(r.status).toBe(0);
  });

  afterAll(async () => {
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${name}?force=true` }).catch(() => undefined);
    await dir[Symbol.asyncDispose]();
  });

  it('push and pull draw a bar with bytes, rate and ETA on a terminal, and exit 0', async () => {
    await using t = await Tmux.start(160, 30, terminalEnv({ NO_COLOR: '1' }));
    await t.type(`${bin} push ${name} ${blob} /tmp/blob; echo "PUSH=$?"`);
    const pushed = await t.waitFor(/^PUSH=\d+\s*$/m, 'the push to end');
    expect(pushed).toMatch(/^PUSH=0\s*$/m);
    expect(pushed).toMatch(new RegExp(`^push ${name}:/tmp/blob ${BAR.source} \\| [\\d.]+ [KM]iB/s \\| ETA`, 'm'));
    expect(pushed).toMatch(/\] 100% \| 24\.0 MiB \/ 24\.0 MiB/);
    await t.type(`${bin} pull ${name} /tmp/blob ${join(dir.path, 'back')}; echo "PULL=$?"`);
    const pulled = await t.waitFor(/^PULL=\d+\s*$/m, 'the pull to end');
    expect(pulled).toMatch(/^PULL=0\s*$/m);
    expect(pulled).toMatch(new RegExp(`^pull ${name}:/tmp/blob ${BAR.source}`, 'm'));
    // --quiet and --json: no bar on the terminal either
    await t.type('clear');
    await t.type(`${bin} -q push ${name} ${blob} /tmp/blob2; ${bin} --json pull ${name} /tmp/blob2 ${join(dir.path, 'back2')} >/dev/null; echo "QUIET=$?"`);
    const quiet = await t.waitFor(/^QUIET=\d+\s*$/m, 'the quiet copies to end');
    expect(quiet).toMatch(/^QUIET=0\s*$/m);
    expect(quiet).not.toMatch(/\d+% \|/);
  });

  it('into a pipe: no bar bytes on stderr, only the line that says what was copied', async () => {
    const push = await cli([...g, 'push', name, blob, '/tmp/piped']);
    expect(push.status).toBe(0);
    expect(push.stderr).toMatch(new RegExp(`^${blob} -> ${name}:/tmp/piped \\(\\d+ ms\\)\\n$`));
    const pull = await cli([...g, 'pull', name, '/tmp/piped', join(dir.path, 'piped')]);
    expect(pull.status).toBe(0);
    expect(pull.stderr).toMatch(new RegExp(`^${name}:/tmp/piped -> .*piped \\(\\d+ ms\\)\\n$`));
  });

  it('a wait over 300 ms spins on a terminal (no colour with NO_COLOR), is cleared after, and never spins into a pipe', async () => {
    await using t = await Tmux.start(120, 30, terminalEnv({ NO_COLOR: '1' }));
    await t.type(`${bin} stop --timeout 4 ${name}; echo "STOP=$?"`);
    await t.waitFor(new RegExp(`^\\S stopping ${name}\\s*$`, 'm'), 'the spinner');
    const spinning = await t.screen(true);
    expect(spinning.split('\n').find((l) => l.includes(`stopping ${name}`))).not.toMatch(/\u001b\[3\dm/);
    const after = await t.waitFor(/^STOP=\d+\s*$/m, 'the stop to end');
    expect(after).toMatch(/^STOP=0\s*$/m);
    expect(after).toContain(`${name}: stopped`);
    expect(after).not.toMatch(new RegExp(`stopping ${name}`)); // the spinner's line was cleared
    await t.type(`${bin} resume ${name}; echo "RESUME=$?"`);
    await t.waitFor(/^RESUME=0\s*$/m, 'the resume');
    // the same wait into a pipe: the message only
    const piped = await cli([...g, 'stop', '--timeout', '4', name]);
    expect(piped).toEqual({ status: 0, stdout: '', stderr: `${name}: stopped\n` });
    expect((await cli([...g, 'resume', name])).status).toBe(0);
  });

  it('Ctrl-C while it spins: exit 130 and the cursor shown again', async () => {
    await using t = await Tmux.start(120, 30, terminalEnv());
    await t.type(`${bin} stop --timeout 30 ${name}; echo "INT=$?"`);
    await t.waitFor(new RegExp(`^\\S stopping ${name}\\s*$`, 'm'), 'the spinner');
    await t.send('C-c');
    await t.waitFor(/^INT=\d+\s*$/m, 'the command to end');
    expect(await t.screen()).toMatch(/^INT=130\s*$/m);
    expect(await t.cursorVisible()).toBe(true);
  });
});
