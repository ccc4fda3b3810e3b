import type { Socket } from 'node:net';
import { EngineClient } from '../src/index.js';
import { collect, failure, fakeEngine, json } from './fake-engine.js';
import type { FakeEngine } from './fake-engine.js';

const UPGRADED = 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';

/** An upgraded connection that echoes stdin back upper-cased, and only ends its output after stdin EOF. */
function echoAfterEof(early: string) {
  return (_req: unknown, socket: Socket): void => {
    socket.write(UPGRADED + early); // one write: the early bytes travel with the 101 head
    const input: Buffer[] = [];
    socket.on('data', (d: Buffer) => input.push(d));
    socket.on('end', () => setTimeout(() => socket.end(Buffer.concat(input).toString().toUpperCase()), 20));
  };
}

describe('hijack() against a fake engine', () => {
  let fake: FakeEngine;
  let client: EngineClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  it('sends Upgrade: tcp, keeps the bytes that came with the 101, and half-closes: output continues after stdin EOF', async () => {
    fake = await fakeEngine({ '/v1.41/exec/abc/start': echoAfterEof('early-bytes|') });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const stream = await client.hijack({ path: '/exec/abc/start', body: { Detach: false, Tty: false } });
    const req = fake.requests.at(-1)!;
    expect(req).toMatchObject({ method: 'POST', headers: { connection: 'upgrade', upgrade: 'tcp', 'content-type': 'application/json' } });
    expect(JSON.parse(req.body.toString())).toEqual({ Detach: false, Tty: false });
    const output = collect(stream);
    stream.write('hello ');
    stream.end('world');
    expect((await output).toString()).toBe('early-bytes|HELLO WORLD');
  });

  it('keeps early bytes even when nobody reads for a while', async () => {
    fake = await fakeEngine({ '/v1.41/attach': echoAfterEof('x'.repeat(50_000)) });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const stream = await client.hijack({ path: '/attach' });
    await new Promise((r) => setTimeout(r, 50));
    const output = collect(stream);
    stream.end('!');
    const text = (await output).toString();
    expect(text.length).toBe(50_001);
    expect(text === `${'x'.repeat(50_000)}!`).toBe(true);
  });

  it('an error answer instead of 101: ENGINE_API_ERROR with the engine message', async () => {
    fake = await fakeEngine({ '/v1.41/exec/nope/start': (_r, s) => json(s, { message: 'No such exec instance: nope' }, 404) });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const err = await failure(client.hijack({ path: '/exec/nope/start', body: {} }));
    expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 404, engineMessage: 'No such exec instance: nope', method: 'POST' });
  });

  it('a 2xx without upgrade: ENGINE_BAD_RESPONSE', async () => {
    fake = await fakeEngine({ '/v1.41/plain': (_r, s) => json(s, {}) });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    expect((await failure(client.hijack({ path: '/plain' }))).code).toBe('ENGINE_BAD_RESPONSE');
  });

  it('times out waiting for the 101 (ENGINE_TIMEOUT), and the signal aborts an upgraded stream (ENGINE_ABORTED)', async () => {
    fake = await fakeEngine({ '/v1.41/hang': () => undefined, '/v1.41/attach': (_r, s) => s.write(UPGRADED) });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    expect((await failure(client.hijack({ path: '/hang', timeoutMs: 100 }))).code).toBe('ENGINE_TIMEOUT');
    const ac = new AbortController();
    const stream = await client.hijack({ path: '/attach', signal: ac.signal, timeoutMs: 100 });
    await new Promise((r) => setTimeout(r, 150)); // past timeoutMs: the timeout covers only the wait for 101
    expect(stream.destroyed).toBe(false);
    const reading = failure(collect(stream));
    ac.abort();
    expect((await reading).code).toBe('ENGINE_ABORTED');
  });

  it('close() destroys hijacked streams', async () => {
    fake = await fakeEngine({ '/v1.41/attach': (_r, s) => s.write(UPGRADED) });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const stream = await client.hijack({ path: '/attach' });
    const closed = new Promise((r) => stream.once('close', r));
    await client.close();
    await closed;
    expect(stream.destroyed).toBe(true);
  });
});
