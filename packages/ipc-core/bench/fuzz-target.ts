// The ipc frame reader as a fuzz target, shared by the seeded fuzz test (test/fuzz.test.ts, a few thousand inputs in
// every test run) and the long run (bench/fuzz.ts, FUZZ_COUNT inputs). Imports the package by name: Jest resolves it
// to src/; the long run to dist/ unless started with --conditions=@pocketdock/source.
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import fc from 'fast-check';
import { encode as otherEncode } from '@msgpack/msgpack';
import { FrameReader, MessageCodec, SocketError } from '@pocketdock/ipc-core';
import type { SocketMessage } from '@pocketdock/ipc-core';

/** The frame limit under fuzzing: small, so lengths around and above it come up often. */
export const FUZZ_MAX_BYTES = 2048;
/** The codes bytes from a peer may end in; anything else (or an uncoded throw) is a finding. */
const PEER_CODES = new Set(['IPC_BAD_FRAME', 'IPC_FRAME_TOO_LARGE', 'IPC_INVALID_MESSAGE']);

const codec = new MessageCodec({ maxMessageBytes: FUZZ_MAX_BYTES });

/** What reading one input gave: the messages, the code it failed with, whether it ended between frames. */
interface Outcome {
  messages: SocketMessage[];
  code: string | undefined;
  atBoundary: boolean;
}

/** The target: chunks through a FrameReader and the codec, as a server connection reads them. */
function feed(chunks: Buffer[]): Outcome {
  const reader = new FrameReader(FUZZ_MAX_BYTES);
  const messages: SocketMessage[] = [];
  try {
    for (const chunk of chunks) reader.push(chunk, (buffer, start, end) => messages.push(codec.decode(buffer, start, end)));
  } catch (err) {
    if (!SocketError.is(err)) throw new Error(`an uncoded error escaped the reader: ${String(err)}`, { cause: err });
    return { messages, code: err.code, atBoundary: false };
  }
  return { messages, code: undefined, atBoundary: reader.atBoundary };
}

/** The oracle: the same bytes in one piece, framed the obvious way. */
function reference(bytes: Buffer): Outcome {
  const messages: SocketMessage[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    if (bytes.length - pos < 4) return { messages, code: undefined, atBoundary: false };
    const length = bytes.readUInt32BE(pos);
    if (length > FUZZ_MAX_BYTES) return { messages, code: 'IPC_FRAME_TOO_LARGE', atBoundary: false };
    if (length === 0) return { messages, code: 'IPC_BAD_FRAME', atBoundary: false };
    if (bytes.length - pos - 4 < length) return { messages, code: undefined, atBoundary: false };
    try {
      messages.push(codec.decode(Buffer.from(bytes.subarray(pos + 4, pos + 4 + length))));
    } catch (err) {
      return { messages, code: (err as SocketError).code, atBoundary: false };
    }
    pos += 4 + length;
  }
  return { messages, code: undefined, atBoundary: true };
}

/** Cuts `bytes` at the given offsets (clamped, sorted, deduplicated): the chunks a socket might deliver. */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    if (p > last) chunks.push(bytes.subarray(last, p));
    last = p;
  }
  return chunks;
}

type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'length'; frame: number; value: number };

/** Applies `mutations` to the frames `frames`: length rewrites first (they aim at the frame's length prefix), then the rest. */
function mutate(frames: Buffer[], mutations: Mutation[]): Buffer {
  const starts: number[] = [];
  let offset = 0;
  for (const frame of frames) {
    starts.push(offset);
    offset += frame.length;
  }
  let out = Buffer.concat(frames);
  for (const m of mutations) if (m.op === 'length' && starts.length > 0) out.writeUInt32BE(m.value, starts[m.frame % starts.length]);
  for (const m of mutations) {
    if (!('at' in m)) continue;
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === 'flip' && at < out.length) out[at] = m.byte;
    else if (m.op === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else if (m.op === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
  }
  return out;
}

const messageArb: fc.Arbitrary<SocketMessage> = fc.record({
  eventName: fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/),
  timestampMs: fc.integer({ min: 0, max: 2 ** 47 }),
  timestampIso: fc.string({ maxLength: 30 }),
  messageType: fc.constantFrom('data', 'error', 'control'),
  data: fc.dictionary(
    fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
    fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 5 })),
    { maxKeys: 5, noNullPrototype: true },
  ),
}, { noNullPrototype: true });

