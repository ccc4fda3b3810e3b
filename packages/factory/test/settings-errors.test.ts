import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { tempDir, thrown } from '@pocketdock/testkit';
import { FactoryError, createLogger, loadSettings } from '../src/index.js';
import { isolated, writeTree } from './helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir[Symbol.asyncDispose]();
});

const SECRET = 'sup3r-secret-token-value';
const invalid = (fn: () => unknown): FactoryError => {
  const err = thrown(fn);
  expect(FactoryError.is(err)).toBe(true);
  expect(err).toMatchObject({ code: 'FACTORY_INVALID_SETTINGS' });
  return err as FactoryError;
};

describe('bad settings: FACTORY_INVALID_SETTINGS naming the key and its layer', () => {
  it('a bad value, with the file it came from', async () => {
    const user = join(dir.path, 'xdg/pocketdock/settings.yaml');
    await writeTree(dir.path, { 'xdg/pocketdock/settings.yaml': 'pools:\n  runners:\n    image: img\n    minIdle: -1\n' });
    const err = invalid(() => isolated(dir.path, { env: { XDG_CONFIG_HOME: join(dir.path, 'xdg') }, files: { user: undefined } }));
    expect(err.message).toBe(`invalid settings: pools.runners.minIdle: must be >= 0 (from ${user})`);
    expect(err.issues).toEqual([{ key: 'pools.runners.minIdle', message: 'must be >= 0', source: user }]);
  });

  it('engine.apiVersion: only what engine-socket speaks; a number from YAML is refused (1.4 is not 1.40)', async () => {
    expect(isolated(dir.path, { env: { POCKETDOCK_ENGINE__API_VERSION: '1.40' } }).get('engine.apiVersion')).toBe('1.40');
    expect(invalid(() => isolated(dir.path, { env: { POCKETDOCK_ENGINE__API_VERSION: '1.39' } })).message).toBe(
      'invalid settings: engine.apiVersion: must be between 1.40 and 1.41 (from env POCKETDOCK_ENGINE__API_VERSION)',
    );
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': 'engine:\n  apiVersion: 1.40\n' });
    expect(invalid(() => isolated(dir.path)).issues[0]).toMatchObject({ key: 'engine.apiVersion', message: expect.stringContaining('quote it') as unknown });
  });

  it('unknown keys, with the nearest real one', async () => {
    await writeTree(dir.path, { 's.toml': '[sandbox]\nmemLimt = "1g"\n[ipc]\nsockteDir = "/x"\n[sandbx]\nuser = "u"\n', 'p.json': '{"memLimit": "1g"}' });
    const err = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 's.toml') } }));
    expect(err.issues.map((i) => `${i.key}: ${i.message}`)).toEqual([
      'sandbox.memLimt: unknown key; did you mean sandbox.memLimit?',
      'ipc.sockteDir: unknown key; did you mean ipc.socketDir?',
      'sandbx: unknown key; did you mean sandbox?',
    ]);
    const elsewhere = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 'p.json') } }));
    expect(elsewhere.issues[0]).toMatchObject({ key: 'memLimit', message: 'unknown key; did you mean sandbox.memLimit or pools.<name>.container.memLimit?' });
  });

  it('environment variables: the variable is the source; near misses are named', () => {
    const err = invalid(() =>
      isolated(dir.path, {
        env: {
          POCKETDOCK_SANDBOX__MEM_LIMT: '1g',
          POCKETDOCK_SANDBOX_CPU_PERCENT: '50',
          POCKETDOCK_IPC_TCP_PORT_RANGE_START: '70000',
          POCKETDOCK_SANDBOX__PERSIST: 'maybe',
          POCKETDOCK_SANDBOX__CPU_PERCENT: 'half',
        },
      }),
    );
    expect(err.issues).toEqual([
      { key: 'ipc.tcp.portRangeStart', message: 'must be <= 65535', source: 'env POCKETDOCK_IPC_TCP_PORT_RANGE_START' },
      { message: 'not a settings variable; did you mean POCKETDOCK_SANDBOX__CPU_PERCENT?', source: 'env POCKETDOCK_SANDBOX_CPU_PERCENT' },
      { key: 'sandbox.cpuPercent', message: 'must be a number', source: 'env POCKETDOCK_SANDBOX__CPU_PERCENT' },
      { message: 'unknown setting; did you mean POCKETDOCK_SANDBOX__MEM_LIMIT?', source: 'env POCKETDOCK_SANDBOX__MEM_LIMT' },
      { key: 'sandbox.persist', message: 'must be true or false', source: 'env POCKETDOCK_SANDBOX__PERSIST' },
    ]);
  });

  it('rules across keys name the layer of the key they name', async () => {
    await writeTree(dir.path, { 's.yaml': 'pools:\n  a: { image: i, maxSize: 2 }\n  b: {}\nipc:\n  tcp: { portRangeStart: 48000 }\n' });
    const err = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 's.yaml') }, env: { POCKETDOCK_POOLS__A__MIN_IDLE: '3' } }));
    expect(err.issues).toEqual([
      { key: 'ipc.tcp.portRangeStart', message: 'must be <= ipc.tcp.portRangeEnd (47899)', source: join(dir.path, 's.yaml') },
      { key: 'pools.a.minIdle', message: 'must be <= maxSize (2)', source: 'env POCKETDOCK_POOLS__A__MIN_IDLE' },
      { key: 'pools.b.image', message: 'required: set it, or sandbox.image', source: join(dir.path, 's.yaml') },
    ]);
  });

  it('a missing, unreadable, unparsable or ambiguous file', async () => {
    const missing = join(dir.path, 'none.yaml');
    expect(invalid(() => isolated(dir.path, { files: { settings: missing } })).message).toBe(`invalid settings: the settings file does not exist (from ${missing})`);
    await writeTree(dir.path, {
      'bad.json': '{ "flowManager": { "token": "' + SECRET + '" x',
      'bad.yaml': `flowManager:\n  token: "${SECRET}\nb: [1,\n`,
      'bad.toml': `[flowManager]\ntoken = "${SECRET}\n`,
      'list.yaml': '- a\n',
      'x.ini': 'a=1',
      'xdg/pocketdock/settings.toml': '',
      'xdg/pocketdock/settings.json': '{}',
    });
    for (const [name, message] of [
      ['bad.json', 'not valid JSON at line 1, column 56'],
      ['bad.yaml', 'not valid YAML: Missing closing "quote at line 4, column 1'],
      ['bad.toml', 'not valid TOML at line 2, column'],
      ['list.yaml', 'must hold a mapping of settings at its top level'],
      ['x.ini', 'unsupported file type ".ini": use .yaml, .yml, .json or .toml'],
    ]) {
      const err = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, name!) } }));
      expect(err.message).toContain(message);
      expect(err.message).toContain(join(dir.path, name!));
      expect(err.message).not.toContain(SECRET);
    }
    const both = invalid(() => isolated(dir.path, { env: { XDG_CONFIG_HOME: join(dir.path, 'xdg') }, files: { user: undefined } }));
    expect(both.message).toContain('more than one settings file (settings.toml, settings.json): keep one');
    if (process.getuid?.() !== 0) {
      await writeFile(join(dir.path, 'locked.yaml'), 'a: 1');
      await chmod(join(dir.path, 'locked.yaml'), 0o000);
      expect(invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 'locked.yaml') } })).message).toContain('cannot read the settings file (EACCES)');
    }
    await writeTree(dir.path, { 'adir.yaml/x': '' });
    expect(invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 'adir.yaml') } })).message).toContain('cannot read the settings file (EISDIR)');
  });

  it('a mistake in an inactive environment section fails too, naming the section', async () => {
    await writeTree(dir.path, { 's.yaml': 'production:\n  sandbox:\n    cpuPercent: 0\n' });
    const err = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 's.yaml') } }));
    expect(err.message).toBe(`invalid settings: sandbox.cpuPercent: must be > 0 (from ${join(dir.path, 's.yaml')} [production])`);
  });
});

