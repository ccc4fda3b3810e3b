// Files: 100 MiB in and out of a container, ours vs the CLI's cp vs dockerode's putArchive/getArchive, and the
// peak memory growth of a 1 GiB round trip. Every contender reads from / writes to a host file (or a Buffer where
// marked). Each contender runs each direction in a Node process of its own (bench/files-worker.ts), as each
// `docker cp` is one, warmed up by one untimed transfer; the rounds are interleaved from here in a balanced order,
// so drift in the machine's load and the contender that ran just before hit all alike (BENCH_ROUNDS=10 balances
// five contenders fully).
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { WorkerReply, WorkerSetup } from './files-worker.js';
import { pct } from './measure.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_FILE_MIB ?? 100);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI: Record<string, string[]> = { docker: ['docker', '--host', 'unix:///var/run/docker.sock'], podman: ['podman'] };
const WORKER = join(import.meta.dirname, 'files-worker.ts');

const ALL_CONTENDERS: Array<[WorkerSetup['contender'], string]> = [
  ['memory', 'pocketdock writeFile/readFile (Buffer in memory)'],
  ['stream', 'pocketdock writeFile(stream)/readFileStream (host file)'],
  ['push-pull', 'pocketdock push/pull (host file)'],
  ['dockerode', 'dockerode'],
];
const ONLY = process.env.BENCH_FILES_CONTENDERS?.split(',');
const CONTENDERS = ALL_CONTENDERS.filter(([kind]) => !ONLY || ONLY.includes(kind));

/** A contender's process: `ask` sends one message and resolves with the reply (an error reply rejects). */
export class Worker {
  readonly #child: ChildProcess;
  #pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | undefined;

  constructor(setup: WorkerSetup) {
    const execArgv = process.execArgv.includes('--expose-gc') ? process.execArgv : [...process.execArgv, '--expose-gc'];
    this.#child = fork(WORKER, [], { execArgv, env: { ...process.env, BENCH_WORKER: JSON.stringify(setup) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: WorkerReply) => {
      const p = this.#pending;
      this.#pending = undefined;
      if ('error' in reply) p?.reject(new Error(`${setup.contender} worker: ${reply.error}`));
      else p?.resolve(reply);
    });
    this.#child.on('exit', (code) => this.#pending?.reject(new Error(`${setup.contender} worker exited (${String(code)})`)));
  }

  /** The next reply, after sending `msg` (if any). */
  ask(msg?: object): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      if (msg) this.#child.send(msg);
    });
  }

  async quit(): Promise<void> {
    if (this.#child.exitCode !== null || !this.#child.connected) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.send({ quit: true });
    await exited;
  }

  kill(): void {
    this.#child.kill();
  }
}

/**
 * Row `r` of a Williams design for `n` contenders: taken over n rounds (2n when n is odd), each contender runs in
 * every position and right after each of the others equally often.
 */
export function williamsRow(n: number, r: number): number[] {
  const base: number[] = [];
  for (let i = 0, lo = 1, hi = n - 1; i < n; i++) base.push(i === 0 ? 0 : i % 2 === 1 ? lo++ : hi--);
  const row = base.map((b) => (b + r) % n);
  return n % 2 === 1 && Math.floor(r / n) % 2 === 1 ? row.reverse() : row;
}

