import { join } from 'node:path';
import { createMessage } from '@pocketdock/ipc-core';
import type { SocketMessage } from '@pocketdock/ipc-core';
import { UnixSocketServer } from '@pocketdock/ipc-unix';
import { tempDir, thrown, undocumentedCodes } from '@pocketdock/testkit';
import { FLOW_EVENTS, FLOW_RUNTIME_ERROR_CODES, FlowRuntimeError, connectFlow } from '../src/index.js';
import type { Flow } from '../src/index.js';

/** A stand-in for the flow-manager's side: an ipc-unix server on a temp socket (what the manager runs). */
async function manager(dir: string): Promise<UnixSocketServer> {
  const server = new UnixSocketServer('flow', { socketDir: dir });
  await server.start();
  return server;
}

function next(server: UnixSocketServer, eventName: string): Promise<SocketMessage> {
  return new Promise((resolve) => {
    const on = (m: SocketMessage): void => {
      if (m.eventName !== eventName) return;
      server.off('message', on);
      resolve(m);
    };
    server.on('message', on);
  });
}

function request(server: UnixSocketServer, requestId: string, message: unknown): void {
  server.send(createMessage(FLOW_EVENTS.request, { request_id: requestId, message }));
}

describe('connectFlow', () => {
  let flow: Flow | undefined;
  let server: UnixSocketServer | undefined;
  afterEach(async () => {
    await flow?.close();
    await server?.stop();
    flow = undefined;
    server = undefined;
  });

  it('answers a request with what its handler returns (async too)', async () => {
    await using dir = await tempDir();
    server = await manager(dir.path);
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock'), onMessage: (m) => Promise.resolve({ echo: m }) });
    await flow.ready();
    const reply = next(server, FLOW_EVENTS.reply);
    request(server, 'r1', { n: 1, s: 'é' });
    expect((await reply).data).toEqual({ request_id: 'r1', ok: true, message: { echo: { n: 1, s: 'é' } } });
  });

  it('keeps trying until the manager appears, then connects', async () => {
    await using dir = await tempDir();
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock'), onMessage: () => 'late' });
    await new Promise((r) => setTimeout(r, 150));
    expect(flow.connected).toBe(false);
    server = await manager(dir.path);
    await flow.ready();
    expect(flow.connected).toBe(true);
  });

  it('reconnects by itself after the manager restarts', async () => {
    await using dir = await tempDir();
    server = await manager(dir.path);
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock'), onMessage: (m) => m });
    await flow.ready();
    await server.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(flow.connected).toBe(false);
    server = await manager(dir.path);
    const reconnected = new Promise<void>((r) => flow!.once('connect', () => r()));
    await reconnected;
    const reply = next(server, FLOW_EVENTS.reply);
    request(server, 'r2', 'again');
    expect((await reply).data).toMatchObject({ request_id: 'r2', ok: true, message: 'again' });
  });

  it('reports a failing handler as ok: false with its message, and undefined as null', async () => {
    await using dir = await tempDir();
    server = await manager(dir.path);
    let fail = true;
    flow = connectFlow({
      socketPath: join(dir.path, 'flow.sock'),
      onMessage: () => {
        if (fail) throw new Error('boom');
        return undefined;
      },
    });
    flow.on('error', () => undefined);
    await flow.ready();
    let reply = next(server, FLOW_EVENTS.reply);
    request(server, 'a', null);
    expect((await reply).data).toEqual({ request_id: 'a', ok: false, error: 'boom' });
    fail = false;
    reply = next(server, FLOW_EVENTS.reply);
    request(server, 'b', null);
    expect((await reply).data).toEqual({ request_id: 'b', ok: true, message: null });
  });

  it('answers ok: false when it has no handler', async () => {
    await using dir = await tempDir();
    server = await manager(dir.path);
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock') });
    await flow.ready();
    const reply = next(server, FLOW_EVENTS.reply);
    request(server, 'x', 1);
    expect((await reply).data).toMatchObject({ request_id: 'x', ok: false });
  });

  it('sends events of its own; bad names and a missing manager are coded errors', async () => {
    await using dir = await tempDir();
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock') });
    expect(thrown(() => flow!.send('progress', 1))).toMatchObject({ code: 'FLOW_NOT_CONNECTED' });
    server = await manager(dir.path);
    await flow.ready();
    const event = next(server, FLOW_EVENTS.event);
    flow.send('progress', { done: 3 });
    expect((await event).data).toEqual({ event: 'progress', message: { done: 3 } });
    const bad = thrown(() => flow!.send('no spaces', 1));
    expect(FlowRuntimeError.is(bad) && bad.code).toBe('FLOW_INVALID_EVENT');
  });

  it('ignores malformed requests and keeps serving', async () => {
    await using dir = await tempDir();
    server = await manager(dir.path);
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock'), onMessage: (m) => m });
    await flow.ready();
    server.send(createMessage(FLOW_EVENTS.request, { nothing: true }));
    server.send(createMessage('other', { request_id: 'zz' }));
    const reply = next(server, FLOW_EVENTS.reply);
    request(server, 'ok', 'fine');
    expect((await reply).data).toMatchObject({ request_id: 'ok', message: 'fine' });
  });

  it('ready() rejects FLOW_CLOSED when closed before connecting; close is idempotent', async () => {
    await using dir = await tempDir();
    flow = connectFlow({ socketPath: join(dir.path, 'flow.sock') });
    const ready = flow.ready();
    await flow.close();
    await flow.close();
    await expect(ready).rejects.toMatchObject({ code: 'FLOW_CLOSED' });
    await expect(flow.ready()).rejects.toMatchObject({ code: 'FLOW_CLOSED' });
  });

  it('rejects bad options with FLOW_INVALID_OPTIONS', () => {
    expect(thrown(() => connectFlow({ socketPath: '/run/x' }))).toMatchObject({ code: 'FLOW_INVALID_OPTIONS' });
  });
});

describe('errors', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '..', 'README.md'), FLOW_RUNTIME_ERROR_CODES)).toEqual([]);
  });
});
