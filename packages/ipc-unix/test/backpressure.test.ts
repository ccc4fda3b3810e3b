import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { createMessage } from '@pocketdock/ipc-core';
import { thrown, until } from '@pocketdock/testkit';
import { Fixture } from './helpers.js';

const f = new Fixture();
beforeEach(() => f.setUp());
afterEach(() => f.tearDown());

const pad = 'x'.repeat(100);

describe('backpressure: send() / drain() / bufferedBytes()', () => {
  // Regression: 100,000 send() calls in a loop delivered ~2,000 messages, then dropped the reading client as a slow
  // consumer; the server had no drain().
  it('a producer that awaits drain() delivers 100,000 messages to a reading client, in order, without dropping it', async () => {
    const server = f.server('ev', { bufferSize: 256 * 1024 });
    await server.start();
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    const client = f.client('ev', { reconnect: { enabled: false } });
    let received = 0;
    let inOrder = true;
    client.on('message', (m) => {
      if (m.data['i'] !== received) inOrder = false;
      received++;
    });
    await client.connect();
    await until(() => server.getConnectedClients().length === 1, { what: 'the client to connect' });
    const total = 100_000;
    let waits = 0;
    let most = 0;
    for (let i = 0; i < total; i++) {
      if (!server.send(createMessage('ev', { i, pad }))) {
        most = Math.max(most, server.bufferedBytes());
        waits++;
        await server.drain();
      }
    }
    await server.drain();
    await until(() => received === total, { timeoutMs: 30_000, what: `${total} messages (got ${received})` });
    expect(inOrder).toBe(true);
    expect(reasons).toEqual([]);
    expect(server.getConnectedClients()).toHaveLength(1);
    expect(waits).toBeGreaterThan(0); // the high-water mark was reached: backpressure, not luck
    expect(most).toBeLessThanOrEqual(256 * 1024);
  });

  it('a reader that really stops is still dropped (IPC_SLOW_CONSUMER), which ends drain(); the reading client gets everything', async () => {
    const server = f.server('ev', { slowConsumerTimeoutMs: 300 });
    await server.start();
    const reasons: Array<string | undefined> = [];
    server.on('disconnect', (_c, reason) => reasons.push(reason?.code));
    const stalled = await f.raw(server.path);
    stalled.pause();
    const reader = f.client('ev', { reconnect: { enabled: false } });
    let received = 0;
    reader.on('message', () => received++);
    await reader.connect();
    await until(() => server.getConnectedClients().length === 2, { what: 'both clients' });
    const big = 'y'.repeat(1024);
    const total = 5_000; // ~5 MB: far more than the kernel holds for the stalled reader
    const t0 = Date.now();
    for (let i = 0; i < total; i++) if (!server.send(createMessage('ev', { i, big }))) await server.drain();
    await until(() => received === total, { timeoutMs: 30_000, what: `${total} messages (got ${received})` });
    expect(reasons).toEqual(['IPC_SLOW_CONSUMER']);
    expect(server.getConnectedClients()).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300); // dropped for not reading, not for being behind once
  });

  it('reports unsent bytes per client; drain() honours timeoutMs and signal', async () => {
    const server = f.server('ev', { slowConsumerTimeoutMs: 60_000, highWaterMarkBytes: 4096 });
    await server.start();
    const ids: string[] = [];
    server.on('connect', (c) => ids.push(c.id));
    const stalled = await f.raw(server.path);
    stalled.pause();
    await until(() => ids.length === 1, { what: 'the raw client' });
    const kib = createMessage('ev', { pad: 'k'.repeat(1000) });
    // one message per task, so each is flushed: bytes stay in the process only once the kernel buffer is full
    await until(
      () => {
        server.send(kib);
        return server.bufferedBytes(ids[0]) >= 8192;
      },
      { intervalMs: 0, timeoutMs: 20_000, what: 'unsent bytes past the kernel buffer' },
    );
    expect(server.send(kib)).toBe(false); // at or above highWaterMarkBytes
    expect(server.bufferedBytes()).toBe(server.bufferedBytes(ids[0]));
    expect(server.bufferedBytes('nobody')).toBe(0);
    await expect(server.drain({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'IPC_TIMEOUT', name: 'TimeoutError' });
    const abort = new AbortController();
    const draining = server.drain({ signal: abort.signal });
    abort.abort(new Error('enough'));
    await expect(draining).rejects.toMatchObject({ code: 'IPC_ABORTED' });
    await expect(server.drain({ clientId: 'nobody', timeoutMs: 50 })).resolves.toBeUndefined();
    stalled.resume(); // reading again: everything goes out
    await server.drain({ timeoutMs: 10_000 });
    expect(server.bufferedBytes(ids[0])).toBe(0);
    expect(server.getConnectedClients()).toHaveLength(1);
  });

  it('rejects a highWaterMarkBytes above bufferSize', () => {
    expect(thrown(() => f.server('ev', { bufferSize: 4096, highWaterMarkBytes: 8192 }))).toMatchObject({
      code: 'IPC_INVALID_OPTIONS',
      message: expect.stringMatching(/highWaterMarkBytes/),
    });
  });
});

describe('client drain()', () => {
  let peer: Server | undefined;
  const accepted: Socket[] = [];
  afterEach(async () => {
    for (const s of accepted.splice(0)) s.destroy();
    if (peer !== undefined) await new Promise((resolve) => peer!.close(resolve));
    peer = undefined;
  });

  // Regression: drain() waited for the socket's 'drain' event, which Node emits only after a write that crossed the
  // socket's own 16 KiB mark; with fewer bytes stuck behind a full kernel buffer it never resolved.
  it('resolves once a few stuck bytes are out, though the socket never emits drain', async () => {
    peer = createServer((socket) => {
      accepted.push(socket);
      socket.pause();
    });
    const path = join(f.dir.path, 'ev.sock');
    await new Promise<void>((resolve) => peer!.listen(path, resolve));
    const client = f.client('ev', { reconnect: { enabled: false } });
    await client.connect();
    await until(() => accepted.length === 1, { what: 'the peer to accept' });
    const one = createMessage('ev', { pad: 'z'.repeat(1000) });
    // one message per task until the kernel buffer is full and bytes start to wait in the process
    await until(
      () => {
        if (client.stats().bufferedBytes > 0) return true; // the last send, flushed since, did not all go out
        client.send(one);
        return false;
      },
      { intervalMs: 0, timeoutMs: 20_000, what: 'the kernel buffer to fill' },
    );
    expect(client.stats().bufferedBytes).toBeLessThan(16 * 1024);
    const drained = client.drain({ timeoutMs: 10_000 });
    accepted[0]!.resume();
    await drained;
    expect(client.stats().bufferedBytes).toBe(0);
  });
});
