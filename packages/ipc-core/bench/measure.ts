// Timing for the codec bench: each case runs in rounds, and each round is timed twice, by the wall clock and by the
// CPU time of this process (`process.cpuUsage`: user + system). On a shared machine the wall clock also counts the
// time this process waited for a core; the CPU time mostly does not, so its figures (and the ratios between cases
// of the same run) move far less with the load. Rounds of all cases are interleaved, so load changes hit each alike.
import { loadavg } from 'node:os';

export interface BenchCase {
  name: string;
  /** One call; it handles `perCall` messages. */
  run: () => unknown;
  perCall: number;
}

export interface CaseResult {
  name: string;
  /** ns per message, sorted ascending, one per round. */
  wall: number[];
  cpu: number[];
}

export const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
export const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Runs every case for `rounds` rounds of about `messages` messages each, after a warm-up, interleaving the cases. */
export function measure(cases: BenchCase[], messages: number, rounds: number): CaseResult[] {
  const results = cases.map((c) => ({ name: c.name, wall: [] as number[], cpu: [] as number[] }));
  for (const c of cases) {
    const calls = Math.max(1, Math.floor(Math.min(messages, 20_000) / c.perCall));
    for (let i = 0; i < calls; i++) c.run(); // warm-up: every case compiled before any is timed
  }
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, k) => {
      const calls = Math.max(1, Math.floor(messages / c.perCall));
      const cpu0 = process.cpuUsage();
      const wall0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) c.run();
      const wallNs = Number(process.hrtime.bigint() - wall0);
      const cpu = process.cpuUsage(cpu0);
      const n = calls * c.perCall;
      results[k]!.wall.push(wallNs / n);
      results[k]!.cpu.push(((cpu.user + cpu.system) * 1_000) / n);
    });
  }
  for (const r of results) {
    r.wall.sort((a, b) => a - b);
    r.cpu.sort((a, b) => a - b);
  }
  return results;
}

const ns = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The table: CPU ns (median, min - max), wall ns (median), messages/s on one core by CPU time. */
export function printTable(results: CaseResult[]): void {
  console.log('| step | CPU ns per message | wall ns per message | messages/s (one core, CPU) |');
  console.log('|---|---:|---:|---:|');
  for (const r of results) {
    const cpu = median(r.cpu);
    console.log(
      `| ${r.name} | ${ns(cpu)} (${ns(r.cpu[0]!)} - ${ns(r.cpu.at(-1)!)}) | ${ns(median(r.wall))} (${ns(r.wall[0]!)} - ${ns(r.wall.at(-1)!)}) | ${ns(1e9 / cpu)} |`,
    );
  }
}
