import { io } from 'socket.io-client';
import { testEngines, until } from '@pocketdock/testkit';
import { call, startService } from './helpers.js';
import type { Client, Service } from './helpers.js';
import { pollingHandshake, upgradeStatus } from './raw-client.js';

// Who may connect does not depend on the engine: one is enough here (nothing here creates a container).
const engine = testEngines()[0]!;

function open(url: string, options: Parameters<typeof io>[1]): Promise<Client> {
  const client: Client = io(url, { reconnection: false, forceNew: true, ...options });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', (err) => {
      client.close();
      reject(err);
    });
  });
}

describe(`flow-manager access (${engine.name})`, () => {
  let svc: Service | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await svc?.close();
    svc = undefined;
  });
  const track = (c: Client): Client => {
    clients.push(c);
    return c;
  };

  it('token-less sessions cannot lock authenticated clients out: they are capped, expire, and do not count against maxClients', async () => {
    svc = await startService(engine, { maxClients: 3, maxUnauthenticatedClients: 20, authTimeoutMs: 1_500 });
    const url = svc.fm.url;
    for (let i = 0; i < 200; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => pollingHandshake(url)));
      expect(batch.every((h) => h.status === 200 && h.sid !== undefined)).toBe(true);
    }
    expect(svc.fm.access.unauthenticatedCount).toBeLessThanOrEqual(20);
    expect(svc.fm.io.engine.clientsCount).toBeLessThanOrEqual(20);
    // A client with the token in auth (socket.io-client's way) gets in, and so does one with it in the handshake.
    track(await svc.connect());
    track(await open(url, { transports: ['websocket'], extraHeaders: { authorization: `Bearer ${svc.token}` } }));
    track(await open(url, { transports: ['polling'], extraHeaders: { authorization: `Bearer ${svc.token}` } }));
    // maxClients counts the authenticated ones: the fourth is refused, with a code.
    await expect(svc.connect()).rejects.toMatchObject({ data: { code: 'FM_TOO_MANY_CLIENTS' } });
    // A wrong token in the handshake is refused before any session exists.
    expect((await pollingHandshake(url, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(403);
    // The token-less sessions expire (authTimeoutMs).
    await until(() => svc!.fm.access.unauthenticatedCount === 0, { timeoutMs: 10_000, what: 'unauthenticated sessions to expire' });
    expect(svc.fm.io.engine.clientsCount).toBe(3);
  }, 60_000);

  it('checks the Origin of WebSocket upgrades too, and lets the service own origin in (python-socketio sends it)', async () => {
    svc = await startService(engine, { allowedOrigins: ['https://app.example'] });
    const url = svc.fm.url;
    const port = svc.fm.port;
    // a polling handshake without Origin, then an upgrade of that session from an origin that is not allowed
    const { sid } = await pollingHandshake(url);
    expect(sid).toBeDefined();
    expect(await upgradeStatus(url, sid, { Origin: 'https://evil.example' })).toBe(400);
    expect(await upgradeStatus(url, undefined, { Origin: 'https://evil.example' })).toBe(400);
    // DNS rebinding: an evil name pointing at 127.0.0.1 is same-origin by the letter, and still refused
    expect(await upgradeStatus(url, undefined, { Origin: `http://evil.example:${port}`, Host: `evil.example:${port}` })).toBe(400);
    expect(await upgradeStatus(url, undefined, { Origin: `http://127.0.0.1:${port + 1}` })).toBe(400);
    expect(await upgradeStatus(url, undefined, { Origin: 'https://app.example' })).toBe(101);
    // WebSocket only, with Origin http://<host>:<port> as python-socketio sends it
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      track(await open(`http://${host}`, { transports: ['websocket'], auth: { token: svc.token }, extraHeaders: { origin: `http://${host}` } }));
    }
  }, 30_000);

  it('answers an unknown event: FM_UNKNOWN_EVENT through its acknowledgement, else as an error event', async () => {
    svc = await startService(engine);
    const client = track(await svc.connect());
    expect(await call(client, 'no_such_event' as never, {}, 5_000)).toMatchObject({ error: true, error_type: 'validation_error', code: 'FM_UNKNOWN_EVENT', details: { event: 'no_such_event' } });
    const pushed = new Promise((resolve) => (client as unknown as { once: (e: string, l: (x: unknown) => void) => void }).once('error', resolve));
    (client as unknown as { emit: (e: string, p: unknown) => void }).emit('nor_this_one', { x: 1 });
    expect(await pushed).toMatchObject({ error: true, code: 'FM_UNKNOWN_EVENT', details: { event: 'nor_this_one' } });
    expect(client.connected).toBe(true);
  }, 30_000);
});
