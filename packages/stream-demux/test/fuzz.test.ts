import fc from 'fast-check';
import { DemuxError, FrameDecoder } from '../src/index.js';
import type { Frame } from '../src/index.js';
import { runFuzz } from '../bench/fuzz-target.js';
import { splitAt } from './helpers.js';

// Seeded, so a failure is reproducible; POCKETDOCK_FUZZ_SEED and POCKETDOCK_FUZZ_RUNS change it and the count. The long
// run (100,000+ inputs) is `bench/fuzz.ts`. property.test.ts holds the properties of valid streams; this is about
// hostile ones.
const seed = Number(process.env.POCKETDOCK_FUZZ_SEED ?? 20_261_202);
const numRuns = Math.max(6_000, Number(process.env.POCKETDOCK_FUZZ_RUNS ?? 0));

/** A FrameDecoder's result for some chunks: its frames and the code of its 'error', if any. */
function decode(chunks: Buffer[], maxFrameBytes: number): Promise<{ frames: Frame[]; error: unknown }> {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder({ maxFrameBytes });
  return new Promise((resolve) => {
    decoder.on('data', (frame: Frame) => frames.push(frame));
    decoder.once('error', (error) => resolve({ frames, error }));
    decoder.once('end', () => resolve({ frames, error: undefined }));
    for (const chunk of chunks) decoder.write(chunk);
    decoder.end();
  });
}

describe('hostile bytes (fuzzing)', () => {
  it(`FrameParser: random and mutated streams in random chunks give what the whole input gives, coded errors only, bounded allocation (${numRuns} inputs, seed ${seed})`, () => {
    // random bytes; valid frame streams with bytes flipped, inserted, deleted or a size rewritten; frame limits from
    // 0 to 16 MiB. Watched: a hang fails after 60 s.
    runFuzz(seed, numRuns, 60_000);
  });

  it('FrameDecoder: random bytes end in frames or in one coded error event, never a throw (300 inputs)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 6 }), fc.nat(100), async (bytes, cuts, max) => {
        const { error } = await decode(splitAt(Buffer.from(bytes), cuts), max);
        return error === undefined || (DemuxError.is(error) && ['DEMUX_BAD_HEADER', 'DEMUX_TRUNCATED', 'DEMUX_FRAME_TOO_LARGE'].includes(error.code));
      }),
      { seed, numRuns: 300 },
    );
  });
});
