import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, undocumentedCodes, thrown } from '@pocketdock/testkit';
import { createMessage } from '@pocketdock/ipc-core';
import type { SocketClient, SocketServer } from '@pocketdock/ipc-core';
import { TcpSocketServer } from '@pocketdock/ipc-tcp';
import { UnixSocketClient, UnixSocketServer } from '@pocketdock/ipc-unix';
import { FACTORY_ERROR_CODES, SocketType, createClient, createServer, loadSettings } from '../src/index.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let servers: SocketServer[] = [];
let clients: SocketClient[] = [];
beforeEach(async () => {
  dir = await tempDir();
  servers = [];
  clients = [];
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await Promise.all(servers.map((s) => s.stop()));
  await dir[Symbol.asyncDispose]();
});

// The options of the first loadSettings (settingsFile, userFile) still work; no system or project file here.
const load = (env: NodeJS.ProcessEnv = {}, files: { settingsFile?: string; userFile?: string | null } = {}) =>
  loadSettings({ env, userFile: null, cwd: dir.path, files: { system: null }, ...files });

describe('loadSettings', () => {
  it('starts from the libraries\u2019 defaults', () => {
    const settings = load();
    expect(settings.ipc).toMatchObject({
      socketDir: '/tmp/pocketdock',
      timezone: 'UTC',
      unix: { socketPermissions: '0600', maxConnections: 100, autoRemoveSocket: true },
      tcp: { host: '127.0.0.1' },
    });
  });

  it('layers defaults < user file < settings file < environment (the named file now beats the user\u2019s)', async () => {
    const settingsFile = join(dir.path, 'settings.json');
    const userFile = join(dir.path, 'user.json');
    await writeFile(settingsFile, JSON.stringify({ ipc: { socketDir: '/from/settings', messageQueueSize: 5, tcp: { portRangeStart: 6000, portRangeEnd: 6010 } } }));
    await writeFile(userFile, JSON.stringify({ ipc: { socketDir: '/from/user', timezone: 'Europe/Berlin' } }));
    const settings = load({ POCKETDOCK_IPC_SOCKET_DIR: '/from/env', POCKETDOCK_IPC_ALLOW_CLIENT_SEND: 'false' }, { settingsFile, userFile });
    expect(settings.ipc).toMatchObject({
      socketDir: '/from/env',
      timezone: 'Europe/Berlin',
      messageQueueSize: 5,
      allowClientSend: false,
      tcp: { portRangeStart: 6000, portRangeEnd: 6010 },
    });
    expect(load({}, { settingsFile, userFile }).ipc.socketDir).toBe('/from/settings');
    expect(load({}, { userFile }).ipc.socketDir).toBe('/from/user');
    expect(load({ POCKETDOCK_SETTINGS_FILE: settingsFile }).ipc.socketDir).toBe('/from/settings');
  });

  it('names the bad key', async () => {
    expect(thrown(() => load({ POCKETDOCK_IPC_TCP_PORT_RANGE_START: '70000' }))).toMatchObject({
      code: 'FACTORY_INVALID_SETTINGS',
      message: expect.stringContaining('ipc.tcp.portRangeStart'),
    });
    expect(thrown(() => load({ POCKETDOCK_IPC_TIMEZONE: 'Mars/Base' }))).toMatchObject({ message: expect.stringContaining('ipc.timezone') });
    expect(thrown(() => load({ POCKETDOCK_IPC_UNIX_SOCKET_PERMISSIONS: 'rwx' }))).toMatchObject({
      message: expect.stringContaining('ipc.unix.socketPermissions'),
    });
    const file = join(dir.path, 'typo.json');
    await writeFile(file, JSON.stringify({ ipc: { sockteDir: '/x' } }));
    expect(thrown(() => load({}, { settingsFile: file }))).toMatchObject({
      code: 'FACTORY_INVALID_SETTINGS',
      message: expect.stringContaining('ipc.sockteDir'),
    });
    expect(thrown(() => load({ POCKETDOCK_IPC_TCP_PORT_RANGE_START: '7000', POCKETDOCK_IPC_TCP_PORT_RANGE_END: '6000' }))).toMatchObject({
      message: expect.stringContaining('ipc.tcp.portRangeEnd'),
    });
  });

  it('reports a missing or broken settings file (FACTORY_INVALID_SETTINGS, as every bad input)', async () => {
    expect(thrown(() => load({}, { settingsFile: join(dir.path, 'none.json') }))).toMatchObject({ code: 'FACTORY_INVALID_SETTINGS' });
    const broken = join(dir.path, 'broken.json');
    await writeFile(broken, '{ not json');
    expect(thrown(() => load({}, { settingsFile: broken }))).toMatchObject({ code: 'FACTORY_INVALID_SETTINGS', message: expect.stringContaining(broken) });
  });
});

