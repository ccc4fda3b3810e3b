// The attach-stream frame reader (FrameParser) as a fuzz target, shared by the seeded fuzz test (test/fuzz.test.ts, a
// few thousand inputs in every test run) and the long run (bench/fuzz.ts, FUZZ_COUNT inputs). Imports the package by
// name: Jest resolves it to src/; the long run to dist/ unless started with --conditions=@pocketdock/source.
import vm from 'node:vm';
import fc from 'fast-check';
import { DemuxError, FrameParser, encodeFrame } from '@pocketdock/stream-demux';
import type { Frame, StreamName } from '@pocketdock/stream-demux';

/** The codes bytes from an engine may end in; anything else (or an uncoded throw) is a finding. */
const INPUT_CODES = new Set(['DEMUX_BAD_HEADER', 'DEMUX_TRUNCATED', 'DEMUX_FRAME_TOO_LARGE']);
const STREAMS: readonly StreamName[] = ['stdin', 'stdout', 'stderr'];

interface Outcome {
  frames: Frame[];
  code: string | undefined;
}

/** The target: chunks through a FrameParser, then the end of input. */
function feed(chunks: Buffer[], maxFrameBytes: number): Outcome {
  const parser = new FrameParser(maxFrameBytes);
  const frames: Frame[] = [];
  try {
    for (const chunk of chunks) parser.push(chunk, (frame) => frames.push(frame));
    parser.end();
  } catch (err) {
    if (!DemuxError.is(err)) throw new Error(`an uncoded error escaped the parser: ${String(err)}`, { cause: err });
    return { frames, code: err.code };
  }
  return { frames, code: undefined };
}

/** The oracle: the same bytes in one piece, checked and framed the obvious way. */
function reference(bytes: Buffer, maxFrameBytes: number): Outcome {
  const frames: Frame[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    if (bytes.length - pos < 8) return { frames, code: 'DEMUX_TRUNCATED' };
    const stream = STREAMS[bytes[pos]!];
    if (stream === undefined || bytes[pos + 1] !== 0 || bytes[pos + 2] !== 0 || bytes[pos + 3] !== 0) return { frames, code: 'DEMUX_BAD_HEADER' };
    const size = bytes.readUInt32BE(pos + 4);
    if (size > maxFrameBytes) return { frames, code: 'DEMUX_FRAME_TOO_LARGE' };
    if (bytes.length - pos - 8 < size) return { frames, code: 'DEMUX_TRUNCATED' };
    frames.push({ stream, data: bytes.subarray(pos + 8, pos + 8 + size) });
    pos += 8 + size;
  }
  return { frames, code: undefined };
}

const same = (a: Outcome, b: Outcome): boolean =>
  a.code === b.code && a.frames.length === b.frames.length && a.frames.every((f, i) => f.stream === b.frames[i]!.stream && f.data.equals(b.frames[i]!.data));

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
  | { op: 'header'; frame: number; byte: number; index: number }
  | { op: 'size'; frame: number; value: number };

/** Applies `mutations` to `frames`: header rewrites first (they aim at a frame's header), then the rest. */
function mutate(frames: Buffer[], mutations: Mutation[]): Buffer {
  const starts: number[] = [];
  let offset = 0;
  for (const frame of frames) {
    starts.push(offset);
    offset += frame.length;
  }
  let out = Buffer.concat(frames);
  for (const m of mutations) {
    if (starts.length === 0) break;
    if (m.op === 'size') out.writeUInt32BE(m.value, starts[m.frame % starts.length]! + 4);
    else if (m.op === 'header') out[starts[m.frame % starts.length]! + (m.index % 4)] = m.byte;
  }
  for (const m of mutations) {
    if (!('at' in m)) continue;
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.op === 'flip' && at < out.length) out[at] = m.byte;
    else if (m.op === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else if (m.op === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
  }
  return out;
}

/** One input: its bytes, the chunks they arrive in, the frame limit, and (unmutated) the frames they must give. */
export interface FuzzInput {
  bytes: Buffer;
  cuts: number[];
  maxFrameBytes: number;
  expected: Frame[] | undefined;
}

const limitArb = fc.oneof(fc.constantFrom(0, 1, 8, 64, 16 * 1024 * 1024), fc.nat(512));
const frameArb = fc.record({ stream: fc.constantFrom(...STREAMS), data: fc.uint8Array({ maxLength: 80 }).map((d) => Buffer.from(d)) });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.oneof(fc.nat(3), fc.nat(255)) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('header' as const), frame: fc.nat(), byte: fc.oneof(fc.nat(3), fc.nat(255)), index: fc.nat(3) }),
  fc.record({ op: fc.constant('size' as const), frame: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 80, 513, 0xffff_ffff), fc.nat({ max: 0xffff_ffff })) }),
);
const cutsArb = fc.array(fc.nat(1200), { maxLength: 10 });

/** Hostile and random inputs: random bytes, and valid frame streams (some mutated), under random frame limits. */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(
  fc.record({ bytes: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), cuts: cutsArb, maxFrameBytes: limitArb, expected: fc.constant(undefined) }),
  fc
    .record({ frames: fc.array(frameArb, { maxLength: 12 }), mutations: fc.array(mutationArb, { maxLength: 3 }), cuts: cutsArb, maxFrameBytes: limitArb })
    .map(({ frames, mutations, cuts, maxFrameBytes }) => {
      const bytes = mutate(frames.map((f) => encodeFrame(f.stream, f.data)), mutations);
      const fits = frames.every((f) => f.data.length <= maxFrameBytes);
      return { bytes, cuts, maxFrameBytes, expected: mutations.length === 0 && fits ? frames : undefined };
    }),
);

/**
 * The property, for one input. Throws (a finding) unless: reading in chunks gives exactly what reading in one piece
 * gives (the same frames, then the same coded error), unmutated frames within the limit come out as they went in,
 * and no buffer larger than the frame limit is allocated on the way.
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
    got = feed(splitAt(input.bytes, input.cuts), input.maxFrameBytes);
  } finally {
    Buffer.allocUnsafe = original;
  }
  if (got.code !== undefined && !INPUT_CODES.has(got.code)) throw new Error(`unexpected code ${got.code}`);
  if (largest > Math.max(input.maxFrameBytes, 8)) throw new Error(`allocated ${largest} bytes, more than the frame limit ${input.maxFrameBytes}`);
  const want = reference(input.bytes, input.maxFrameBytes);
  if (!same(got, want)) throw new Error(`chunked read (${got.frames.length} frames, ${got.code}) differs from whole read (${want.frames.length} frames, ${want.code})`);
  if (input.expected !== undefined && !same(got, { frames: input.expected, code: undefined })) throw new Error('valid frames did not come out as they went in');
}

/**
 * Runs `numRuns` inputs from `seed`. The run is watched: synchronous code that loops for ever cannot be stopped by a
 * test timeout, so the run goes through `vm` with `timeoutMs`, which interrupts it (`ERR_SCRIPT_EXECUTION_TIMEOUT`).
 */
export function runFuzz(seed: number, numRuns: number, timeoutMs: number): void {
  const run = (): void => fc.assert(fc.property(fuzzInput, checkInput), { seed, numRuns });
  vm.runInContext('run()', vm.createContext({ run }), { timeout: timeoutMs });
}
