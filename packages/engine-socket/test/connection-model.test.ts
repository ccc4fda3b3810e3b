import type { Socket } from 'node:net';
import { EngineClient } from '../src/index.js';
import type { ConnectionMode } from '../src/index.js';
import { chunk, chunkedHead, collect, failure, fakeEngine, json, lastChunk, respond } from './fake-engine.js';
import type { FakeEngine } from './fake-engine.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The design's guarantees, checked for both modes: the default must pass all of them.
describe.each<ConnectionMode>(['keep-alive', 'per-operation'])('connection model %s', (connectionMode) => {
  let fake: FakeEngine;
  let client: EngineClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  async function start(routes: Parameters<typeof fakeEngine>[0]) {
    fake = await fakeEngine(routes);
    client = await EngineClient.connect({ socketPath: fake.socketPath, connectionMode });
    expect(client.connectionMode).toBe(connectionMode);
  }

  it('a stream holds its own connection while 30 other calls proceed', async () => {
    let streamSocket: Socket | undefined;
    await start({
      '/v1.41/logs': (_r, s) => {
        streamSocket = s;
        chunkedHead(s);
        chunk(s, 'first ');
      },
    });
    const res = await client.request({ path: '/logs', stream: true });
    const body = collect(res.body);
    const results = await Promise.all(Array.from({ length: 30 }, () => client.json<{ ApiVersion: string }>({ path: '/version' })));
    expect(results.every((r) => r.ApiVersion === '1.41')).toBe(true);
    chunk(streamSocket!, 'later');
    lastChunk(streamSocket!);
    expect((await body).toString()).toBe('first later');
    const streamConn = fake.requests.find((r) => r.path === '/v1.41/logs')!.connection;
    expect(fake.requests.filter((r) => r.connection === streamConn)).toHaveLength(1);
  });

  it('a failure affects only its own operation: drop, hang, abort and error status among 20 good calls', async () => {
    await start({
      '/v1.41/drop': (_r, s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{');
        setTimeout(() => s.destroy(), 5);
      },
      '/v1.41/hang': () => undefined,
      '/v1.41/missing': (_r, s) => json(s, { message: 'nope' }, 404),
    });
    const ac = new AbortController();
    const good = Array.from({ length: 20 }, () => client.json({ path: '/version' }));
    const bad = [
      client.json({ path: '/drop' }),
      client.json({ path: '/hang', timeoutMs: 100 }),
      client.json({ path: '/hang', signal: ac.signal }),
      client.json({ path: '/missing' }),
    ];
    setTimeout(() => ac.abort(), 20);
    const codes = await Promise.all(bad.map(async (p) => (await failure(p)).code));
    expect(codes).toEqual(['ENGINE_CONNECTION_LOST', 'ENGINE_TIMEOUT', 'ENGINE_ABORTED', 'ENGINE_API_ERROR']);
    await expect(Promise.all(good)).resolves.toHaveLength(20);
    await expect(client.json({ path: '/version' })).resolves.toBeDefined();
  });

  it('no stale connections: the engine closing idle connections never surfaces as an error', async () => {
    await start({
      '/v1.41/short': (req, s) => {
        respond(s, 200, JSON.stringify({ method: req.method }), { 'Content-Type': 'application/json' });
        setTimeout(() => s.destroy(), 2); // the engine drops the idle connection without saying so
      },
    });
    for (let i = 0; i < 20; i++) {
      const method = i % 2 ? 'POST' : 'GET';
      await expect(client.json({ method, path: '/short' })).resolves.toEqual({ method });
      await sleep(10);
    }
  });

  it('a kept-alive connection closed just as a GET is sent: retried once on a fresh connection', async () => {
    const served = new Map<number, number>();
    await start({
      '/v1.41/flaky': (req, s) => {
        const n = (served.get(req.connection) ?? 0) + 1;
        served.set(req.connection, n);
        // every connection serves one /flaky call; a second one on it finds the connection closing
        if (n > 1) s.destroy();
        else json(s, { ok: true });
      },
    });
    for (let i = 0; i < 10; i++) await expect(client.json({ path: '/flaky' })).resolves.toEqual({ ok: true });
  });

  it(connectionMode === 'keep-alive' ? 'reuses connections for short calls' : 'opens a fresh connection per call and closes it', async () => {
    await start({});
    const before = fake.connections();
    for (let i = 0; i < 10; i++) await client.json({ path: '/version' });
    await sleep(20);
    if (connectionMode === 'keep-alive') {
      expect(fake.connections() - before).toBeLessThanOrEqual(1);
    } else {
      expect(fake.connections() - before).toBe(10);
      expect(fake.openConnections()).toBe(0);
    }
  });
});