const lengthValue = fc.oneof(
  fc.constantFrom(0, 1, FUZZ_MAX_BYTES - 1, FUZZ_MAX_BYTES, FUZZ_MAX_BYTES + 1, 0x7fff_ffff, 0xffff_ffff),
  fc.nat({ max: 0xffff_ffff }),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('length' as const), frame: fc.nat(), value: lengthValue }),
);

function framed(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/** One input: its bytes, the chunks they arrive in, and (for unmutated frames) the messages they must decode to. */
export interface FuzzInput {
  bytes: Buffer;
  cuts: number[];
  expected: SocketMessage[] | undefined;
}

const cutsArb = fc.array(fc.nat(800), { maxLength: 8 });
/**
 * Hostile and random inputs: random bytes, random bytes behind a length around the limit, valid frames (some
 * mutated), and random MessagePack values framed.
 */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  fc.record({ bytes: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), cuts: cutsArb, expected: fc.constant(undefined) }),
  fc.record({ length: lengthValue, rest: fc.uint8Array({ maxLength: FUZZ_MAX_BYTES + 64 }), cuts: cutsArb }).map(({ length, rest, cuts }) => {
    const bytes = Buffer.alloc(4 + rest.length);
    bytes.writeUInt32BE(length, 0);
    bytes.set(rest, 4);
    return { bytes, cuts, expected: undefined };
  }),
  fc
    .record({ messages: fc.array(messageArb, { maxLength: 4 }), mutations: fc.array(mutationArb, { maxLength: 3 }), cuts: cutsArb })
    .map(({ messages, mutations, cuts }) => {
      const bytes = mutate(messages.map((m) => codec.encode(m)), mutations);
      return { bytes, cuts, expected: mutations.length === 0 ? messages : undefined };
    }),
  fc.record({ value: fc.anything({ maxDepth: 3 }), cuts: cutsArb }).map(({ value, cuts }) => {
    let payload: Uint8Array;
    try {
      payload = otherEncode(value);
    } catch {
      payload = new Uint8Array([0xc1]); // not encodable by that library either: a byte MessagePack never uses
    }
    return { bytes: framed(payload), cuts, expected: undefined };
  }),
);

/**
 * The property, for one input. Throws (a finding) unless: reading in chunks gives exactly what reading in one piece
 * gives, the input fails at most with a coded error a peer can cause, unmutated frames decode to the messages
 * encoded, and no buffer larger than the frame limit is allocated on the way.
 */
export function checkInput(input: FuzzInput): void {
  const original = Buffer.allocUnsafe;
  let largest = 0;
  Buffer.allocUnsafe = (size: number) => {
    largest = Math.max(largest, size);
    return original(size);
  };
  let got: Outcome;
  try {
    got = feed(splitAt(input.bytes, input.cuts));
  } finally {
    Buffer.allocUnsafe = original;
  }
  if (got.code !== undefined && !PEER_CODES.has(got.code)) throw new Error(`unexpected code ${got.code}`);
  if (largest > FUZZ_MAX_BYTES) throw new Error(`allocated ${largest} bytes, more than the frame limit ${FUZZ_MAX_BYTES}`);
  const want = reference(input.bytes);
  if (!isDeepStrictEqual(got, want)) throw new Error(`chunked read ${JSON.stringify(got)} differs from whole read ${JSON.stringify(want)}`);
  if (input.expected !== undefined && !(got.code === undefined && got.atBoundary && isDeepStrictEqual(got.messages, input.expected))) {
    throw new Error('valid frames did not decode to the messages encoded');
  }
}

/**
 * Runs `numRuns` inputs from `seed`. The run is watched: synchronous code that loops for ever cannot be stopped by a
 * test timeout, so the run goes through `vm` with `timeoutMs`, which interrupts it (`ERR_SCRIPT_EXECUTION_TIMEOUT`).
 */
export function runFuzz(seed: number, numRuns: number, timeoutMs: number): void {
  const run = (): void => fc.assert(fc.property(fuzzInput, checkInput), { seed, numRuns });
  vm.runInContext('run()', vm.createContext({ run }), { timeout: timeoutMs });
}
