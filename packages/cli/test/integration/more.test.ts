import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rawJson, rawRequest, tempDir, testEngines } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { cli } from './cli.js';
import { doctorJson, historyJson, initJson, listJson, poolJson, quickstartJson, rebootJson, snapshotJson, statusJson } from './schemas.js';

jest.setTimeout(180_000);

const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';
const unique = (engine: TestEngine, what: string): string => `pdcli-${what}-${engine.name}-${process.pid}-${Date.now().toString(36)}`;
/** The sandbox settings' labels: containers the CLI makes from settings (quickstart, doctor, run --) carry the run's. */
const SETTINGS_ENV = { POCKETDOCK_SANDBOX__LABELS: JSON.stringify({ 'pocketdock.test-run': RUN }) };

async function forceRemove(engine: TestEngine, name: string): Promise<void> {
  await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${name}?force=true` }).catch(() => undefined);
}

describe.each(testEngines())('pocketdock status, doctor, quickstart, init, lifecycle, history and pools on $name', (engine) => {
  const g = ['--socket', engine.socketPath];
  const made: string[] = [];
  const images: string[] = [];
  let state: Awaited<ReturnType<typeof tempDir>>;
  const env = (): NodeJS.ProcessEnv => ({ ...SETTINGS_ENV, XDG_STATE_HOME: state.path });

  beforeAll(async () => {
    state = await tempDir();
  });

  afterAll(async () => {
    for (const n of made) await forceRemove(engine, n);
    for (const i of images) await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/images/${i}?force=true` }).catch(() => undefined);
    await state[Symbol.asyncDispose]();
  });

  const create = async (what: string, ...extra: string[]): Promise<string> => {
    const name = unique(engine, what);
    made.push(name);
    const r = await cli([...g, 'create', '--name', name, '-l', `pocketdock.test-run=${RUN}`, ...extra]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    return name;
  };

  it('status: the engine, the containers by state, the images', async () => {
    const r = await cli([...g, '--json', 'status']);
    expect(r.status).toBe(0);
    const doc = statusJson.parse(JSON.parse(r.stdout));
    expect(doc.engine).toMatchObject({ name: engine.name, socketPath: engine.socketPath, apiVersion: '1.41' });
    expect(doc.images.some((i) => i.tags.includes('pocketdock/busybox:test'))).toBe(true);
    const table = await cli([...g, 'status']);
    expect(table.stdout).toMatch(new RegExp(`^engine +${engine.name} `));
    expect(table.stdout).toMatch(/^IMAGE +PROFILE +SIZE/m);
  });

  it('doctor: every check passes; a missing image fails with exit 1 and a hint', async () => {
    const ok = await cli([...g, '--json', 'doctor'], { env: env() });
    expect(ok.status).toBe(0);
    expect(doctorJson.parse(JSON.parse(ok.stdout)).map((c) => [c.check, c.ok])).toEqual([['settings', true], ['engine', true], ['image', true], ['sandbox', true]]);
    const bad = await cli([...g, 'doctor', '--image', 'pocketdock/nothing-here:none'], { env: env() });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^image +FAILED +pocketdock\/nothing-here:none/m);
    expect(bad.stdout).toContain('pocketdock build busybox');
    const json = doctorJson.parse(JSON.parse((await cli([...g, '--json', 'doctor', '--image', 'pocketdock/nothing-here:none'], { env: env() })).stdout));
    expect(json.at(-1)).toMatchObject({ check: 'image', ok: false });
  });

  it('quickstart: makes the sandbox once, runs a command, says what to type next', async () => {
    const name = unique(engine, 'qs');
    made.push(name);
    const first = await cli([...g, 'quickstart', '--name', name], { env: env() });
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`${name}\n`);
    expect(first.stderr).toContain(`pocketdock shell ${name}`);
    expect(first.stderr).toMatch(/ran a command in it: hello from /);
    const again = quickstartJson.parse(JSON.parse((await cli([...g, '--json', 'quickstart', '--name', name], { env: env() })).stdout));
    expect(again).toMatchObject({ name, created: false, engine: engine.name });
    expect(again.output).toMatch(/^hello from /);
  });

  it('init writes the project file the settings then read; never over one without --force', async () => {
    await using dir = await tempDir();
    const home = { HOME: dir.path, XDG_CONFIG_HOME: dir.path };
    const r = await cli(['--json', '--project', 'My App', 'init', '--mem', '128m'], { cwd: dir.path, env: home });
    expect(r.status).toBe(0);
    expect(initJson.parse(JSON.parse(r.stdout))).toEqual({ path: join(dir.path, '.pocketdock/pocketdock.yaml'), project: 'my-app', image: 'pocketdock/busybox:test' });
    expect(await readFile(join(dir.path, '.pocketdock/pocketdock.yaml'), 'utf8')).toContain('memLimit: 128m');
    const cfg = await cli(['config', 'sandbox.project'], { cwd: dir.path, env: home });
    expect(cfg.stdout).toContain(`"my-app"  ${join(dir.path, '.pocketdock/pocketdock.yaml')}`);
    const again = await cli(['init'], { cwd: dir.path, env: home });
    expect(again.status).toBe(125);
    expect(again.stderr).toContain('error CLI_FILE_EXISTS');
    expect(again.stderr).toContain('hint: add --force');
    expect((await cli(['-q', 'init', '--force'], { cwd: dir.path, env: home })).status).toBe(0);
  });

  it('reboot --fresh: a new container with the same name, image, env and labels; files gone', async () => {
    const name = await create('fresh', '-e', 'KEEP=yes', '-l', 'team=infra', '--mem', '64m');
    const inspect = async (): Promise<{ Id: string; Config: { Image: string; Env: string[]; Labels: Record<string, string> }; HostConfig: { Memory: number } }> =>
      rawJson({ socketPath: engine.socketPath, path: `/v1.41/containers/${name}/json` });
    const before = await inspect();
    expect((await cli([...g, 'run', name, '--', 'sh', '-c', 'echo gone > /file'])).status).toBe(0);
    const r = await cli([...g, '--json', 'reboot', '--fresh', name]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    const doc = rebootJson.parse(JSON.parse(r.stdout));
    const after = await inspect();
    expect(doc).toEqual({ name, id: after.Id, state: 'running' });
    expect(after.Id).not.toBe(before.Id);
    expect(after.Config.Image).toBe(before.Config.Image);
    expect([...after.Config.Env].sort()).toEqual([...before.Config.Env].sort());
    expect(after.Config.Labels).toMatchObject({ team: 'infra', 'pocketdock.test-run': RUN, 'pocketdock.managed': 'true', 'pocketdock.persist': 'true' });
    expect(after.HostConfig.Memory).toBe(64 * 1024 * 1024);
    const cat = await cli([...g, 'run', name, '--', 'sh', '-c', 'echo "$KEEP"; cat /file']);
    expect(cat.stdout).toBe('yes\n');
    expect(cat.status).not.toBe(0);
    const text = await cli([...g, 'reboot', '--fresh', name]);
    expect(text.status).toBe(0);
    expect(text.stderr).toMatch(new RegExp(`^${name}: running \\(a new container, [0-9a-f]{12}\\)\n$`));
  });

  it('reboot keeps the files; snapshot makes an image a new container sees them in', async () => {
    const name = await create('reboot');
    expect((await cli([...g, 'run', name, '--', 'sh', '-c', 'echo kept > /kept'])).status).toBe(0);
    const r = await cli([...g, '--json', 'reboot', name]);
    expect(r.status).toBe(0);
    const rebooted = rebootJson.parse(JSON.parse(r.stdout));
    expect(rebooted).toMatchObject({ name, state: 'running' });
    expect((await cli([...g, 'run', name, '--', 'cat', '/kept'])).stdout).toBe('kept\n');
    const ref = `${unique(engine, 'snap')}:v1`;
    images.push(ref);
    const s = await cli([...g, '--json', 'snapshot', name, ref]);
    expect(s.status).toBe(0);
    expect(snapshotJson.parse(JSON.parse(s.stdout))).toMatchObject({ name, image: ref });
    const child = await create('fromsnap', '--image', ref);
    expect((await cli([...g, 'run', child, '--', 'cat', '/kept'])).stdout).toBe('kept\n');
    await forceRemove(engine, child);
    const bad = await cli([...g, 'snapshot', name, 'Not A Ref']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error CLI_INVALID_ARGUMENT');
  });

  it('prune removes the stopped containers of the project only', async () => {
    const project = unique(engine, 'proj');
    const gp = [...g, '--project', project];
    const stopped = unique(engine, 'pruned');
    const running = unique(engine, 'kept');
    made.push(stopped, running);
    for (const n of [stopped, running]) expect((await cli([...gp, 'create', '--name', n, '-l', `pocketdock.test-run=${RUN}`])).status).toBe(0);
    expect((await cli([...gp, 'stop', stopped])).status).toBe(0);
    const r = await cli([...gp, '--json', 'prune']);
    expect(r.status).toBe(0);
    expect(listJson.parse(JSON.parse(r.stdout)).map((c) => c.name)).toEqual([stopped]);
    const left = listJson.parse(JSON.parse((await cli([...gp, '--json', 'list'])).stdout)).map((c) => c.name);
    expect(left).toEqual([running]);
    expect((await cli([...gp, 'prune', '--older-than', 'soon'])).status).toBe(2);
  });

  it('history: what run ran, with exit statuses; --tail, --no-history; shutdown forgets it', async () => {
    const name = await create('hist');
    expect((await cli([...g, 'run', name, '--', 'echo', 'a b'], { env: env() })).status).toBe(0);
    expect((await cli([...g, 'run', name, '--', 'sh', '-c', 'exit 3'], { env: env() })).status).toBe(3);
    expect((await cli([...g, 'run', '--no-history', name, '--', 'echo', 'secret'], { env: env() })).status).toBe(0);
    const h = historyJson.parse(JSON.parse((await cli([...g, '--json', 'history', name], { env: env() })).stdout));
    expect(h.map((e) => [e.argv, e.exitCode])).toEqual([[['echo', 'a b'], 0], [['sh', '-c', 'exit 3'], 3]]);
    const table = await cli([...g, 'history', '--tail', '1', name], { env: env() });
    expect(table.stdout).toMatch(/^TIME +EXIT +DURATION +COMMAND\n.+ 3 +\d+ ms +sh -c 'exit 3'\n$/);
    expect((await cli([...g, 'shutdown', name], { env: env() })).status).toBe(0);
    expect(await readdir(join(state.path, 'pocketdock/history'))).toEqual([]);
  });

  it('pool ls and pool prune: the containers of a pool, by label', async () => {
    const pool = unique(engine, 'pool');
    const member = await create('member', '-l', `pocketdock.pool=${pool}`);
    const ls = await cli([...g, '--json', 'pool', 'ls', pool]);
    expect(ls.status).toBe(0);
    expect(poolJson.parse(JSON.parse(ls.stdout))).toMatchObject([{ name: member, pool, running: true }]);
    expect((await cli([...g, 'pool', 'ls'])).stdout).toMatch(/^POOL +NAME +STATUS/);
    const stoppedOnly = poolJson.parse(JSON.parse((await cli([...g, '--json', 'pool', 'prune', pool, '--stopped'])).stdout));
    expect(stoppedOnly).toEqual([]);
    const pruned = poolJson.parse(JSON.parse((await cli([...g, '--json', 'pool', 'prune', pool])).stdout));
    expect(pruned.map((c) => c.name)).toEqual([member]);
    expect(JSON.parse((await cli([...g, '--json', 'pool', 'ls', pool])).stdout)).toEqual([]);
  });
});
