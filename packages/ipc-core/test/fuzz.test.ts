import { encode as otherEncode } from '@msgpack/msgpack';
import { FrameReader, MessageCodec, SocketError } from '../src/index.js';
import { runFuzz } from '../bench/fuzz-target.js';

// Seeded, so a failure is reproducible; POCKETDOCK_FUZZ_SEED and POCKETDOCK_FUZZ_RUNS change it and the count. The long
// run (100,000+ inputs) is `bench/fuzz.ts`.
const seed = Number(process.env.POCKETDOCK_FUZZ_SEED ?? 20_261_202);
const numRuns = Math.max(6_000, Number(process.env.POCKETDOCK_FUZZ_RUNS ?? 0));

describe('hostile bytes (synchronous fuzzing)', () => {
  it(`random, mutated and valid frames in random chunks: the same result as read whole, coded errors only, bounded allocation (${numRuns} inputs, seed ${seed})`, () => {
    // the input kinds: random bytes; valid frames, some with bytes flipped, inserted, deleted or a length rewritten;
    // random MessagePack values (from another library) in a valid frame. Watched: a hang fails after 60 s.
    runFuzz(seed, numRuns, 60_000);
  });

  it('a __proto__ key neither pollutes Object.prototype nor passes as data', () => {
    const codec = new MessageCodec({ maxMessageBytes: 4096 });
    const payload = Buffer.from(
      otherEncode({ event_name: 'e', timestamp_ms: 1, timestamp_iso: '', message_type: 'data', data: JSON.parse('{"__proto__":{"polluted":1}}') as object }),
    );
    const frame = Buffer.alloc(4 + payload.length);
    frame.writeUInt32BE(payload.length, 0);
    payload.copy(frame, 4);
    let err: unknown;
    try {
      new FrameReader(codec.maxMessageBytes).push(frame, (buf, start, end) => codec.decode(buf, start, end));
    } catch (e) {
      err = e;
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (err === undefined) {
      const decoded = codec.decode(payload);
      expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
    } else {
      expect(SocketError.is(err)).toBe(true);
    }
  });
});
