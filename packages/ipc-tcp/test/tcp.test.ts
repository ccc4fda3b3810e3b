import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { thrown, undocumentedCodes, until } from '@pocketdock/testkit';
import { createMessage } from '@pocketdock/ipc-core';
import { TCP_ERROR_CODES, TcpSocketClient, TcpSocketServer } from '../src/index.js';

let servers: TcpSocketServer[] = [];
let clients: TcpSocketClient[] = [];
let blockers: Server[] = [];
let sockets: Socket[] = [];

beforeEach(() => {
  servers = [];
  clients = [];
  blockers = [];
  sockets = [];
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(clients.map((c) => c.disconnect()));
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(blockers.map((b) => new Promise((resolve) => b.close(resolve))));
});

/** A random base port, so parallel test runs rarely meet. */
const basePort = (): number => 20_000 + Math.floor(Math.random() * 30_000);

function server(options: ConstructorParameters<typeof TcpSocketServer>[1] = {}): TcpSocketServer {
  const base = basePort();
  const s = new TcpSocketServer('ev', { portRangeStart: base, portRangeEnd: base + 20, ...options });
  servers.push(s);
  return s;
}

function client(port: number, options: Partial<ConstructorParameters<typeof TcpSocketClient>[1]> = {}): TcpSocketClient {
  const c = new TcpSocketClient('ev', { port, ...options });
  clients.push(c);
  return c;
}

async function block(port: number): Promise<void> {
  const b = createServer();
  blockers.push(b);
  await new Promise<void>((resolve, reject) => {
    b.once('error', reject);
    b.listen({ host: '127.0.0.1', port }, resolve);
  });
}

describe('TcpSocketServer and TcpSocketClient', () => {
  it('binds 127.0.0.1 on the first free port of the range', async () => {
    const base = basePort();
    await block(base);
    await block(base + 1);
    const s = server({ portRangeStart: base, portRangeEnd: base + 5 });
    await s.start();
    expect(s.port).toBe(base + 2);
    expect(s.address).toBe(`127.0.0.1:${base + 2}`);
  });

  it('fails with IPC_NO_FREE_PORT when every port of the range is taken', async () => {
    const base = basePort();
    for (let p = base; p < base + 3; p++) await block(p);
    const s = server({ portRangeStart: base, portRangeEnd: base + 2 });
    await expect(s.start()).rejects.toMatchObject({ code: 'IPC_NO_FREE_PORT', name: 'ConnectionError' });
    expect(s.isRunning()).toBe(false);
  });

  it('rejects an inverted range', () => {
    expect(thrown(() => server({ portRangeStart: 5000, portRangeEnd: 4000 }))).toMatchObject({ code: 'IPC_INVALID_OPTIONS', message: expect.stringMatching(/portRangeEnd/) });
  });

  it('broadcasts, unicasts and receives client messages', async () => {
    const s = server();
    await s.start();
    const ids: string[] = [];
    s.on('connect', (c) => ids.push(c.id));
    const [a, b] = [client(s.port!), client(s.port!)];
    await a.connect();
    await b.connect();
    await until(() => ids.length === 2, { timeoutMs: 5_000, what: 'both messages' });
    expect(s.getConnectedClients()[0]!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    s.send(createMessage('ev', { all: true }));
    expect((await a.receive()).data).toEqual({ all: true });
    expect((await b.receive()).data).toEqual({ all: true });
    s.send(createMessage('ev', { only: 'b' }), ids[1]);
    expect((await b.receive()).data).toEqual({ only: 'b' });
    const got = new Promise((resolve) => s.once('message', (m) => resolve(m.data)));
    a.send(createMessage('ev', { from: 'a' }));
    expect(await got).toEqual({ from: 'a' });
  });

  it('delivers the queue to the first client and reconnects after a restart', async () => {
    const s = server();
    await s.start();
    s.send(createMessage('ev', { queued: 1 }));
    const c = client(s.port!, { reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    await c.connect();
    expect((await c.receive()).data).toEqual({ queued: 1 });
    const port = s.port!;
    await s.stop();
    await until(() => !c.isConnected(), { timeoutMs: 5_000, what: 'the client to see the loss' });
    const again = new TcpSocketServer('ev', { portRangeStart: port, portRangeEnd: port });
    servers.push(again);
    await again.start();
    await until(() => c.isConnected() && again.getConnectedClients().length === 1, { timeoutMs: 5_000, what: 'the client to reconnect' });
    again.send(createMessage('ev', { back: true }));
    expect((await c.receive()).data).toEqual({ back: true });
  });

  it('survives a 4 GiB length prefix and serves the others', async () => {
    const s = server();
    await s.start();
    const errors: string[] = [];
    s.on('error', (e) => errors.push(e.code));
    const good = client(s.port!);
    await good.connect();
    const evil = connect({ host: '127.0.0.1', port: s.port! });
    sockets.push(evil);
    evil.resume();
    await new Promise((resolve) => evil.once('connect', resolve));
    evil.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await new Promise((resolve) => evil.once('close', resolve));
    expect(errors).toEqual(['IPC_FRAME_TOO_LARGE']);
    s.send(createMessage('ev', { ok: 1 }));
    expect((await good.receive()).data).toEqual({ ok: 1 });
  });

  it('requires a port on the client and fails cleanly when nobody listens', async () => {
    expect(thrown(() => new TcpSocketClient('ev', {} as never))).toMatchObject({ code: 'IPC_INVALID_OPTIONS' });
    const base = basePort();
    await block(base);
    const port = base;
    await new Promise((resolve) => blockers.pop()!.close(resolve));
    await expect(client(port).connect()).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
  });
});

describe('error codes', () => {
  it('every code this package raises is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), TCP_ERROR_CODES)).toEqual([]);
  });
});
