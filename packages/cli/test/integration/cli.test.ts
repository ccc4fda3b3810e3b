import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rawRequest, tempDir, testEngines, until } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { BIN, cli } from './cli.js';
import { copyJson, createJson, infoJson, listJson, stateJson } from './schemas.js';

const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';
const unique = (engine: TestEngine, what: string): string => `pdcli-${what}-${engine.name}-${process.pid}-${Date.now().toString(36)}`;

async function forceRemove(engine: TestEngine, name: string): Promise<void> {
  await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${name}?force=true` }).catch(() => undefined);
}

describe.each(testEngines())('pocketdock CLI on $name', (engine) => {
  const name = unique(engine, 'box');
  const g = ['--socket', engine.socketPath];
  const made: string[] = [];

  beforeAll(async () => {
    const r = await cli([...g, '--json', 'create', '--name', name, '-l', `pocketdock.test-run=${RUN}`, '-e', 'GREETING=hi there']);
    made.push(name);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(createJson.parse(JSON.parse(r.stdout))).toMatchObject({ name, image: 'pocketdock/busybox:test' });
  });

  afterAll(async () => {
    for (const n of made) await forceRemove(engine, n);
  });

  it('run keeps argv exactly: no shell, no globbing, empty arguments kept', async () => {
    const r = await cli([...g, 'run', name, '--', 'printf', '%s|', 'a b', '$GREETING', '*', '', "it's"]);
    expect(r).toEqual({ status: 0, stdout: "a b|$GREETING|*||it's|", stderr: '' });
  });

  it('run with a single string runs it under sh -c', async () => {
    const r = await cli([...g, 'run', name, '--', 'echo "$GREETING" $((1+2)) | tr 3 x']);
    expect(r).toEqual({ status: 0, stdout: 'hi there x\n', stderr: '' });
  });

  it("exits with the command's status, stdout and stderr kept apart", async () => {
    const r = await cli([...g, 'run', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r).toEqual({ status: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('--timeout kills the command and exits 124', async () => {
    const started = Date.now();
    const r = await cli([...g, 'run', '--timeout', '1', name, '--', 'sleep', '60']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('timed out after 1s');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('forwards stdin when it is not a terminal: tar c . | pocketdock run C -- tar x -C /w', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'sub'));
    await writeFile(join(dir.path, 'sub', 'f.txt'), 'from the host\n');
    const archive = execFileSync('tar', ['c', '-C', dir.path, '.']);
    const x = await cli([...g, 'run', name, '--', 'sh', '-c', 'mkdir -p /w && tar x -C /w'], { input: archive });
    expect(x).toEqual({ status: 0, stdout: '', stderr: '' });
    const r = await cli([...g, 'run', name, '--', 'cat', '/w/sub/f.txt']);
    expect(r.stdout).toBe('from the host\n');
    const noStdin = await cli([...g, 'run', '--no-stdin', name, '--', 'wc', '-c'], { input: 'ignored' });
    expect(noStdin.stdout.trim()).toBe('0');
  });

  it('streams output live, before the command ends', async () => {
    const child = spawn(process.execPath, [BIN, ...g, 'run', name, '--', 'sh', '-c', 'echo first; sleep 20; echo second'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child.once('close', resolve));
    try {
      await until(() => out.includes('first'), { timeoutMs: 15_000, what: 'the first line' });
      expect(child.exitCode).toBeNull();
      expect(out).not.toContain('second');
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    expect(child.exitCode).toBe(130);
  });

  it('list and info report it, as documented JSON', async () => {
    const list = await cli([...g, '--json', 'list']);
    expect(list.status).toBe(0);
    const mine = listJson.parse(JSON.parse(list.stdout)).find((c) => c.name === name);
    expect(mine).toMatchObject({ running: true, persist: true, status: 'running', image: 'pocketdock/busybox:test' });
    const table = await cli([...g, 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+IMAGE/);
    expect(table.stdout).toContain(name);
    const info = await cli([...g, '--json', 'info', name]);
    expect(info.status).toBe(0);
    expect(infoJson.parse(JSON.parse(info.stdout))).toMatchObject({ name, status: 'running' });
  });

  it('push and pull copy files both ways', async () => {
    await using dir = await tempDir();
    const src = join(dir.path, 'in.txt');
    await writeFile(src, 'pushed\n');
    const push = await cli([...g, '--json', 'push', name, src, '/data/in.txt']);
    expect(push.status).toBe(0);
    copyJson.parse(JSON.parse(push.stdout));
    expect((await cli([...g, 'run', name, '--', 'cat', '/data/in.txt'])).stdout).toBe('pushed\n');
    const back = join(dir.path, 'back.txt');
    const pull = await cli([...g, '-q', 'pull', name, '/data/in.txt', back]);
    expect(pull).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await readFile(back, 'utf8')).toBe('pushed\n');
  });

  it("logs shows the main process's output, stdout and stderr apart", async () => {
    const logged = unique(engine, 'logs');
    made.push(logged);
    const c = await cli([...g, 'create', '--name', logged, '-l', `pocketdock.test-run=${RUN}`, '--', 'sh', '-c', 'echo one; echo two; echo oops >&2; exec sleep 1000']);
    expect(c.status).toBe(0);
    let r = await cli([...g, 'logs', logged]);
    await until(async () => (r = await cli([...g, 'logs', logged])).stdout === 'one\ntwo\n', { timeoutMs: 15_000, what: 'the logs' });
    expect(r).toEqual({ status: 0, stdout: 'one\ntwo\n', stderr: 'oops\n' });
    const tail = await cli([...g, 'logs', '--tail', '1', logged]);
    expect(tail.stdout + tail.stderr).not.toContain('one');
    const since = await cli([...g, 'logs', '--since', '1d', logged]);
    expect(since.stdout).toBe('one\ntwo\n');
  });

  it('stop, then commands say it is stopped and never start it; resume starts it again', async () => {
    const stop = await cli([...g, '--json', 'stop', name]);
    expect(stop.status).toBe(0);
    expect(stateJson.parse(JSON.parse(stop.stdout))).toEqual({ name, state: 'stopped' });
    const run = await cli([...g, 'run', name, '--', 'true']);
    expect(run.status).toBe(125);
    expect(run.stderr).toContain('error CLI_CONTAINER_STOPPED: container');
    expect(run.stderr).toContain(`hint: \`pocketdock resume ${name}\``);
    const list = listJson.parse(JSON.parse((await cli([...g, '--json', 'list'])).stdout));
    expect(list.find((c) => c.name === name)?.running).toBe(false);
    const resume = await cli([...g, 'resume', name]);
    expect(resume).toEqual({ status: 0, stdout: '', stderr: `${name}: running\n` });
    expect((await cli([...g, 'run', name, '--', 'echo', 'back'])).stdout).toBe('back\n');
  });

  it('shutdown removes it; later commands say it is not found', async () => {
    const victim = unique(engine, 'gone');
    made.push(victim);
    expect((await cli([...g, 'create', '--name', victim, '-l', `pocketdock.test-run=${RUN}`])).status).toBe(0);
    const r = await cli([...g, '--json', 'shutdown', victim]);
    expect(stateJson.parse(JSON.parse(r.stdout))).toEqual({ name: victim, state: 'removed' });
    const again = await cli([...g, 'run', victim, '--', 'true']);
    expect(again.status).toBe(125);
    expect(again.stderr).toContain('error CONTAINER_NOT_FOUND');
    expect(again.stderr).toContain('hint:');
  });
});
