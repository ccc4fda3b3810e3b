import fc from 'fast-check';
import { EngineClient, JsonLineSplitter } from '../src/index.js';
import { chunk, chunkedHead, failure, fakeEngine, lastChunk, thrownCode } from './fake-engine.js';
import type { FakeEngine } from './fake-engine.js';

const VALUES = [{ a: 1 }, { Action: 'start', id: 'é€😀' }, [1, 2, 3], 'text', 42, { nested: { deep: [{}] } }];
// blank lines, a CRLF line end and a bare null line are skipped
const NDJSON = Buffer.from(`${VALUES.slice(0, 3).map((v) => JSON.stringify(v)).join('\n')}\r\n\nnull\n${VALUES.slice(3).map((v) => JSON.stringify(v)).join('\n')}\n\n`);

/** Runs chunks through a splitter's transform synchronously (no streams, no async resources); returns the values or throws. */
function split(chunks: Buffer[], maxLineBytes = 1 << 20): unknown[] {
  const splitter = new JsonLineSplitter(maxLineBytes, 'test');
  const out: unknown[] = [];
  splitter.push = (v: unknown) => (out.push(v), true);
  const done = (err?: Error | null): void => {
    if (err) throw err;
  };
  for (const c of chunks) splitter._transform(c, 'utf8', done);
  splitter._flush(done);
  return out;
}

describe('JsonLineSplitter', () => {
  it('frames by newline at every split point', () => {
    for (let i = 0; i <= NDJSON.length; i++) {
      expect(split([NDJSON.subarray(0, i), NDJSON.subarray(i)])).toEqual(VALUES);
    }
  });

  it('frames one byte at a time, and at arbitrary cuts (property)', () => {
    expect(split([...NDJSON].map((b) => Buffer.from([b])))).toEqual(VALUES);
    fc.assert(
      fc.property(fc.array(fc.nat(NDJSON.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [...points, NDJSON.length].map((p, i) => NDJSON.subarray(i === 0 ? 0 : points[i - 1], p));
        expect(split(chunks)).toEqual(VALUES);
      }),
      { numRuns: 300 },
    );
  });

  it('emits a last line without newline, and fails on a cut-off last line, bad JSON and overlong lines', () => {
    expect(thrownCode(() => split([Buffer.from('{"a":1}\n{"b":')]))).toBe('ENGINE_BAD_RESPONSE');
    expect(split([Buffer.from('{"a":1}\n{"b":2}')])).toEqual([{ a: 1 }, { b: 2 }]);
    expect(thrownCode(() => split([Buffer.from('{"a":1}\nnope\n')]))).toBe('ENGINE_BAD_RESPONSE');
    expect(thrownCode(() => split([Buffer.from('x'.repeat(60)), Buffer.from('x'.repeat(60))], 100))).toBe('ENGINE_RESPONSE_TOO_LARGE');
  });
});

describe('jsonLines() against a fake engine', () => {
  let fake: FakeEngine;
  let client: EngineClient;
  afterEach(async () => {
    await client?.close();
    await fake?.close();
  });

  it('parses a stream written one byte per chunk, on its own connection', async () => {
    fake = await fakeEngine({
      '/v1.41/events': (_r, s) => {
        chunkedHead(s, 200, { 'Content-Type': 'application/json' });
        let i = 0;
        const next = (): void => {
          if (i === NDJSON.length) {
            lastChunk(s);
            return;
          }
          chunk(s, NDJSON.subarray(i, ++i));
          setImmediate(next);
        };
        next();
      },
    });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const events = await client.jsonLines({ path: '/events' });
    const got: unknown[] = [];
    for await (const e of events) got.push(e);
    expect(got).toEqual(VALUES);
  });

  it('breaking out of the loop closes the connection; an error status is ENGINE_API_ERROR', async () => {
    fake = await fakeEngine({
      '/v1.41/events': (_r, s) => {
        chunkedHead(s);
        chunk(s, '{"n":1}\n{"n":2}\n');
      },
      '/v1.41/bad': (_r, s) => s.end('HTTP/1.1 500 X\r\nContent-Length: 17\r\n\r\n{"message":"boom"}'),
    });
    client = await EngineClient.connect({ socketPath: fake.socketPath });
    const before = fake.openConnections();
    const events = await client.jsonLines<{ n: number }>({ path: '/events' });
    for await (const e of events) if (e.n === 1) break;
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.openConnections()).toBe(before);
    const err = await failure(client.jsonLines({ path: '/bad' }));
    expect(err).toMatchObject({ code: 'ENGINE_API_ERROR', status: 500 });
  });
});
