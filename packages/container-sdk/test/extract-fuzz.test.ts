import fc from 'fast-check';
import { Arena, fuzzCaseArb, fuzzRoot } from './fuzz-extract-model.js';

// Seeded, so a run is reproducible; POCKETDOCK_FUZZ_SEED / POCKETDOCK_FUZZ_RUNS explore further (the long run is
// bench/fuzz-extract.ts). Each input is a real extraction on the real file system, next to a directory that must not
// change, into a destination that already holds symlinks leading out of it.
const SEED = Number(process.env.POCKETDOCK_FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.POCKETDOCK_FUZZ_RUNS ?? 300);

describe('extraction against hostile archives (seeded fuzz)', () => {
  it(`writes nothing outside its destination and fails only with expected codes (${RUNS} inputs, seed ${SEED})`, async () => {
    using root = fuzzRoot();
    const arena = new Arena(root.path);
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCaseArb(arena.outside), async (c) => {
        const outcome = await arena.run(c);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // the generator reaches both sides: archives that extract, and each kind of refusal
    expect([...outcomes.keys()].sort()).toEqual(expect.arrayContaining(['FILE_INVALID_ARCHIVE', 'FILE_UNSAFE_ARCHIVE', 'ok']));
  }, 120_000);
});
