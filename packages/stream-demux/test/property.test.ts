import fc from 'fast-check';
import { Readable } from 'node:stream';
import { DemuxError, FrameEncoder, encodeFrame } from '../src/index.js';
import type { Frame, StreamName } from '../src/index.js';
import { decodeChunks, parseSync, referenceDecode, splitAt } from './helpers.js';

const frameArb = fc.record({
  stream: fc.constantFrom<StreamName>('stdin', 'stdout', 'stderr'),
  data: fc.uint8Array({ minLength: 0, maxLength: 64 }),
});

const caseArb = fc.record({
  frames: fc.array(frameArb, { maxLength: 12 }),
  cuts: fc.array(fc.nat({ max: 1024 }), { maxLength: 16 }),
});

const same = (a: Frame[], b: Frame[]): boolean =>
  a.length === b.length && a.every((f, i) => f.stream === b[i]!.stream && f.data.equals(b[i]!.data));

const encodeAll = (frames: Array<{ stream: StreamName; data: Uint8Array }>): Buffer =>
  Buffer.concat(frames.map((f) => encodeFrame(f.stream, f.data)));

// The properties run on FrameParser, the synchronous state machine inside FrameDecoder: with no stream or promise per
// case they stay fast under Jest's --detectOpenHandles (which records a stack for every async resource). The last
// property checks the FrameDecoder stream around the parser with the same generator.
describe('framing properties', () => {
  // POCKETDOCK_PROPERTY_RUNS raises the count for a longer soak; 10,000 random cases is the floor for every run.
  const numRuns = Math.max(10_000, Number(process.env.POCKETDOCK_PROPERTY_RUNS ?? 0));

  // Plain comparisons per case (Jest's deep equality is ~40x slower); fast-check reports and shrinks the case.
  it(`matches the reference decoder for random frames and split points (${numRuns} cases)`, () => {
    fc.assert(
      fc.property(caseArb, ({ frames, cuts }) => {
        const bytes = encodeAll(frames);
        const { frames: decoded, error } = parseSync(splitAt(bytes, cuts));
        return error === null && same(decoded, referenceDecode(bytes));
      }),
      { numRuns },
    );
  });

  it(`input cut short decodes the whole frames, then fails DEMUX_TRUNCATED unless cut between frames (${numRuns} cases)`, () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ({ frames, cuts }, at) => {
        const bytes = encodeAll(frames);
        const prefix = bytes.subarray(0, bytes.length === 0 ? 0 : at % bytes.length);
        const whole = referenceDecode(bytes);
        let boundary = 0;
        let complete = 0;
        while (complete < whole.length && boundary + 8 + whole[complete]!.data.length <= prefix.length) {
          boundary += 8 + whole[complete]!.data.length;
          complete++;
        }
        const { frames: decoded, error } = parseSync(splitAt(prefix, cuts));
        const truncated = DemuxError.is(error) && error.code === 'DEMUX_TRUNCATED';
        return same(decoded, whole.slice(0, complete)) && (boundary === prefix.length ? error === null : truncated);
      }),
      { numRuns },
    );
  });

  it('FrameDecoder (the stream) matches the reference decoder too', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ frames, cuts }) => {
        const bytes = encodeAll(frames);
        return same(await decodeChunks(splitAt(bytes, cuts)), referenceDecode(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('FrameEncoder output decodes to what went in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { maxLength: 12 }), async (frames) => {
        const chunks: Buffer[] = [];
        for await (const chunk of Readable.from(frames).pipe(new FrameEncoder())) chunks.push(chunk as Buffer);
        const expected = frames.map((f) => ({ stream: f.stream, data: Buffer.from(f.data) }));
        return same(referenceDecode(Buffer.concat(chunks)), expected);
      }),
      { numRuns: 300 },
    );
  });
});
