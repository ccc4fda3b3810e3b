import { EngineClient, EngineError } from '../src/index.js';
import { chunk, chunkedHead, collect, failure, fakeEngine, json, lastChunk, respond } from './fake-engine.js';
import type { FakeEngine } from './fake-engine.js';

describe('EngineClient against a fake engine on a Unix socket', () => {
  let fake: FakeEngine;
  let client: EngineClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  async function start(routes: Parameters<typeof fakeEngine>[0], options: Parameters<typeof EngineClient.connect>[0] = {}) {
    fake = await fakeEngine(routes);
    client = await EngineClient.connect({ socketPath: fake.socketPath, ...options });
    return client;
  }

  it('connects: pings, negotiates the version, identifies Docker from /version, and versions every path', async () => {
    await start({ '/v1.41/things': (_r, s) => json(s, [1, 2]) });
    expect(client.engine).toBe('docker');
    expect(client.apiVersion).toBe('1.41');
    expect(client.socketPath).toBe(fake.socketPath);
    await expect(client.json({ path: '/things', query: { all: true, filters: { label: ['a=b'] }, skip: undefined } })).resolves.toEqual([1, 2]);
    const last = fake.requests.at(-1)!;
    expect(last.path).toBe(`/v1.41/things?all=true&filters=${encodeURIComponent('{"label":["a=b"]}')}`);
    await client.json({ path: '/things', query: { changes: ['LABEL a=b', 'CMD ["sh"]'] } });
    expect(fake.requests.at(-1)!.path).toBe(`/v1.41/things?changes=LABEL+a%3Db&changes=${encodeURIComponent('CMD ["sh"]').replace(/%20/g, '+')}`);
  });

  it('identifies Podman from its headers and speaks the lower API version', async () => {
    await start({
      '/_ping': (_r, s) => respond(s, 200, 'OK', { 'Api-Version': '1.40', 'Libpod-Api-Version': '4.3.1', Server: 'Libpod/4.3.1 (linux)' }),
    });
    expect(client.engine).toBe('podman');
    expect(client.apiVersion).toBe('1.40');
    expect(fake.requests.some((r) => r.path.includes('/version'))).toBe(false);
  });

  it('apiVersion pins the version spoken (an older engine still gets its own); out of range or malformed: ENGINE_INVALID_OPTIONS', async () => {
    await start({ '/v1.40/version': (_r, s) => json(s, { Components: [{ Name: 'Engine' }] }) }, { apiVersion: '1.40' });
    expect(client.apiVersion).toBe('1.40');
    expect(fake.requests.at(-1)!.path).toBe('/v1.40/version');
    for (const bad of ['1.39', '1.42', 'v1.41', 'latest']) {
      const err = await failure(EngineClient.connect({ socketPath: fake.socketPath, apiVersion: bad }));
      expect(err.code).toBe('ENGINE_INVALID_OPTIONS');
      expect(err.message).toContain('apiVersion');
    }
  });

  it('caps a newer engine at the version we support', async () => {
    await start({ '/_ping': (_r, s) => respond(s, 200, 'OK', { 'Api-Version': '1.47' }), '/v1.41/version': (_r, s) => json(s, { Components: [{ Name: 'Podman Engine' }] }) });
    expect(client.apiVersion).toBe('1.41');
    expect(client.engine).toBe('podman');
  });

  it('refuses an engine older than the oldest supported version, closing what it opened', async () => {
    fake = await fakeEngine({ '/_ping': (_r, s) => respond(s, 200, 'OK', { 'Api-Version': '1.30' }) });
    const err = await failure(EngineClient.connect({ socketPath: fake.socketPath }));
    expect(err.code).toBe('ENGINE_UNSUPPORTED_VERSION');
  });

  it('sends a JSON body with its content type, and reads chunked and close-delimited answers', async () => {
    await start({
      '/v1.41/echo': (req, s) => json(s, { got: JSON.parse(req.body.toString()), type: req.headers['content-type'] }),
      '/v1.41/chunked': (_r, s) => {
        chunkedHead(s, 200, { 'Content-Type': 'application/json' });
        chunk(s, '{"a":');
        setTimeout(() => {
          chunk(s, '[1,2,');
          chunk(s, '3]}');
          lastChunk(s);
        }, 5);
      },
      '/v1.41/close-delimited': (_r, s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"closed":');
        setTimeout(() => s.end('true}'), 5);
      },
    });
    await expect(client.json({ method: 'post', path: '/echo', body: { x: 1 } })).resolves.toEqual({ got: { x: 1 }, type: 'application/json' });
    await expect(client.json({ path: '/chunked' })).resolves.toEqual({ a: [1, 2, 3] });
    await expect(client.json({ path: '/close-delimited' })).resolves.toEqual({ closed: true });
    const res = await client.request({ path: '/close-delimited' });
    expect((await collect(res.body)).toString()).toBe('{"closed":true}');
  });

  it('sends a Buffer body larger than one write (1 MiB) intact, with its content-length, as it sends a small one', async () => {
    await start({ '/v1.41/sink': (req, s) => json(s, { length: req.headers['content-length'], te: req.headers['transfer-encoding'] ?? null, sum: [...req.body].reduce((a, b) => (a + b) % 65521, 0) }) });
    for (const size of [10, 2.5 * 1024 * 1024 + 7]) {
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = (i * 31) % 251;
      const sum = [...body].reduce((a, b) => (a + b) % 65521, 0);
      await expect(client.json({ method: 'PUT', path: '/sink', body })).resolves.toEqual({ length: String(size), te: null, sum });
    }
  });

  it('request() returns any status with the body as a stream; json() turns an error status into ENGINE_API_ERROR', async () => {
    await start({ '/v1.41/missing': (_r, s) => json(s, { message: 'No such container: x' }, 404), '/v1.41/empty': (_r, s) => respond(s, 204) });
    const res = await client.request({ path: '/missing' });
    expect(res.status).toBe(404);
    expect(JSON.parse((await collect(res.body)).toString())).toEqual({ message: 'No such container: x' });
    const err = await failure(client.json({ method: 'DELETE', path: '/missing' }));
    expect(EngineError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 404, engineMessage: 'No such container: x', method: 'DELETE', path: '/v1.41/missing' });
    await expect(client.json({ path: '/empty' })).resolves.toBeUndefined();
  });

  it('fails with ENGINE_BAD_RESPONSE on invalid JSON and ENGINE_RESPONSE_TOO_LARGE past maxJsonBytes', async () => {
    await start({ '/v1.41/bad': (_r, s) => respond(s, 200, '{nope'), '/v1.41/big': (_r, s) => respond(s, 200, JSON.stringify('x'.repeat(2000))) }, { maxJsonBytes: 1000 });
    expect((await failure(client.json({ path: '/bad' }))).code).toBe('ENGINE_BAD_RESPONSE');
    expect((await failure(client.json({ path: '/big' }))).code).toBe('ENGINE_RESPONSE_TOO_LARGE');
    // the connection was dropped, not left half-read: the next call works
    await expect(client.json({ path: '/version' })).resolves.toMatchObject({ ApiVersion: '1.41' });
  });

  it('a server that hangs: ENGINE_TIMEOUT, before the head and inside the body', async () => {
    await start({
      '/v1.41/hang': () => undefined,
      '/v1.41/hang-body': (_r, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a'),
    });
    const t0 = Date.now();
    const err = await failure(client.json({ path: '/hang', timeoutMs: 150 }));
    expect(err.code).toBe('ENGINE_TIMEOUT');
    expect(err.message).toContain('150 ms');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await failure(client.json({ path: '/hang-body', timeoutMs: 150 }))).code).toBe('ENGINE_TIMEOUT');
    expect((await failure(client.request({ path: '/hang', timeoutMs: 100, stream: true }))).code).toBe('ENGINE_TIMEOUT');
  });

  it('a server that drops mid-body: ENGINE_CONNECTION_LOST, for json() and for a streamed body', async () => {
    await start({
      '/v1.41/drop-length': (_r, s) => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"a":');
        setTimeout(() => s.destroy(), 10);
      },
      '/v1.41/drop-chunked': (_r, s) => {
        chunkedHead(s);
        chunk(s, 'partial');
        setTimeout(() => s.destroy(), 10);
      },
    });
    expect((await failure(client.json({ path: '/drop-length' }))).code).toBe('ENGINE_CONNECTION_LOST');
    expect((await failure(client.json({ path: '/drop-chunked' }))).code).toBe('ENGINE_CONNECTION_LOST');
    const res = await client.request({ path: '/drop-chunked', stream: true });
    const err = await failure(collect(res.body));
    expect(err.code).toBe('ENGINE_CONNECTION_LOST');
  });

  it('an AbortSignal aborts any call with ENGINE_ABORTED, already aborted or mid-flight, body included', async () => {
    await start({
      '/v1.41/hang': () => undefined,
      '/v1.41/slow-body': (_r, s) => {
        chunkedHead(s);
        chunk(s, 'first');
      },
    });
    const pre = await failure(client.json({ path: '/hang', signal: AbortSignal.abort(new Error('nope')) }));
    expect(pre.code).toBe('ENGINE_ABORTED');
    const ac = new AbortController();
    const pending = client.json({ path: '/hang', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    expect((await failure(pending)).code).toBe('ENGINE_ABORTED');
    const ac2 = new AbortController();
    const res = await client.request({ path: '/slow-body', signal: ac2.signal, stream: true });
    const reading = failure(collect(res.body));
    setTimeout(() => ac2.abort(), 20);
    expect((await reading).code).toBe('ENGINE_ABORTED');
  });

  // Regression: a consumer's destroy() mid-body emitted ENGINE_ABORTED as an 'error' event, crashing callers that
  // (rightly) attached no error listener to a stream they were discarding.
  it('destroying a body before its end emits no error, and the connection is not reused', async () => {
    await start({
      '/v1.41/slow-body': (_r, s) => {
        chunkedHead(s);
        chunk(s, 'first');
      },
      '/v1.41/ok': (_r, s) => json(s, { ok: true }),
    });
    const res = await client.request({ path: '/slow-body', stream: true });
    const errors: unknown[] = [];
    res.body.on('error', (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 20));
    res.body.destroy();
    await new Promise((r) => res.body.once('close', r));
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toEqual([]);
    expect(await client.json({ path: '/ok' })).toEqual({ ok: true });
  });

  it('close() is idempotent, works with await using, and later calls fail with ENGINE_CLOSED', async () => {
    fake = await fakeEngine({});
    {
      await using c = await EngineClient.connect({ socketPath: fake.socketPath });
      await c.json({ path: '/version' });
      client = c;
    }
    await client.close();
    expect((await failure(client.json({ path: '/version' }))).code).toBe('ENGINE_CLOSED');
  });

  it('close() does not wait for calls in flight: they fail with ENGINE_CLOSED', async () => {
    await start({
      '/v1.41/hang': () => undefined,
      '/v1.41/unfinished': (_r, s) => {
        chunkedHead(s);
        chunk(s, 'x');
      },
    });
    const hanging = failure(client.json({ path: '/hang' }));
    const unread = await client.request({ path: '/unfinished' }); // a body that never ends, on a pooled connection
    const reading = failure(collect(unread.body));
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    expect((await hanging).code).toBe('ENGINE_CLOSED');
    await reading; // destroyed, not left open
    expect(unread.body.destroyed).toBe(true);
  });

  it('an explicit socket that does not answer: ENGINE_CONNECT_FAILED naming it', async () => {
    fake = await fakeEngine({});
    const missing = `${fake.dir}/nothing.sock`;
    const err = await failure(EngineClient.connect({ socketPath: missing }));
    expect(err.code).toBe('ENGINE_CONNECT_FAILED');
    expect(err.message).toContain(missing);
  });

  it('bad options: ENGINE_INVALID_OPTIONS with the ZodError as cause', async () => {
    const err = await failure(EngineClient.connect({ timeoutMs: -1 }));
    expect(err.code).toBe('ENGINE_INVALID_OPTIONS');
    expect((err.cause as Error).name).toBe('ZodError');
    const err2 = await failure(EngineClient.connect({ connectionMode: 'pipelined' as 'keep-alive' }));
    expect(err2.code).toBe('ENGINE_INVALID_OPTIONS');
    await start({});
    expect((await failure(client.json({ path: 'no-slash' }))).code).toBe('ENGINE_INVALID_OPTIONS');
  });
});
