import fc from 'fast-check';
import { encode as otherEncode } from '@msgpack/msgpack';
import { FrameReader, MessageCodec, SocketError } from '../src/index.js';

const codec = new MessageCodec({ maxMessageBytes: 4096 });

/** Feeds `chunks` to a reader and decoder as a server connection does; returns the first error, if any. */
function feed(chunks: Uint8Array[]): unknown {
  const reader = new FrameReader(codec.maxMessageBytes);
  try {
    for (const chunk of chunks) reader.push(Buffer.from(chunk), (buf, start, end) => codec.decode(buf, start, end));
  } catch (err) {
    return err;
  }
  return undefined;
}

function frame(payload: Uint8Array): Uint8Array {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

describe('hostile bytes (synchronous fuzzing)', () => {
  it('random chunks only ever fail with a coded SocketError (10,000 cases)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (chunks) => {
        const err = feed(chunks);
        return err === undefined || (SocketError.is(err) && /^IPC_/.test(err.code));
      }),
      { numRuns: 10_000 },
    );
  });

  it('random msgpack values in a valid frame only ever fail with a coded SocketError (5,000 cases)', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (value) => {
        let payload: Uint8Array;
        try {
          payload = otherEncode(value);
        } catch {
          return true; // not encodable by the other library either
        }
        if (payload.length === 0 || payload.length > 4096) return true;
        const err = feed([frame(payload)]);
        return err === undefined || (SocketError.is(err) && /^IPC_/.test(err.code));
      }),
      { numRuns: 5_000 },
    );
  });

  it('a __proto__ key neither pollutes Object.prototype nor passes as data', () => {
    const payload = Buffer.from(
      otherEncode({ event_name: 'e', timestamp_ms: 1, timestamp_iso: '', message_type: 'data', data: JSON.parse('{"__proto__":{"polluted":1}}') as object }),
    );
    const err = feed([frame(payload)]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (err === undefined) {
      const decoded = codec.decode(payload);
      expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
    } else {
      expect(SocketError.is(err)).toBe(true);
    }
  });
});