const median = (xs: number[]): number => pct(xs, 50);
const mbps = (ms: number): number => (SIZE_MIB * MIB) / 1e6 / (ms / 1000);
const cell = (xs: number[]): string => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)} - ${Math.max(...xs).toFixed(0)})`;

export async function benchFiles(engines: string[], sockets: Record<string, string>): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  const src = join(work, 'src.bin');
  await writeFile(src, randomBytes(SIZE_MIB * MIB));
  const rows: string[] = [];
  try {
    for (const engine of engines) {
      const socketPath = sockets[engine]!;
      const c = await createNewContainer({ socketPath, labels: { 'pocketdock.bench': 'container-sdk' } });
      const workers: Worker[] = [];
      try {
        await c.run(['mkdir', '-p', '/bench']);
        const setup = { socketPath, name: c.name, id: c.id, work, src, bytes: SIZE_MIB * MIB };
        // First, in a fresh process: 1 GiB through ours, generated lazily and drained.
        const bigWorker = new Worker({ ...setup, contender: 'big', dir: 'in', bytes: BIG_MIB * MIB });
        workers.push(bigWorker);
        const big = (await bigWorker.ask()) as { inMBps: number; outMBps: number; growthMiB: number };
        rows.push(`| ${engine} | pocketdock, ${BIG_MIB} MiB in + out (peak RSS growth ${big.growthMiB.toFixed(1)} MiB) | ${big.inMBps.toFixed(0)} | ${big.outMBps.toFixed(0)} | | |`);

        const cli = CLI[engine]!;
        const cp = {
          in: () => run(cli[0]!, [...cli.slice(1), 'cp', src, `${c.id}:/bench/cli.bin`]),
          out: () => run(cli[0]!, [...cli.slice(1), 'cp', `${c.id}:/bench/cli.bin`, join(work, 'cli.out')]),
        };
        const timedCli = async (fn: () => Promise<unknown>): Promise<number> => {
          const t0 = performance.now();
          await fn();
          return performance.now() - t0;
        };
        const procs = CONTENDERS.map(([kind, label]) => {
          const start = (dir: 'in' | 'out'): { w: Worker; ready: Promise<WorkerReply> } => {
            const w = new Worker({ ...setup, contender: kind, dir });
            workers.push(w);
            return { w, ready: w.ask() };
          };
          return { label, in: start('in'), out: start('out') };
        });
        for (const p of procs) await Promise.all([p.in.ready, p.out.ready]);
        // One untimed transfer each first: ours run in long-lived processes, warmed up like an application's.
        for (const p of procs) for (const dir of ['in', 'out'] as const) await p[dir].w.ask({ go: true });
        const results = new Map<string, { in: number[]; out: number[] }>();
        const cpLabel = `${engine} cp (CLI, a process per copy)`;
        const timings: Array<{ label: string; in: () => Promise<number>; out: () => Promise<number> }> = [
          ...procs.map((p) => ({
            label: p.label,
            in: async () => ((await p.in.w.ask({ go: true })) as { ms: number }).ms,
            out: async () => ((await p.out.w.ask({ go: true })) as { ms: number }).ms,
          })),
          { label: cpLabel, in: () => timedCli(cp.in), out: () => timedCli(cp.out) },
        ];
        // The order changes every round (a Williams design): what ran just before a transfer measurably changes it
        // (a 100 MiB Buffer made and dropped in another process slowed the next pull), so every contender follows
        // each of the others equally often over n rounds (2n for an odd n, e.g. 10 for the five here). Before each
        // timed transfer, `sync`: the previous transfers' dirty pages (100 MiB files written on the host and in the
        // container) are written back then, not during the next one.
        for (let r = 0; r < ROUNDS; r++) {
          for (const t of williamsRow(timings.length, r).map((i) => timings[i]!)) {
            for (const dir of ['in', 'out'] as const) {
              await run('sync');
              const ms = await t[dir]();
              const m = results.get(t.label) ?? { in: [], out: [] };
              m[dir].push(mbps(ms));
              results.set(t.label, m);
            }
          }
        }
        // Each round's figure over cp's in the same round, then the median: drift between rounds cancels out.
        const cpm = results.get(cpLabel)!;
        const vsCp = (xs: number[], dir: 'in' | 'out'): string => `${median(xs.map((x, i) => x / cpm[dir][i]!)).toFixed(2)}x`;
        for (const [label, m] of results) rows.push(`| ${engine} | ${label} | ${cell(m.in)} | ${cell(m.out)} | ${vsCp(m.in, 'in')} | ${vsCp(m.out, 'out')} |`);
        for (const w of workers) await w.quit();
      } finally {
        for (const w of workers) w.kill();
        await c.shutdown();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nfiles: ${SIZE_MIB} MiB of random bytes in and out of a container (host file, or a Buffer where marked); each contender and direction in a process of its own; ${ROUNDS} rounds interleaved, the order balanced (a Williams design); MB/s median (min - max), 1 MB = 10^6 B; vs cp: the median over rounds of the figure over cp's in the same round\n`);
  console.log('| engine | contender | in (MB/s) | out (MB/s) | in vs cp | out vs cp |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}
