// The long fuzz run of the ipc frame reader (FrameReader + MessageCodec): the property of test/fuzz.test.ts over many
// more inputs, in batches, each watched for hangs. Stops at the first finding, shrunk, with the seed to replay it.
// Run (the source, no build): node --conditions=@pocketdock/source --import tsx packages/ipc-core/bench/fuzz.ts
// Env: FUZZ_SEED (default: random, printed), FUZZ_COUNT (default 100,000 inputs), FUZZ_BATCH (10,000),
// FUZZ_BATCH_TIMEOUT_MS (300,000: a batch that runs longer counts as a hang).
import { loadavg } from 'node:os';
import { FUZZ_MAX_BYTES, runFuzz } from './fuzz-target.js';

const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const count = Number(process.env['FUZZ_COUNT'] ?? 100_000);
const batch = Number(process.env['FUZZ_BATCH'] ?? 10_000);
const timeoutMs = Number(process.env['FUZZ_BATCH_TIMEOUT_MS'] ?? 300_000);

console.log(`ipc frame reader fuzz: seed ${seed}, ${count.toLocaleString('en-US')} inputs, frame limit ${FUZZ_MAX_BYTES} bytes, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const t0 = process.hrtime.bigint();
let done = 0;
let peakRss = process.memoryUsage().rss;
for (let b = 0; done < count; b++) {
  const n = Math.min(batch, count - done);
  try {
    runFuzz(seed + b, n, timeoutMs);
  } catch (err) {
    console.log(`FINDING in batch ${b} (replay: FUZZ_SEED=${seed + b} FUZZ_COUNT=${n} FUZZ_BATCH=${n}):\n${(err as Error).message}`);
    process.exit(1);
  }
  done += n;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `no findings: ${done.toLocaleString('en-US')} inputs in ${s.toFixed(1)} s (${Math.round(done / s).toLocaleString('en-US')}/s), ` +
    `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
