import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { isolated, writeTree } from './helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir[Symbol.asyncDispose]();
});

describe('layers', () => {
  it('each layer beats the one below: default < system < user < project < settings file < env < overrides', async () => {
    const root = await writeTree(dir.path, {
      'etc/settings.yaml': 'sandbox:\n  cpuPercent: 10\n  user: system\n',
      'xdg/pocketdock/settings.toml': '[sandbox]\ncpuPercent = 20\nworkdir = "/from-user"\n',
      'proj/.pocketdock/pocketdock.yaml': 'sandbox:\n  cpuPercent: 30\n  network: from-project\n',
      'explicit.json': JSON.stringify({ sandbox: { cpuPercent: 40, project: 'from-file' } }),
    });
    const cwd = join(root, 'proj/deep/er');
    const files = { system: join(root, 'etc/settings.yaml'), user: undefined };
    const env = { XDG_CONFIG_HOME: join(root, 'xdg'), POCKETDOCK_SETTINGS_FILE: join(root, 'explicit.json'), POCKETDOCK_SANDBOX__CPU_PERCENT: '50' };
    const all = isolated(cwd, { env, files, overrides: { sandbox: { cpuPercent: 60 } } });
    expect(all.sandbox).toMatchObject({ cpuPercent: 60, user: 'system', workdir: '/from-user', network: 'from-project', project: 'from-file' });
    expect(all.ipc.socketDir).toBe('/tmp/pocketdock'); // the default layer
    expect(isolated(cwd, { env, files }).get('sandbox.cpuPercent')).toBe(50);
    expect(isolated(cwd, { env: { ...env, POCKETDOCK_SANDBOX__CPU_PERCENT: undefined }, files }).get('sandbox.cpuPercent')).toBe(40);
    expect(isolated(cwd, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, files }).get('sandbox.cpuPercent')).toBe(30);
    expect(isolated(cwd, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, files: { ...files, project: null } }).get('sandbox.cpuPercent')).toBe(20);
    expect(isolated(cwd, { files: { ...files, project: null } }).get('sandbox.cpuPercent')).toBe(10);
    expect(isolated(cwd, { files: { project: null } }).get('sandbox.cpuPercent')).toBeUndefined();
    expect(all.files).toEqual([files.system, join(root, 'xdg/pocketdock/settings.toml'), join(root, 'proj/.pocketdock/pocketdock.yaml'), env.POCKETDOCK_SETTINGS_FILE]);
  });

  it('explain() says where every key came from, and what it replaced', async () => {
    const root = await writeTree(dir.path, {
      'u/settings.yaml': 'sandbox:\n  memLimit: 128m\n',
      'p/.pocketdock/pocketdock.yaml': 'sandbox:\n  memLimit: 256m\n',
    });
    const settings = isolated(join(root, 'p'), {
      files: { user: join(root, 'u/settings.yaml') },
      env: { POCKETDOCK_SANDBOX__MEM_LIMIT: '512m', POCKETDOCK_IPC_SOCKET_DIR: '/run/ipc' },
    });
    const rows = new Map(settings.explain().map((r) => [r.key, r]));
    expect(rows.get('sandbox.memLimit')).toEqual({
      key: 'sandbox.memLimit',
      value: '512m',
      source: 'env POCKETDOCK_SANDBOX__MEM_LIMIT',
      layer: 'env',
      overrode: [
        { value: '128m', source: join(root, 'u/settings.yaml') },
        { value: '256m', source: join(root, 'p/.pocketdock/pocketdock.yaml') },
      ],
    });
    expect(rows.get('ipc.socketDir')).toMatchObject({ value: '/run/ipc', source: 'env POCKETDOCK_IPC_SOCKET_DIR', overrode: [{ value: '/tmp/pocketdock', source: 'default' }] });
    expect(rows.get('ipc.timezone')).toMatchObject({ value: 'UTC', source: 'default', layer: 'default' });
    expect(rows.get('sandbox.pidsLimit')).toMatchObject({ value: 1024, source: 'default', layer: 'default', library: 'container-sdk' });
    expect(rows.get('sandbox.workdir')).toMatchObject({ value: undefined, source: "container-sdk's default: the image's", layer: 'library' });
    expect(rows.get('flowManager.logLevel')).toMatchObject({ value: 'info', source: 'as log.level' });
    expect(settings.explainText()).toMatch(/^sandbox\.memLimit\s+= "512m"\s+env POCKETDOCK_SANDBOX__MEM_LIMIT$/m);
  });

  it('reads YAML, JSON and TOML alike', async () => {
    const want = { memLimit: '64m', env: { A: '1' }, labels: { team: 'x' } };
    const texts = {
      'a.yaml': 'sandbox:\n  memLimit: 64m\n  env: { A: "1" }\n  labels:\n    team: x\n',
      'a.yml': 'sandbox: { memLimit: 64m, env: { A: "1" }, labels: { team: x } }\n',
      'a.json': JSON.stringify({ sandbox: want }),
      'a.toml': '[sandbox]\nmemLimit = "64m"\n[sandbox.env]\nA = "1"\n[sandbox.labels]\nteam = "x"\n',
    };
    await writeTree(dir.path, texts);
    for (const name of Object.keys(texts)) {
      expect(isolated(dir.path, { files: { settings: join(dir.path, name) } }).sandbox).toEqual(want);
    }
  });

  it('named environments: [default], then the POCKETDOCK_ENV section (development when unset), then [global]', async () => {
    await writeTree(dir.path, {
      's.toml': [
        '[sandbox]\nuser = "flat"\ncpuPercent = 1',
        '[default.sandbox]\ncpuPercent = 2\nnetwork = "default-net"',
        '[development.sandbox]\ncpuPercent = 3',
        '[production.sandbox]\ncpuPercent = 4\nmemLimit = "1g"',
        '[global.sandbox]\nworkdir = "/global"',
      ].join('\n'),
    });
    const load = (env: Record<string, string>) => isolated(dir.path, { env, files: { settings: join(dir.path, 's.toml') } });
    expect(load({}).sandbox).toEqual({ user: 'flat', cpuPercent: 3, network: 'default-net', workdir: '/global' });
    expect(load({}).environment).toBe('development');
    const prod = load({ POCKETDOCK_ENV: 'PRODUCTION' });
    expect(prod.sandbox).toEqual({ user: 'flat', cpuPercent: 4, network: 'default-net', memLimit: '1g', workdir: '/global' });
    expect(prod.explain().find((r) => r.key === 'sandbox.cpuPercent')).toMatchObject({ source: `${join(dir.path, 's.toml')} [production]` });
    expect(load({ POCKETDOCK_ENV: 'staging' }).get('sandbox.cpuPercent')).toBe(2);
  });

  it('POCKETDOCK_* with __ for nesting: numbers, booleans, lists and JSON, pools by name, map entries', async () => {
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': 'pools:\n  build-runners:\n    image: img\n' });
    const settings = isolated(dir.path, {
      env: {
        POCKETDOCK_POOLS__RUNNERS__MIN_IDLE: '4',
        POCKETDOCK_POOLS__RUNNERS__IMAGE: 'busybox',
        POCKETDOCK_POOLS__RUNNERS__COMMAND: 'sleep 1000',
        POCKETDOCK_POOLS__BUILD_RUNNERS__NETWORK__NAME: 'build',
        POCKETDOCK_SANDBOX__PERSIST: 'true',
        POCKETDOCK_SANDBOX__ENV: '{"A":"from-json","B":"b"}',
        POCKETDOCK_SANDBOX__ENV__A: 'from-var',
        POCKETDOCK_SANDBOX__ENV__lower_case: 'kept',
        POCKETDOCK_FLOW_MANAGER__ALLOWED_ROOTS: '/srv/a, /srv/b',
        POCKETDOCK_FLOW_MANAGER__ALLOWED_ORIGINS: '["https://a.example"]',
        POCKETDOCK_TEST_RUN: 'another tool\u2019s variable',
        POCKETDOCK_IPC__TCP__PORT_RANGE_START: '6000',
        POCKETDOCK_IPC__TCP__PORT_RANGE_END: '6010',
        POCKETDOCK_SANDBOX__USER: '',
      },
    });
    expect(settings.pools['runners']).toEqual({ minIdle: 4, image: 'busybox', command: ['sleep', '1000'] });
    expect(settings.pools['build-runners']).toEqual({ image: 'img', network: { name: 'build' } });
    expect(settings.sandbox).toEqual({ persist: true, env: { A: 'from-var', B: 'b', lower_case: 'kept' } });
    expect(settings.flowManager).toMatchObject({ allowedRoots: ['/srv/a', '/srv/b'], allowedOrigins: ['https://a.example'] });
    expect(settings.get('ipc.tcp')).toMatchObject({ portRangeStart: 6000, portRangeEnd: 6010 });
    expect(settings.get('pools.runners.minIdle')).toBe(4);
    // get() is typed by key.
    const minIdle: number | undefined = settings.get('pools.runners.minIdle');
    const memLimit: string | number | undefined = settings.get('sandbox.memLimit');
    const level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = settings.get('log.level');
    // @ts-expect-error not a key
    settings.get('sandbox.memLimt');
    // @ts-expect-error a number, not a string
    const wrong: string = settings.get('ipc.bufferSize');
    expect([minIdle, memLimit, level, wrong]).toEqual([4, undefined, 'info', 1048576]);
  });

  it('keeps the documented variables: POCKETDOCK_IPC_*, POCKETDOCK_SOCKET, FLOW_MANAGER_*; the __ name wins over an alias', () => {
    const settings = isolated(dir.path, {
      env: {
        POCKETDOCK_IPC_SOCKET_DIR: '/old',
        POCKETDOCK_IPC__SOCKET_DIR: '/new',
        POCKETDOCK_IPC_UNIX_MAX_CONNECTIONS: '7',
        POCKETDOCK_SOCKET: 'unix:///run/x.sock',
        FLOW_MANAGER_PORT: '0',
        FLOW_MANAGER_ALLOWED_ROOTS: '/a,/b',
        FLOW_MANAGER_LOG_LEVEL: 'debug',
      },
    });
    expect(settings.ipc.socketDir).toBe('/new');
    expect(settings.ipc.unix.maxConnections).toBe(7);
    expect(settings.engine.socket).toBe('/run/x.sock');
    expect(settings.flowManager).toMatchObject({ port: 0, allowedRoots: ['/a', '/b'], logLevel: 'debug' });
  });

  it("reads engine-socket's project files: socket: is engine.socket, relative to the file; plain pocketdock.yaml, ~/.pocketdock below", async () => {
    const root = await writeTree(dir.path, {
      'home/.pocketdock/pocketdock.yaml': 'socket: /home.sock\nsandbox:\n  user: home\n  workdir: /home\n',
      'home/proj/pocketdock.yaml': 'socket: ./run/engine.sock\nsandbox:\n  user: project\n',
      'home/proj/.pocketdock/pocketdock.yaml': 'sandbox:\n  workdir: /dot\n',
      'home/other/sub/.keep': '',
    });
    const home = { HOME: join(root, 'home') };
    const proj = isolated(join(root, 'home/proj'), { env: home });
    // In one directory .pocketdock/pocketdock.yaml wins over pocketdock.yaml (engine-socket's rule).
    expect(proj.sandbox).toEqual({ user: 'home', workdir: '/dot' });
    expect(proj.engine.socket).toBe('/home.sock');
    const plain = isolated(join(root, 'home/proj'), { env: home, files: { project: join(root, 'home/proj/pocketdock.yaml') } });
    expect(plain.engine.socket).toBe(join(root, 'home/proj/run/engine.sock'));
    expect(isolated(join(root, 'home/other/sub'), { env: home }).sandbox).toEqual({ user: 'home', workdir: '/home' });
  });

  it('deep-merges mappings across layers, replaces lists, and freezes the result', async () => {
    await writeTree(dir.path, { 's.yaml': 'sandbox:\n  env: { A: a, B: b }\nflowManager:\n  allowedRoots: [/x, /y]\n' });
    const settings = isolated(dir.path, {
      files: { settings: join(dir.path, 's.yaml') },
      overrides: { sandbox: { env: { B: 'B' } }, flowManager: { allowedRoots: ['/z'] } },
    });
    expect(settings.sandbox.env).toEqual({ A: 'a', B: 'B' });
    expect(settings.flowManager.allowedRoots).toEqual(['/z']);
    expect(Object.isFrozen(settings.values.sandbox.env)).toBe(true);
    expect(() => {
      (settings.values.sandbox as { user?: string }).user = 'x';
    }).toThrow(TypeError);
  });
});
