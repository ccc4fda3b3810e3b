import { rawRequest, testEngines } from '@pocketdock/testkit';
import { BIN, TEST_STATE_HOME, cli } from './cli.js';
import { Tmux } from './tmux.js';

const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';

// `shell` and `run -it` in a real terminal (tmux): keys typed, the screen read back.
describe.each(testEngines())('pocketdock shell and run -it in a terminal on $name', (engine) => {
  const name = `pdcli-tty-${engine.name}-${process.pid}-${Date.now().toString(36)}`;
  const bin = `node ${BIN} --socket ${engine.socketPath}`;

  beforeAll(async () => {
    const r = await cli(['--socket', engine.socketPath, 'create', '--name', name, '-l', `pocketdock.test-run=${RUN}`]);
    expect(r.status).toBe(0);
  });

  afterAll(async () => {
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${name}?force=true` }).catch(() => undefined);
  });

  it('shell: runs commands, follows resizes, Ctrl-C reaches the container, exit returns the status, terminal sane after', async () => {
    await using t = await Tmux.start(100, 30, { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: TEST_STATE_HOME });
    await t.type(`${bin} shell ${name}; echo "EXIT=$?"`);
    await t.waitFor(/^\/ #\s*$/m, 'the container prompt');
    await t.type('echo "six times seven is $((6*7))"');
    await t.waitFor(/six times seven is 42/, 'the command output');
    await t.type('stty size');
    await t.waitFor(/^30 100\s*$/m, 'the first size');
    await t.resize(120, 40);
    await t.type('stty size');
    await t.waitFor(/^40 120\s*$/m, 'the size after the resize');
    await t.type('sleep 300; echo sleep-ended-$?');
    await t.waitFor(/sleep 300; echo sleep-ended-\$\?\s*$/m, 'the sleep to start');
    await t.send('C-c');
    await t.type('echo "after interrupt"');
    await t.waitFor(/^after interrupt\s*$/m, 'the shell to answer after Ctrl-C');
    expect(await t.screen()).not.toMatch(/^sleep-ended-0/m);
    await t.type('exit 3');
    await t.waitFor(/^EXIT=3\s*$/m, 'the exit status on the host');
    await t.type('stty -a | tr " " "\\n" | grep -x -e icanon -e echo -e -icanon -e -echo | tr "\\n" ,; echo');
    await t.waitFor(/^icanon,echo,\s*$/m, 'a sane terminal (icanon and echo back on)');
  });

  it('run -it: an interactive command gets the keys and its status is returned', async () => {
    await using t = await Tmux.start(80, 24, { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: TEST_STATE_HOME });
    await t.type(`${bin} run -it ${name} -- sh -c 'printf "name? "; read x; echo "got:$x"; exit 4'; echo "EXIT=$?"`);
    await t.waitFor(/name\?\s*$/m, 'the question');
    await t.type('pocket');
    await t.waitFor(/^got:pocket\s*$/m, 'the answer');
    await t.waitFor(/^EXIT=4\s*$/m, 'the exit status');
  });

  it('run -t without -i: the command gets a terminal, this one stays cooked', async () => {
    await using t = await Tmux.start(80, 24, { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: TEST_STATE_HOME });
    await t.type(`${bin} run -t ${name} -- sh -c 'test -t 1 && echo "on a tty"'; echo "EXIT=$?"`);
    await t.waitFor(/^on a tty\s*$/m, 'the output');
    await t.waitFor(/^EXIT=0\s*$/m, 'the exit status');
  });

  it('shell without a terminal fails with CLI_NOT_A_TTY', async () => {
    const r = await cli(['--socket', engine.socketPath, 'shell', name]);
    expect(r.status).toBe(125);
    expect(r.stderr).toContain('error CLI_NOT_A_TTY');
  });
});
