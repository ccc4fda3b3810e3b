/** Counts how many times `op` completes with `concurrency` workers in `ms`; returns operations per second. */
async function burst(op: () => Promise<unknown>, concurrency: number, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/** A contender's result: the median and the spread of its samples. */
export interface Sampled {
  median: number;
  min: number;
  max: number;
}

const summarise = (values: number[]): Sampled => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * ops/s of each contender, measured in `rounds` interleaved bursts of `roundMs` (after one warm-up burst each),
 * reporting each contender's median burst. Interleaving spreads the machine's noise evenly over the contenders.
 */
export async function compareOpsPerSecond<K extends string>(
  ops: Record<K, () => Promise<unknown>>,
  concurrency: number,
  rounds: number,
  roundMs: number,
): Promise<Record<K, Sampled>> {
  const names = Object.keys(ops) as K[];
  for (const name of names) await burst(ops[name], concurrency, Math.min(roundMs, 300));
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) samples[name].push(await burst(ops[name], concurrency, roundMs));
  }
  return Object.fromEntries(names.map((n) => [n, summarise(samples[n])])) as Record<K, Sampled>;
}

/**
 * p50 latency in ms of each contender, over `iterations` runs each, interleaved one by one (after `warmup` runs
 * each), so a noisy moment hits every contender alike.
 */
export async function compareMedianMs<K extends string>(ops: Record<K, () => Promise<unknown>>, iterations: number, warmup = 3): Promise<Record<K, Sampled>> {
  const names = Object.keys(ops) as K[];
  for (let i = 0; i < warmup; i++) for (const name of names) await ops[name]();
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < iterations; i++) {
    for (const name of names) {
      const t0 = performance.now();
      await ops[name]();
      samples[name].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarise(samples[n])])) as Record<K, Sampled>;
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
