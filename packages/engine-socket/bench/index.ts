// Benchmarks of @pocketdock/engine-socket against both real engines (built package: run via `npx nx bench
// @pocketdock/engine-socket`, which builds first). Prints a markdown report with ratios on stdout; progress on stderr.
//   BENCH_ROUNDS (default 9) interleaved bursts of BENCH_ROUND_MS (default 300) per throughput contender;
//   BENCH_EXEC_ITERATIONS (default 40; 0 skips them) exec round trips per contender, interleaved.
import { loadavg } from 'node:os';
import { startTestContainer, testEngines } from '@pocketdock/testkit';
import { execRoundTrip } from './exec-round-trip.js';
import type { ExecRow } from './exec-round-trip.js';
import { fmt } from './measure.js';
import type { Sampled } from './measure.js';
import { throughput } from './throughput.js';
import type { ThroughputRow } from './throughput.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const roundMs = Number(process.env.BENCH_ROUND_MS ?? 300);
const iterations = Number(process.env.BENCH_EXEC_ITERATIONS ?? 40);

const cell = (s: Sampled, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)} - ${fmt(s.max, digits)})`;
const x = (a: Sampled, b: Sampled) => `${fmt(a.median / b.median, 2)}x`;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const rows: ThroughputRow[] = [];
  const execs: ExecRow[] = [];
  for (const engine of testEngines()) {
    await using container = await startTestContainer(engine);
    rows.push(...(await throughput(engine, container.id, rounds, roundMs)));
    if (iterations > 0) execs.push(await execRoundTrip(engine, container.id, iterations));
  }
  const out: string[] = [
    `Node ${process.version}; load average (1 min) ${fmt(loadBefore, 1)} before, ${fmt(loadavg()[0]!, 1)} after.`,
    `Throughput: ops/s, median (min - max) of ${rounds} interleaved ${roundMs} ms bursts per contender. ` +
      `Exec: ms, p50 (min - max) of ${iterations} interleaved round trips per contender.`,
    '',
    '| engine | call | conc. | ours keep-alive | bare undici Pool | ours per-operation | dockerode | bare http.request | keep-alive / Pool | keep-alive / dockerode | per-operation / dockerode | keep-alive / per-operation | keep-alive / bare |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.engine} | \`${r.call}\` | ${r.concurrency} | ${cell(r.keepAlive)} | ${cell(r.pool)} | ${cell(r.perOperation)} | ${cell(r.dockerode)} | ${cell(r.raw)} | ` +
        `${x(r.keepAlive, r.pool)} | ${x(r.keepAlive, r.dockerode)} | ${x(r.perOperation, r.dockerode)} | ${x(r.keepAlive, r.perOperation)} | ${x(r.keepAlive, r.raw)} |`,
    );
  }
  out.push('', '| engine | exec `true`: ours | dockerode | CLI | raw floor | ours / floor | ours / dockerode | ours / CLI |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const e of execs) {
    out.push(`| ${e.engine} | ${cell(e.ours, 1)} | ${cell(e.dockerode, 1)} | ${cell(e.cli, 1)} | ${cell(e.raw, 1)} | ${x(e.ours, e.raw)} | ${x(e.ours, e.dockerode)} | ${x(e.ours, e.cli)} |`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
