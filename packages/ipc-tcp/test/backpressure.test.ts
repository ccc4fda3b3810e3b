import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createMessage } from '@pocketdock/ipc-core';
import { until } from '@pocketdock/testkit';
import { TcpSocketClient, TcpSocketServer } from '../src/index.js';
import type { TcpSocketServerOptions } from '../src/index.js';

let servers: TcpSocketServer[] = [];
let clients: TcpSocketClient[] = [];
let sockets: Socket[] = [];
beforeEach(() => {
  servers = [];
  clients = [];
  sockets = [];
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(clients.map((c) => c.disconnect()));
  await Promise.all(servers.map((s) => s.stop()));
});

async function started(options: TcpSocketServerOptions = {}): Promise<TcpSocketServer> {
  const base = 20_000 + Math.floor(Math.random() * 30_000);
  const server = new TcpSocketServer('ev', { portRangeStart: base, portRangeEnd: base + 20, ...options });
  servers.push(server);
  await server.start();
  return server;
}

function reader(port: number): { client: TcpSocketClient; received: () => number; inOrder: () => boolean } {
  const client = new TcpSocketClient('ev', { port, reconnect: { enabled: false } });
  clients.push(client);
  let n = 0;
  let ordered = true;
  client.on('message', (m) => {
    if (m.data['i'] !== n) ordered = false;
    n++;
  });
  return { client, received: () => n, inOrder: () => ordered };
}

describe('backpressure over TCP', () => {
  // Regression: 100,000 send() calls in a loop delivered ~2,000 messages, then dropped the reading client as a slow
  // consumer; the server had no drain().
  it('a producer that awaits drain() delivers 100,000 messages to a reading client, in order, without dropping it', async () => {
    const server = await started({ bufferSize: 256 * 1024 });
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    const r = reader(server.port!);
    await r.client.connect();
    await until(() => server.getConnectedClients().length === 1, { what: 'the client to connect' });
    const total = 100_000;
    const pad = 'x'.repeat(100);
    let waits = 0;
    for (let i = 0; i < total; i++) {
      if (!server.send(createMessage('ev', { i, pad }))) {
        waits++;
        await server.drain();
      }
    }
    await until(() => r.received() === total, { timeoutMs: 30_000, what: `${total} messages (got ${r.received()})` });
    expect(r.inOrder()).toBe(true);
    expect(reasons).toEqual([]);
    expect(waits).toBeGreaterThan(0);
  });

  it('a reader that really stops is dropped after slowConsumerTimeoutMs; drain() then lets the producer go on', async () => {
    const server = await started({ slowConsumerTimeoutMs: 300 });
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    const stalled = connect({ host: '127.0.0.1', port: server.port! });
    sockets.push(stalled);
    stalled.on('error', () => undefined);
    stalled.pause();
    const r = reader(server.port!);
    await r.client.connect();
    await until(() => server.getConnectedClients().length === 2, { what: 'both clients' });
    const big = 'y'.repeat(1024);
    const total = 20_000; // ~20 MB: more than the kernel's TCP buffers hold for the stalled reader
    for (let i = 0; i < total; i++) if (!server.send(createMessage('ev', { i, big }))) await server.drain();
    await until(() => r.received() === total, { timeoutMs: 30_000, what: `${total} messages (got ${r.received()})` });
    expect(reasons).toEqual(['IPC_SLOW_CONSUMER']);
    expect(server.getConnectedClients()).toHaveLength(1);
  });
});
