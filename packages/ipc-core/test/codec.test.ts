import fc from 'fast-check';
import { decode as otherDecode, encode as otherEncode } from '@msgpack/msgpack';
import { FrameReader, MessageCodec, createMessage } from '../src/index.js';
import type { SocketMessage } from '../src/index.js';
import { thrown } from '@pocketdock/testkit';

const codec = new MessageCodec();

const eventNameArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
// Values both libraries represent the same way (no undefined, no -0, no NaN: msgpack has one nil and IEEE floats
// compare by value).
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('map'),
  ),
  map: fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 4 }),
}));
const messageArb = fc.record({
  eventName: eventNameArb,
  timestampMs: fc.integer({ min: 0, max: 2 ** 47 }),
  timestampIso: fc.string({ maxLength: 40 }),
  messageType: fc.constantFrom('data', 'error', 'control'),
  data: valueArb.map,
});

const toWire = (m: SocketMessage) => ({
  event_name: m.eventName,
  timestamp_ms: m.timestampMs,
  timestamp_iso: m.timestampIso,
  message_type: m.messageType,
  data: m.data,
});

function frameOf(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

describe('MessageCodec', () => {
  // Synchronous on purpose: no promise per case keeps 10,000 cases fast under --detectOpenHandles.
  it('round-trips random messages, split at random points (10,000 cases)', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(400), { maxLength: 6 }), (messages, cuts) => {
        const bytes = Buffer.concat(messages.map((m) => codec.encode(m)));
        const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
        const reader = new FrameReader(codec.maxMessageBytes);
        const out: SocketMessage[] = [];
        let last = 0;
        for (const p of [...points, bytes.length]) {
          reader.push(bytes.subarray(last, p), (buf, start, end) => out.push(codec.decode(buf, start, end)));
          last = p;
        }
        expect(out).toEqual(messages);
        return reader.atBoundary;
      }),
      { numRuns: 10_000 },
    );
  });

  it('is wire-compatible with an independent MessagePack implementation, both ways (1,000 cases)', () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        // ours -> theirs: a plain map with snake_case keys, no extension types
        const frame = codec.encode(message);
        expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
        expect(otherDecode(frame.subarray(4))).toEqual(toWire(message));
        // theirs -> ours
        expect(codec.decode(otherEncode(toWire(message)))).toEqual(message);
      }),
      { numRuns: 1_000 },
    );
  });

  it('writes the exact bytes a plain msgpack peer expects for a fixed message', () => {
    const message = createMessage('ev', { n: 1 }, { now: () => 0 });
    const ours = codec.encode(message);
    expect(otherDecode(ours.subarray(4))).toEqual({
      event_name: 'ev',
      timestamp_ms: 0,
      timestamp_iso: '1970-01-01T00:00:00.000Z',
      message_type: 'data',
      data: { n: 1 },
    });
    expect(ours.subarray(4).includes(0xc7)).toBe(false); // no ext8
  });

  it.each([
    ['truncated MessagePack', Buffer.from([0x85]), 'IPC_BAD_FRAME'],
    ['trailing bytes', Buffer.from([0x80, 0x01]), 'IPC_BAD_FRAME'],
    ['a reserved byte', Buffer.from([0xc1]), 'IPC_INVALID_MESSAGE'],
    ['an array', otherEncode([1, 2]), 'IPC_INVALID_MESSAGE'],
    ['a string', otherEncode('x'), 'IPC_INVALID_MESSAGE'],
    ['a bad event name', otherEncode({ event_name: 'a b', timestamp_ms: 1, timestamp_iso: '', message_type: 'data', data: {} }), 'IPC_INVALID_MESSAGE'],
    ['an unknown type', otherEncode({ event_name: 'a', timestamp_ms: 1, timestamp_iso: '', message_type: 'DATA', data: {} }), 'IPC_INVALID_MESSAGE'],
    ['data as an array', otherEncode({ event_name: 'a', timestamp_ms: 1, timestamp_iso: '', message_type: 'data', data: [] }), 'IPC_INVALID_MESSAGE'],
    ['a missing timestamp', otherEncode({ event_name: 'a', timestamp_iso: '', message_type: 'data', data: {} }), 'IPC_INVALID_MESSAGE'],
  ])('rejects %s with a coded error', (_name, payload, code) => {
    expect(thrown(() => codec.decode(payload))).toMatchObject({ code });
  });

  it('names the bad field', () => {
    const payload = otherEncode({ event_name: 'a', timestamp_ms: 1, timestamp_iso: '', message_type: 'data', data: 5 });
    expect(() => codec.decode(payload)).toThrow(/data/);
  });

  it('accepts extra message types when configured', () => {
    const custom = new MessageCodec({ messageTypes: ['data', 'error', 'control', 'heartbeat'] });
    const message = createMessage('ev', {}, { type: 'heartbeat' });
    expect(custom.decode(custom.encodePayload(message)).messageType).toBe('heartbeat');
    expect(thrown(() => codec.encode(message))).toMatchObject({ code: 'IPC_INVALID_MESSAGE' });
  });

  it('refuses to encode a message above maxMessageBytes', () => {
    const small = new MessageCodec({ maxMessageBytes: 100 });
    expect(thrown(() => small.encode(createMessage('ev', { s: 'x'.repeat(200) })))).toMatchObject({ code: 'IPC_FRAME_TOO_LARGE' });
  });
});

describe('FrameReader', () => {
  it('rejects a length above the limit before allocating, and an empty frame', () => {
    const reader = new FrameReader(1024);
    const alloc = jest.spyOn(Buffer, 'allocUnsafe');
    expect(thrown(() => reader.push(Buffer.from([0xff, 0xff, 0xff, 0xff]), () => undefined))).toMatchObject({ code: 'IPC_FRAME_TOO_LARGE' });
    expect(alloc).not.toHaveBeenCalled();
    alloc.mockRestore();
    expect(thrown(() => new FrameReader(1024).push(Buffer.from([0, 0, 0, 0]), () => undefined))).toMatchObject({ code: 'IPC_BAD_FRAME' });
  });

  it('passes a frame inside one chunk on without copying, and reports truncation', () => {
    const bytes = frameOf(Buffer.from('abc'));
    const reader = new FrameReader(1024);
    const seen: Array<[Buffer, number, number]> = [];
    reader.push(bytes, (buf, start, end) => seen.push([buf, start, end]));
    expect(seen).toEqual([[bytes, 4, 7]]);
    expect(seen[0]![0]).toBe(bytes);
    reader.push(bytes.subarray(0, 5), () => undefined);
    expect(reader.atBoundary).toBe(false);
  });
});

describe('MessageCodec.decode with a range', () => {
  it('decodes only payload[start, end) and rejects bytes left over inside the range', () => {
    const message = createMessage('ev', { n: 1 }, { now: () => 5 });
    const payload = codec.encodePayload(message);
    const padded = Buffer.concat([Buffer.from([0xc1, 0xc1]), payload, Buffer.from([0x01])]);
    expect(codec.decode(padded, 2, 2 + payload.length)).toEqual(message);
    expect(thrown(() => codec.decode(padded, 2, padded.length))).toMatchObject({ code: 'IPC_BAD_FRAME' });
  });
});
