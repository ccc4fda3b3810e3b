import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, thrown } from '@pocketdock/testkit';
import { createMessage } from '@pocketdock/ipc-core';
import { createLogger, createPocketdock } from '../src/index.js';
import { connectOptions, flowManagerOptions, poolOptions, sandboxOptions } from '../src/wiring.js';
import { isolated, writeTree } from './helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir[Symbol.asyncDispose]();
});

const quiet = { env: {}, files: { system: null, user: null } };

describe('createPocketdock', () => {
  it('rejects bad settings before making anything', async () => {
    await expect(createPocketdock({ ...quiet, cwd: dir.path, overrides: { sandbox: { cpuPercent: -1 } } })).rejects.toMatchObject({
      code: 'FACTORY_INVALID_SETTINGS',
      message: 'invalid settings: sandbox.cpuPercent: must be > 0 (from overrides)',
    });
  });

  it('pool(name) of a pool the settings do not have: FACTORY_UNKNOWN_POOL, with the nearest name', async () => {
    await using pd = await createPocketdock({ ...quiet, cwd: dir.path, overrides: { pools: { runners: { image: 'img' } } } });
    await expect(pd.pool('runnres')).rejects.toMatchObject({
      code: 'FACTORY_UNKNOWN_POOL',
      message: 'no pool "runnres" in the settings (pools: runners); did you mean "runners"?',
    });
  });

  it('close() is idempotent; afterwards every maker fails with FACTORY_CLOSED', async () => {
    const pd = await createPocketdock({ ...quiet, cwd: dir.path });
    const first = pd.close();
    expect(pd.close()).toBe(first);
    await first;
    await pd[Symbol.asyncDispose]();
    for (const made of [pd.engine(), pd.createContainer(), pd.pool('x'), pd.flowManager()]) await expect(made).rejects.toMatchObject({ code: 'FACTORY_CLOSED' });
    expect(thrown(() => pd.ipcServer('unix', 'ev'))).toMatchObject({ code: 'FACTORY_CLOSED' });
    expect(pd.settings.get('log.level')).toBe('info');
  });

  it('ipc servers and clients come from the ipc settings and end with close()', async () => {
    const pd = await createPocketdock({ ...quiet, cwd: dir.path, overrides: { ipc: { socketDir: dir.path } } });
    const server = pd.ipcServer('unix', 'metrics');
    await server.start();
    const client = pd.ipcClient('unix', 'metrics');
    await client.connect();
    server.send(createMessage('metrics', { n: 1 }));
    expect((await client.receive()).data).toEqual({ n: 1 });
    expect(existsSync(join(dir.path, 'metrics.sock'))).toBe(true);
    await pd.close();
    expect(existsSync(join(dir.path, 'metrics.sock'))).toBe(false);
    expect(client.isConnected()).toBe(false);
  });
});

