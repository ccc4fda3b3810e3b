// The long extraction fuzz: hostile archives (traversal names, symlink-then-file-through-it, hard links out, huge,
// negative and malformed sizes, truncated and corrupted archives, duplicate names, special bits, names that are not
// UTF-8) extracted for real into a destination that already holds symlinks leading out of it, next to a directory
// that must never change. The model is test/fuzz-extract-model.ts (the test suite runs 300 inputs of it per run).
//
//   npx tsx --conditions=@pocketdock/source packages/container-sdk/bench/fuzz-extract.ts
//
// Env: FUZZ_SEED (default: from the clock, printed), FUZZ_COUNT (inputs, default 100000), FUZZ_PARALLEL (arenas
// extracting at once, default 2). Every finding is printed with the seed and index that reproduce it; the exit
// code is 1 if there was any.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { Arena, fuzzCaseArb, fuzzRoot } from '../test/fuzz-extract-model.js';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const COUNT = Number(process.env.FUZZ_COUNT ?? 100_000);
const PARALLEL = Number(process.env.FUZZ_PARALLEL ?? 2);
const BATCH = 500;

async function main(): Promise<void> {
  using root = fuzzRoot();
  const t0 = performance.now();
  const outcomes = new Map<string, number>();
  const findings: string[] = [];
  let done = 0;
  try {
    const arenas = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const dir = await mkdtemp(join(root.path, `arena${i}-`));
        return new Arena(dir);
      }),
    );
    for (let batch = 0; batch * BATCH < COUNT; batch++) {
      // one sample per batch, seeded from the run's seed: a finding is reproduced by (seed, batch, index)
      const cases = fc.sample(fuzzCaseArb(arenas[0]!.outside), { seed: SEED + batch, numRuns: Math.min(BATCH, COUNT - batch * BATCH) });
      let next = 0;
      await Promise.all(
        arenas.map(async (arena) => {
          for (let i = next++; i < cases.length; i = next++) {
            // each arena's `outside` differs: point absolute link targets at this arena's own
            const c = JSON.parse(JSON.stringify(cases[i]!).split(arenas[0]!.outside).join(arena.outside), (_k, v: unknown) => revive(v)) as (typeof cases)[number];
            try {
              const outcome = await arena.run(c);
              outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            } catch (err) {
              findings.push(`seed ${SEED} batch ${batch} index ${i}: ${(err as Error).message}\n  case: ${JSON.stringify(c).slice(0, 2000)}`);
              console.error(findings[findings.length - 1]);
            }
            done++;
          }
        }),
      );
      if (batch % 20 === 19) console.log(`${done} inputs, ${((performance.now() - t0) / 1000).toFixed(0)} s, findings: ${findings.length}`);
    }
  } finally {
    console.log(`arenas under ${root.path}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seed: SEED, inputs: done, seconds: Math.round(seconds), perSecond: Math.round(done / seconds), outcomes: Object.fromEntries([...outcomes].sort()), findings: findings.length }, null, 2));
  if (findings.length > 0) process.exitCode = 1;
}

/** JSON loses Buffers (names that are not UTF-8): bring them back. */
function revive(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) return Buffer.from((v as { data: number[] }).data);
  return v;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