describe('secrets', () => {
  const secrets = {
    POCKETDOCK_FLOW_MANAGER__TOKEN: SECRET,
    POCKETDOCK_SANDBOX__SECRET_ENV__API_KEY: `${SECRET}-2`,
    POCKETDOCK_POOLS__P__CONTAINER__SECRET_ENV__DB: `${SECRET}-3`,
    POCKETDOCK_POOLS__P__IMAGE: 'img',
  };

  it('never appear in explain(), explainText(), JSON or inspect; get() gives the real value', () => {
    const settings = isolated(dir.path, { env: secrets });
    const rows = settings.explain();
    expect(rows.find((r) => r.key === 'flowManager.token')).toMatchObject({ value: '[redacted]', source: 'env POCKETDOCK_FLOW_MANAGER__TOKEN' });
    expect(rows.find((r) => r.key === 'sandbox.secretEnv.API_KEY')).toMatchObject({ value: '[redacted]' });
    for (const shown of [JSON.stringify(rows), settings.explainText(), JSON.stringify(settings), inspect(settings, { depth: 10 })]) {
      expect(shown).not.toContain(SECRET);
    }
    expect(JSON.stringify(settings)).toContain('"token":"[redacted]"');
    expect(settings.get('flowManager.token')).toBe(SECRET);
    expect(settings.get('pools.p.container.secretEnv')).toEqual({ DB: `${SECRET}-3` });
  });

  it('never appear in errors, even when the secret itself is the bad value', async () => {
    await writeTree(dir.path, { 's.yaml': 'flowManager:\n  token: short-secret\nsandbox:\n  secretEnv:\n    K: 12345\n' });
    const err = invalid(() => isolated(dir.path, { files: { settings: join(dir.path, 's.yaml') }, env: { FLOW_MANAGER_TOKEN: 'tiny-secret' } }));
    expect(err.message).not.toMatch(/short-secret|tiny-secret|12345/);
    expect(err.issues.map((i) => i.key)).toEqual(['flowManager.token', 'sandbox.secretEnv.K', 'flowManager.token']);
  });

  it('never appear in the log', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    const settings = loadSettings({ env: secrets, cwd: dir.path, files: { system: null, user: null } });
    log.debug('loaded', { files: settings.files, environment: settings.environment });
    expect(lines.join('')).not.toContain(SECRET);
  });
});
