import { createMessage, MessageType } from '@pocketdock/ipc-core';
import type { SocketError } from '@pocketdock/ipc-core';
import { thrown, until } from '@pocketdock/testkit';
import { Fixture, take } from './helpers.js';

const f = new Fixture();
beforeEach(() => f.setUp());
afterEach(() => f.tearDown());

const msg = (i: number) => createMessage('ev', { i });

describe('UnixSocketServer and UnixSocketClient', () => {
  it('broadcasts to 50 clients', async () => {
    const server = f.server('ev', { maxConnections: 60 });
    await server.start();
    const clients = Array.from({ length: 50 }, () => f.client());
    await Promise.all(clients.map((c) => c.connect()));
    await until(() => server.getConnectedClients().length === 50);
    for (let i = 0; i < 3; i++) server.send(msg(i));
    const got = await Promise.all(clients.map((c) => take(c, 3)));
    for (const messages of got) expect(messages.map((m) => m.data['i'])).toEqual([0, 1, 2]);
    expect(new Set(server.getConnectedClients().map((c) => c.id)).size).toBe(50);
  });

  it('unicasts to one client, and rejects an unknown client id', async () => {
    const server = f.server();
    await server.start();
    const [a, b] = [f.client(), f.client()];
    const ids: string[] = [];
    server.on('connect', (info) => ids.push(info.id));
    await a.connect();
    await until(() => ids.length === 1);
    await b.connect();
    await until(() => ids.length === 2);
    server.send(msg(1), ids[1]);
    expect((await b.receive()).data).toEqual({ i: 1 });
    await expect(a.receive({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'IPC_TIMEOUT' });
    expect(thrown(() => server.send(msg(2), 'nobody'))).toMatchObject({ code: 'IPC_UNKNOWN_CLIENT' });
  });

  it('delivers the queue once, in order, to the first client only', async () => {
    const server = f.server();
    await server.start();
    for (let i = 0; i < 5; i++) server.send(msg(i));
    expect(server.stats().queuedMessages).toBe(5);
    const first = f.client();
    await first.connect();
    expect((await take(first, 5)).map((m) => m.data['i'])).toEqual([0, 1, 2, 3, 4]);
    expect(server.stats().queuedMessages).toBe(0);
    const second = f.client();
    await second.connect();
    await until(() => server.getConnectedClients().length === 2);
    server.send(msg(99));
    expect((await second.receive()).data).toEqual({ i: 99 });
    expect((await first.receive()).data).toEqual({ i: 99 });
  });

  it('drops the oldest queued messages beyond messageQueueSize and counts them', async () => {
    const server = f.server('ev', { messageQueueSize: 3 });
    await server.start();
    for (let i = 0; i < 10; i++) server.send(msg(i));
    expect(server.stats()).toMatchObject({ queuedMessages: 3, droppedMessages: 7 });
    const client = f.client();
    await client.connect();
    expect((await take(client, 3)).map((m) => m.data['i'])).toEqual([7, 8, 9]);
  });

  it('refuses one client more than maxConnections with a CONTROL message, then closes it', async () => {
    const server = f.server('ev', { maxConnections: 2 });
    await server.start();
    await f.client().connect();
    await f.client().connect();
    await until(() => server.getConnectedClients().length === 2);
    const third = f.client();
    const errors: SocketError[] = [];
    third.on('error', (e) => errors.push(e));
    await third.connect();
    const notice = await third.receive();
    expect(notice.messageType).toBe(MessageType.CONTROL);
    expect(notice.data['code']).toBe('IPC_MAX_CONNECTIONS');
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ name: 'MaxConnectionsError', code: 'IPC_MAX_CONNECTIONS' });
    expect(third.isConnected()).toBe(false);
    expect(server.getConnectedClients()).toHaveLength(2);
  });

  it('receives client messages, or drops them and tells the client once with allowClientSend: false', async () => {
    const open = f.server('open');
    await open.start();
    const seen: unknown[] = [];
    open.on('message', (m, from) => seen.push([m.data, typeof from.id]));
    const talker = f.client('open');
    await talker.connect();
    talker.send(createMessage('open', { hello: 1 }));
    await until(() => seen.length === 1);
    expect(seen[0]).toEqual([{ hello: 1 }, 'string']);

    const closed = f.server('closed', { allowClientSend: false });
    await closed.start();
    closed.on('message', () => seen.push('unexpected'));
    const client = f.client('closed');
    await client.connect();
    for (let i = 0; i < 3; i++) client.send(createMessage('closed', { i }));
    const notice = await client.receive();
    expect(notice).toMatchObject({ messageType: 'control', data: { code: 'IPC_CLIENT_SEND_NOT_ALLOWED' } });
    await expect(client.receive({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'IPC_TIMEOUT' });
    expect(seen).toHaveLength(1);
  });

  it('reconnects after the server restarts', async () => {
    const server = f.server();
    await server.start();
    const client = f.client('ev', { reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const events: string[] = [];
    client.on('reconnecting', () => events.push('reconnecting'));
    client.on('reconnected', () => events.push('reconnected'));
    await client.connect();
    await until(() => server.getConnectedClients().length === 1);
    await server.stop();
    await until(() => events.includes('reconnecting'));
    await server.start();
    await until(() => client.isConnected() && server.getConnectedClients().length === 1);
    expect(events.at(-1)).toBe('reconnected');
    server.send(msg(7));
    expect((await client.receive()).data).toEqual({ i: 7 });
  });

  describe('connect({ retry: true })', () => {
    it('waits for a server that is not there yet', async () => {
      const client = f.client('ev', { reconnect: { initialDelayMs: 10, maxDelayMs: 40 } });
      const attempts: number[] = [];
      client.on('reconnecting', ({ attempt }) => attempts.push(attempt));
      await expect(f.client('ev').connect()).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' }); // without retry: at once
      const connected = client.connect({ retry: true });
      await until(() => attempts.length >= 2);
      await f.server().start();
      await connected;
      expect(client.isConnected()).toBe(true);
      expect(attempts.slice(0, 2)).toEqual([1, 2]);
    });

    it('gives up after reconnect.maxAttempts attempts with the last error', async () => {
      const client = f.client('ev', { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 } });
      let waits = 0;
      client.on('reconnecting', () => waits++);
      await expect(client.connect({ retry: true })).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
      expect(waits).toBe(2); // three attempts, two waits between them
      expect(client.isConnected()).toBe(false);
    });

    it('disconnect() ends the waiting at once, with IPC_NOT_CONNECTED', async () => {
      const client = f.client('ev', { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });
      const waiting = new Promise((resolve) => client.once('reconnecting', resolve));
      const connecting = client.connect({ retry: true });
      await waiting; // the first attempt failed; a 60 s wait began
      const t0 = Date.now();
      await client.disconnect();
      await expect(connecting).rejects.toMatchObject({ code: 'IPC_NOT_CONNECTED' });
      expect(Date.now() - t0).toBeLessThan(1_000);
    });
  });

  it('gives up after maxAttempts with IPC_RECONNECT_FAILED', async () => {
    const server = f.server();
    await server.start();
    const client = f.client('ev', { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 } });
    const errors: SocketError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.connect();
    await server.stop();
    await until(() => errors.length === 1);
    expect(errors[0]!.code).toBe('IPC_RECONNECT_FAILED');
    await expect(client.receive()).rejects.toMatchObject({ code: 'IPC_RECONNECT_FAILED' });
  });

  it('disconnects a client that never reads without stalling the others', async () => {
    const server = f.server('ev', { bufferSize: 64 * 1024 });
    await server.start();
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    const stalled = await f.raw(server.path);
    stalled.pause();
    const reader = f.client('ev', { receiveBufferSize: 100_000 });
    await reader.connect();
    await until(() => server.getConnectedClients().length === 2);
    const big = 'x'.repeat(1024);
    let received = 0;
    reader.on('message', () => received++);
    const total = 5_000;
    for (let i = 0; i < total; i++) {
      server.send(createMessage('ev', { i, big }));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => received === total, { timeoutMs: 15_000 });
    expect(reasons).toContain('IPC_SLOW_CONSUMER');
    expect(server.getConnectedClients()).toHaveLength(1);
  });

  it('receiveIter yields messages and ends on disconnect', async () => {
    const server = f.server();
    await server.start();
    const client = f.client();
    await client.connect();
    for (let i = 0; i < 3; i++) server.send(msg(i));
    const got: unknown[] = [];
    for await (const m of client.receiveIter()) {
      got.push(m.data['i']);
      if (got.length === 3) void client.disconnect();
    }
    expect(got).toEqual([0, 1, 2]);
  });

  it('start is non-blocking by default and blocks until stop in blockingMode', async () => {
    const server = f.server('ev', { blockingMode: true });
    let resolved = false;
    const started = server.start().then(() => (resolved = true));
    await until(() => server.isRunning());
    expect(resolved).toBe(false);
    await server.stop();
    await started;
    expect(resolved).toBe(true);
    await expect(f.client().connect()).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
  });

  it('rejects bad options and sending while stopped', () => {
    expect(thrown(() => f.server('ev', { maxConnections: 0 }))).toMatchObject({ code: 'IPC_INVALID_OPTIONS' });
    expect(() => f.server('ev', { timezone: 'Mars/Base' })).toThrow(/timezone/);
    expect(thrown(() => f.server().send(msg(1)))).toMatchObject({ code: 'IPC_NOT_RUNNING' });
    expect(thrown(() => f.client().send(msg(1)))).toMatchObject({ code: 'IPC_NOT_CONNECTED' });
  });

  it('hands a queue larger than bufferSize to the first client whole', async () => {
    const server = f.server('ev', { bufferSize: 4096, messageQueueSize: 100 });
    await server.start();
    for (let i = 0; i < 100; i++) server.send(createMessage('ev', { i, pad: 'p'.repeat(200) }));
    const client = f.client();
    await client.connect();
    expect((await take(client, 100)).map((m) => m.data['i'])).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('stamps messages in the configured time zone, and tells clients about a stop', async () => {
    const server = f.server('ev', { timezone: 'Asia/Kolkata' });
    await server.start();
    const client = f.client('ev', { timezone: 'America/New_York', reconnect: { enabled: false } });
    const reasons: Array<string | undefined> = [];
    client.on('disconnect', (reason) => reasons.push(reason?.code));
    await client.connect();
    server.send(server.createMessage({ a: 1 }));
    expect((await client.receive()).timestampIso).toMatch(/\+05:30$/);
    expect(client.createMessage({}).timestampIso).toMatch(/-0[45]:00$/);
    const gone: string[] = [];
    server.on('disconnect', (c) => gone.push(c.id));
    await server.stop();
    expect(gone).toHaveLength(1);
    await until(() => reasons.length === 1);
    expect(reasons).toEqual(['IPC_CONNECTION_LOST']);
    await expect(client.receive()).rejects.toMatchObject({ code: 'IPC_CONNECTION_LOST' });
  });

  it('a stop while starting waits for the start, then stops', async () => {
    const server = f.server();
    const started = server.start();
    await server.stop();
    await started;
    expect(server.isRunning()).toBe(false);
    await expect(f.client('ev', { reconnect: { enabled: false } }).connect()).rejects.toMatchObject({ code: 'IPC_CONNECTION_FAILED' });
  });
});