describe('createServer / createClient', () => {
  it('builds Unix servers and clients from settings, with overrides', async () => {
    const settings = load({ POCKETDOCK_IPC_SOCKET_DIR: dir.path });
    const server = createServer(SocketType.UNIX, 'ev', { settings, messageQueueSize: 7 });
    servers.push(server);
    expect(server).toBeInstanceOf(UnixSocketServer);
    await server.start();
    expect((await stat(join(dir.path, 'ev.sock'))).mode & 0o777).toBe(0o600);
    const client = createClient('unix', 'ev', { settings });
    clients.push(client);
    expect(client).toBeInstanceOf(UnixSocketClient);
    await client.connect();
    server.send(createMessage('ev', { via: 'factory' }));
    expect((await client.receive()).data).toEqual({ via: 'factory' });
  });

  it("passes ipc's newer settings on: highWaterMarkBytes and slowConsumerTimeoutMs to servers, expectedOwner to Unix clients", async () => {
    const uid = process.getuid!();
    const settings = load({
      POCKETDOCK_IPC_SOCKET_DIR: dir.path,
      POCKETDOCK_IPC__HIGH_WATER_MARK_BYTES: String(4 * 1024 * 1024),
      POCKETDOCK_IPC__CLIENT__EXPECTED_OWNER: String(uid + 1),
      POCKETDOCK_IPC__CLIENT__RECONNECT__ENABLED: 'false',
    });
    expect(settings.ipc).toMatchObject({ highWaterMarkBytes: 4 * 1024 * 1024, slowConsumerTimeoutMs: 10_000, client: { expectedOwner: uid + 1, reconnect: { factor: 2, jitter: 0.5 } } });
    // Above bufferSize (1 MiB): ipc-core refuses it, so the setting did reach the server.
    expect(thrown(() => createServer('unix', 'ev', { settings }))).toMatchObject({ code: 'IPC_INVALID_OPTIONS', message: expect.stringContaining('highWaterMarkBytes') as unknown });
    const server = createServer('unix', 'ev', { settings, highWaterMarkBytes: 1024 });
    servers.push(server);
    await server.start();
    // The socket is ours (uid), not uid + 1's: the client refuses it.
    const client = createClient('unix', 'ev', { settings });
    clients.push(client);
    await expect(client.connect()).rejects.toMatchObject({ code: 'IPC_SOCKET_OWNER_MISMATCH' });
    const trusting = createClient('unix', 'ev', { settings, expectedOwner: uid });
    clients.push(trusting);
    await trusting.connect();
    // TCP has no socket owner: the setting does not reach a TCP client.
    expect(() => clients.push(createClient('tcp', 'ev', { settings, port: 1 }))).not.toThrow();
  });

  it('builds TCP servers and clients', async () => {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const settings = load({ POCKETDOCK_IPC_TCP_PORT_RANGE_START: String(base), POCKETDOCK_IPC_TCP_PORT_RANGE_END: String(base + 20) });
    const server = createServer('tcp', 'ev', { settings });
    servers.push(server);
    expect(server).toBeInstanceOf(TcpSocketServer);
    await server.start();
    const client = createClient(SocketType.TCP, 'ev', { settings, port: server.port });
    clients.push(client);
    await client.connect();
    server.send(createMessage('ev', { via: 'tcp' }));
    expect((await client.receive()).data).toEqual({ via: 'tcp' });
  });

  it('rejects an unknown type, and passes library option errors through', () => {
    const settings = load();
    expect(thrown(() => createServer('pipe' as never, 'ev', { settings }))).toMatchObject({ code: 'FACTORY_UNKNOWN_SOCKET_TYPE' });
    expect(thrown(() => createServer('unix', '../x', { settings }))).toMatchObject({ code: 'IPC_PATH_TRAVERSAL' });
    expect(thrown(() => createClient('tcp', 'ev', { settings }))).toMatchObject({ code: 'IPC_INVALID_OPTIONS' });
  });
});

describe('error codes', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), FACTORY_ERROR_CODES)).toEqual([]);
  });
});