describe('wiring settings into the libraries', () => {
  it('sandbox: settings, then the call (env and labels merge); unset keys are left to container-sdk', async () => {
    await writeTree(dir.path, {
      '.pocketdock/pocketdock.yaml': 'sandbox:\n  image: img\n  memLimit: 64m\n  env: { A: a, B: b }\n  secretEnv: { S: s }\n  labels: { team: x }\n',
    });
    const settings = isolated(dir.path);
    expect(sandboxOptions(settings, {})).toEqual({ image: 'img', memLimit: '64m', env: { A: 'a', B: 'b', S: 's' }, labels: { team: 'x' } });
    expect(sandboxOptions(settings, { memLimit: '1g', env: { B: 'B' }, labels: { other: 'y' } })).toEqual({
      image: 'img',
      memLimit: '1g',
      env: { A: 'a', B: 'B', S: 's' },
      labels: { team: 'x', other: 'y' },
    });
    expect(sandboxOptions(isolated(dir.path, { files: { project: null } }), {})).toEqual({});
  });

  it('pools: their keys, the sandbox image and container keys under their own (not the sandbox network when they have one)', () => {
    const settings = isolated(dir.path, {
      overrides: {
        sandbox: { image: 'sandbox-img', memLimit: '64m', network: 'sandbox-net', env: { A: 'a' } },
        pools: {
          plain: { minIdle: 2, container: { memLimit: '128m', env: { B: 'b' } } },
          netted: { image: 'own', network: { name: 'poolnet' }, labels: { l: 'v' } },
        },
      },
    });
    expect(poolOptions(settings, 'plain')).toEqual({
      name: 'plain',
      image: 'sandbox-img',
      minIdle: 2,
      container: { memLimit: '128m', network: 'sandbox-net', env: { A: 'a', B: 'b' } },
    });
    expect(poolOptions(settings, 'netted')).toEqual({
      name: 'netted',
      image: 'own',
      labels: { l: 'v' },
      network: { name: 'poolnet' },
      container: { memLimit: '64m', env: { A: 'a' } },
    });
  });

  it('flow-manager: its keys, the log level from log.level unless its own; engine: the socket, or detection in the same env and cwd without pocketdock files', () => {
    const settings = isolated(dir.path, { overrides: { flowManager: { port: 0, token: 'x'.repeat(16) }, log: { level: 'warn' }, engine: { timeoutMs: 9, apiVersion: '1.40' } } });
    expect(flowManagerOptions(settings)).toEqual({ port: 0, token: 'x'.repeat(16), logLevel: 'warn' });
    // The settings already hold pocketdock.yaml's socket: and $POCKETDOCK_SOCKET; engine-socket reads neither again.
    expect(connectOptions(settings, { HOME: '/h', POCKETDOCK_SOCKET: '/elsewhere.sock', DOCKER_HOST: 'unix:///d.sock' }, '/c')).toEqual({
      timeoutMs: 9,
      apiVersion: '1.40',
      configFiles: false,
      host: { env: { HOME: '/h', DOCKER_HOST: 'unix:///d.sock' }, cwd: '/c', homedir: '/h' },
    });
    const withSocket = isolated(dir.path, { env: { POCKETDOCK_SOCKET: 'rel.sock' } });
    expect(connectOptions(withSocket, {}, '/c')).toMatchObject({ socketPath: join(dir.path, 'rel.sock') });
  });

  it('flow-manager cluster: joined only when its Redis is named, from settings or FLOW_MANAGER_CLUSTER_* variables', () => {
    const noRedis = isolated(dir.path, { overrides: { flowManager: { cluster: { name: 'c1', heartbeatMs: 500 } } } });
    expect(flowManagerOptions(noRedis)).not.toHaveProperty('cluster');
    const fromEnv = isolated(dir.path, { env: { FLOW_MANAGER_CLUSTER_REDIS_URL: 'redis://127.0.0.1:6390', FLOW_MANAGER_CLUSTER_HEARTBEAT_MS: '500' } });
    expect(flowManagerOptions(fromEnv).cluster).toEqual({ redisUrl: 'redis://127.0.0.1:6390', heartbeatMs: 500 });
    expect(thrown(() => isolated(dir.path, { overrides: { flowManager: { cluster: { redisUrl: 'http://x' } } } }))).toMatchObject({ code: 'FACTORY_INVALID_SETTINGS' });
  });
});

describe('createLogger', () => {
  it('writes JSON or text lines at or above its level', () => {
    const lines: string[] = [];
    const json = createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) });
    json.info('not shown');
    json.warn('shown', { pool: 'p' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', name: 'pocketdock', msg: 'shown', pool: 'p' });
    const text = createLogger({ level: 'debug', format: 'text', write: (l) => lines.push(l) });
    text.debug('hello', { n: 1 });
    expect(lines[1]).toMatch(/^\S+ DEBUG pocketdock: hello n=1\n$/);
    createLogger({ level: 'silent', format: 'json', write: (l) => lines.push(l) }).error('never');
    expect(lines).toHaveLength(2);
  });
});
