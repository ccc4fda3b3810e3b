import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { tempDir, thrown, undocumentedCodes } from '@pocketdock/testkit';
import { EVENT_SCHEMAS, FLOW_MANAGER_ERROR_CODES, FLOW_MANAGER_ERROR_TYPES, FlowManager, UserActivityLogger, loadFlowManagerConfig } from '../src/index.js';
import { allowedPath } from '../src/allowed-paths.js';
import { toStatus } from '../src/records.js';
import { flowRecord } from './flow-record.js';

describe('allowedPath', () => {
  it('accepts paths under a root (the root itself too) and returns the real path', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'root/code'), { recursive: true });
    const root = join(dir.path, 'root');
    await expect(allowedPath(join(root, 'code'), [root], 'code_path')).resolves.toBe(join(root, 'code'));
    await expect(allowedPath(root, [root], 'code_path')).resolves.toBe(root);
    await expect(allowedPath(join(root, 'code/../code'), [root], 'code_path')).resolves.toBe(join(root, 'code'));
  });

  it('refuses what escapes: .., symlinks out, sibling prefixes, relative and missing paths, no roots', async () => {
    await using dir = await tempDir();
    const root = join(dir.path, 'root');
    await mkdir(join(root, 'in'), { recursive: true });
    await mkdir(join(dir.path, 'root-evil'), { recursive: true });
    await mkdir(join(dir.path, 'outside'), { recursive: true });
    await symlink(join(dir.path, 'outside'), join(root, 'link-out'));
    for (const p of [join(root, '../outside'), join(root, 'link-out'), join(dir.path, 'root-evil'), 'root/in', join(root, 'missing'), '/etc']) {
      await expect(allowedPath(p, [root], 'volumes')).rejects.toMatchObject({ code: 'FM_PATH_NOT_ALLOWED', details: { field: 'volumes' } });
    }
    await expect(allowedPath(join(root, 'in'), [], 'volumes')).rejects.toMatchObject({ code: 'FM_PATH_NOT_ALLOWED' });
  });
});

describe('UserActivityLogger', () => {
  it('emits entries, keeps the latest per container, and redacts protected values', () => {
    const log = new UserActivityLogger({ historySize: 2 });
    const seen: string[] = [];
    log.on('activity', (e) => seen.push(e.message));
    log.protect('c1', ['s3cr3t-value', 'on']);
    log.record({ container_id: 'c1', name: 'a', type: 'created', message: 'a created' });
    log.record({ container_id: 'c1', name: 'a', type: 'crashed', message: 'a crashed: s3cr3t-value leaked on stdout' });
    log.record({ container_id: 'c1', name: 'a', type: 'started', message: 'a started' });
    expect(seen[1]).toBe('a crashed: [redacted] leaked on stdout');
    expect(log.recent('c1').map((e) => e.type)).toEqual(['crashed', 'started']);
    log.forget('c1');
    expect(log.recent('c1')).toEqual([]);
  });
});

describe('status', () => {
  const base = flowRecord({ id: 'x', name: 'x', stateAsOfMs: 0 });
  it('health follows the state, the flow connection and crashes; uptime only while running', () => {
    expect(toStatus(base, true, undefined, 3_500)).toMatchObject({ health: 'healthy', uptime: 2.5, exit_code: null });
    expect(toStatus(base, false, undefined)).toMatchObject({ health: 'starting' });
    expect(toStatus({ ...base, state: 'exited', crashed: true, exitCode: 3 }, false, undefined)).toMatchObject({ health: 'unhealthy', uptime: 0, exit_code: 3 });
    expect(toStatus({ ...base, state: 'stopped', exitCode: 143 }, false, new Date(5))).toMatchObject({ health: 'none', last_communication: new Date(5).toISOString() });
  });
});

describe('event payload schemas', () => {
  it('reject unknown keys, wrong types and out-of-range values', () => {
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', extra: 1 }).success).toBe(false);
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', environment: { '1BAD': 'v' } }).success).toBe(false);
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', volumes: { 'rel/path': { bind: '/x' } } }).success).toBe(false);
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', ports: { '80': 70_000 } }).success).toBe(false);
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', name: '-bad' }).success).toBe(false);
    expect(EVENT_SCHEMAS.start_container.safeParse({}).success).toBe(false);
    expect(EVENT_SCHEMAS.send_message.safeParse({ container_id: 'a', message: 1, timeout_ms: 0 }).success).toBe(false);
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', volumes: { '/d': { bind: '/in' } }, command: 'node x.js' }).data).toMatchObject({
      volumes: { '/d': { bind: '/in', mode: 'ro' } },
    });
  });
});

describe('configuration (convict: file, then environment)', () => {
  it('reads the environment over the file, lists comma-separated', async () => {
    await using dir = await tempDir();
    const file = join(dir.path, 'fm.json');
    await writeFile(file, JSON.stringify({ port: 9000, maxContainers: 7, allowedRoots: ['/srv/a'] }));
    const o = loadFlowManagerConfig({ file, env: { FLOW_MANAGER_PORT: '9100', FLOW_MANAGER_ALLOWED_ROOTS: '/srv/x, /srv/y', FLOW_MANAGER_TOKEN: 't'.repeat(20) } });
    expect(o).toMatchObject({ port: 9100, maxContainers: 7, allowedRoots: ['/srv/x', '/srv/y'], token: 't'.repeat(20), host: '127.0.0.1' });
  });

  it('names the bad setting: unknown keys, bad values, a missing file, a short token', async () => {
    await using dir = await tempDir();
    const file = join(dir.path, 'bad.json');
    await writeFile(file, JSON.stringify({ prot: 1 }));
    expect(thrown(() => loadFlowManagerConfig({ file, env: {} }))).toMatchObject({ code: 'FM_INVALID_OPTIONS', message: expect.stringContaining('prot') });
    expect(thrown(() => loadFlowManagerConfig({ env: { FLOW_MANAGER_PORT: 'http' } }))).toMatchObject({ code: 'FM_INVALID_OPTIONS', message: expect.stringContaining('port') });
    expect(thrown(() => loadFlowManagerConfig({ file: join(dir.path, 'nope.json'), env: {} }))).toMatchObject({ code: 'FM_INVALID_OPTIONS' });
    expect(thrown(() => loadFlowManagerConfig({ env: { FLOW_MANAGER_TOKEN: 'short' } }))).toMatchObject({ code: 'FM_INVALID_OPTIONS', message: expect.stringContaining('token') });
  });
});

describe('FlowManager.start refuses to run open', () => {
  it('without a token, unless allowOpenLoopback on a loopback host (checked before touching the engine)', async () => {
    await expect(FlowManager.start({ engineSocket: '/nonexistent.sock' })).rejects.toMatchObject({ code: 'FM_NO_TOKEN' });
    await expect(FlowManager.start({ host: '0.0.0.0', allowOpenLoopback: true, engineSocket: '/nonexistent.sock' })).rejects.toMatchObject({ code: 'FM_NO_TOKEN' });
    await expect(FlowManager.start({ port: 70_000 })).rejects.toMatchObject({ code: 'FM_INVALID_OPTIONS' });
  });
});

describe('errors', () => {
  it('every code is documented in the README, with its error type', () => {
    expect(undocumentedCodes(join(__dirname, '..', 'README.md'), FLOW_MANAGER_ERROR_CODES)).toEqual([]);
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const code of FLOW_MANAGER_ERROR_CODES) expect(readme).toContain(`| \`${code}\` | ${FLOW_MANAGER_ERROR_TYPES[code]} |`);
  });
});
