import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { EngineClient } from '@pocketdock/engine-socket';
import { tempDir } from '@pocketdock/testkit';
import { EngineEventFollower } from '../src/engine-events.js';
import type { ContainerEvent } from '../src/engine-events.js';

// The real engines are followed in the integration tests; what they cannot be made to do here is drop the event
// stream or fail it on demand, so a fake engine on a temp socket does that.
async function fakeEngine(socketPath: string, events: (attempt: number, res: ServerResponse) => void): Promise<Server> {
  let attempt = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41' }).end('OK');
    } else if (path === '/v1.41/version') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ApiVersion: '1.41', Components: [{ Name: 'Engine' }] }));
    } else if (path === '/v1.41/events') {
      events(attempt++, res);
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return server;
}

const line = (id: string, action: string, exitCode?: number): string =>
  `${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: exitCode === undefined ? {} : { exitCode: String(exitCode) } }, timeNano: 1e15 })}\n`;

describe('EngineEventFollower', () => {
  it('reopens a stream the engine dropped or failed, resyncing each time, and passes every event on', async () => {
    await using dir = await tempDir();
    const socketPath = join(dir.path, 'engine.sock');
    const server = await fakeEngine(socketPath, (attempt, res) => {
      if (attempt === 1) {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"message":"engine hiccup"}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // two objects in one chunk, then half of one: framing is by newline, never by chunk
      const both = line('a', 'start') + line('a', 'die', 3);
      res.write(both + line('b', 'exec_start: sh').slice(0, 10));
      if (attempt === 0) setTimeout(() => res.destroy(), 20); // the engine goes away mid-stream
    });
    const engine = await EngineClient.connect({ socketPath });
    const events: ContainerEvent[] = [];
    const errors: unknown[] = [];
    let resyncs = 0;
    const follower = new EngineEventFollower({
      engine,
      label: 'x=1',
      onEvent: (e) => events.push(e),
      onResync: () => {
        resyncs++;
        return Promise.resolve();
      },
      onError: (err) => errors.push(err),
    });
    try {
      await follower.start();
      for (let i = 0; i < 100 && resyncs < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(resyncs).toBe(2); // first stream, then (after the 500 and a backoff) the third
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(events.slice(0, 2)).toEqual([
        { id: 'a', action: 'start', exitCode: undefined, timeMs: 1e9 },
        { id: 'a', action: 'die', exitCode: 3, timeMs: 1e9 },
      ]);
    } finally {
      await follower.stop();
      await engine.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
