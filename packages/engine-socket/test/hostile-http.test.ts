import type { Socket } from 'node:net';
import { until } from '@pocketdock/testkit';
import { EngineClient } from '../src/index.js';
import { pingSocket } from '../src/transport/ping.js';
import { collect, failure, fakeEngine } from './fake-engine.js';
import type { FakeEngine, Route } from './fake-engine.js';

/** Writes `first`, then `piece` forever (with backpressure) until the client goes away: an answer that never ends. */
function endless(first: string, piece: string): Route {
  return (_req, socket: Socket) => {
    const pump = (): void => {
      while (!socket.destroyed && socket.writable && socket.write(piece));
    };
    socket.on('drain', pump);
    socket.write(first);
    pump();
  };
}

/** Writes `bytes`, and ends its side once the client ended (the fake engine leaves that to upgrade routes). */
const raw =
  (bytes: string): Route =>
  (_req, socket) => {
    socket.on('end', () => socket.end());
    socket.write(bytes);
  };

/**
 * Invalid HTTP only a hand-written server sends; a real engine cannot be made to. The last field: the cause undici
 * gave (kept as the error's `cause`), or `null` where the bound is ours (1xx answers are counted here, not by undici).
 */
const HOSTILE: [string, Route, string | null][] = [
  ['garbage instead of a status line', raw('garbage \x00\xff garbage\r\n\r\n'), 'HTTPParserError'],
  ['a bad status line', raw('HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n'), 'HTTPParserError'],
  ['a huge chunk size', raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n'), 'HTTPParserError'],
  ['a never-ending header', endless('HTTP/1.1 200 OK\r\nX-Endless: ', 'a'.repeat(4096)), 'HeadersOverflowError'],
  ['a 101 (with Upgrade) to a call that asked for no upgrade', raw('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'), 'SocketError'],
  ['a 101 without Upgrade to a call that asked for no upgrade', raw('HTTP/1.1 101 Switching Protocols\r\n\r\n'), 'AssertionError'],
  ['endless 100 Continue', endless('', 'HTTP/1.1 100 Continue\r\n\r\n'), 'SocketError'],
  ['endless 103 Early Hints', endless('', 'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'), null],
];

describe('an engine that answers invalid HTTP: ENGINE_BAD_RESPONSE, the cause kept, nothing leaked', () => {
  let fake: FakeEngine | undefined;
  let client: EngineClient | undefined;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
    client = undefined;
    fake = undefined;
  });

  async function expectBadResponse(call: Promise<unknown>, cause: string | null): Promise<void> {
    const err = await failure(call);
    expect(err).toMatchObject({ name: 'EngineError', code: 'ENGINE_BAD_RESPONSE' });
    expect(err.message).toMatch(/invalid HTTP/);
    if (cause === null) expect(err.message).toMatch(/more than 16 informational \(1xx\) answers, the last 103/);
    else expect((err.cause as Error | undefined)?.name).toBe(cause); // by name: node:assert's class is another realm's
    // The connection that carried it is dropped, never kept for another call.
    const { connection } = fake!.requests.at(-1)!;
    await until(() => !fake!.isOpen(connection), { what: 'the fake engine to see that connection closed' });
  }

  describe.each(['keep-alive', 'per-operation'] as const)('%s', (connectionMode) => {
    it.each(HOSTILE)('json(): %s', async (_name, route, cause) => {
      fake = await fakeEngine({ '/v1.41/hostile': route, '/v1.41/fine': raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]') });
      client = await EngineClient.connect({ socketPath: fake.socketPath, connectionMode, timeoutMs: 10_000 });
      await expectBadResponse(client.json({ path: '/hostile' }), cause);
      await expect(client.json({ path: '/fine' })).resolves.toEqual([]); // the client goes on working
    });
  });

  it.each(HOSTILE)('request() (a stream: the body is where it fails when the head was fine): %s', async (_name, route, cause) => {
    fake = await fakeEngine({ '/v1.41/hostile': route });
    client = await EngineClient.connect({ socketPath: fake.socketPath, timeoutMs: 10_000 });
    await expectBadResponse(client.request({ path: '/hostile', stream: true }).then((res) => collect(res.body)), cause);
  });

  it.each(HOSTILE)('jsonLines(): %s', async (_name, route, cause) => {
    fake = await fakeEngine({ '/v1.41/hostile': route });
    client = await EngineClient.connect({ socketPath: fake.socketPath, timeoutMs: 10_000 });
    await expectBadResponse(client.jsonLines({ path: '/hostile' }).then((lines) => collect(lines)), cause);
  });

  // A 101 with Upgrade is what a hijack asks for; one without Upgrade is still invalid there.
  it.each(HOSTILE.filter(([name]) => !name.includes('101 (with Upgrade)')))('hijack(): %s', async (_name, route, cause) => {
    fake = await fakeEngine({ '/v1.41/hostile': route });
    client = await EngineClient.connect({ socketPath: fake.socketPath, timeoutMs: 10_000 });
    await expectBadResponse(client.hijack({ path: '/hostile' }), cause);
  });

  it.each(HOSTILE)('connect(), on its /_ping: %s', async (_name, route, cause) => {
    fake = await fakeEngine({ '/_ping': route });
    await expectBadResponse(EngineClient.connect({ socketPath: fake.socketPath, timeoutMs: 10_000 }), cause);
  });

  it.each(HOSTILE)('the detection probe (its own connection): %s', async (_name, route, cause) => {
    fake = await fakeEngine({ '/_ping': route });
    await expectBadResponse(pingSocket(fake.socketPath, 10_000), cause);
  });
});
