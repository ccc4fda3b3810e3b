// Files, a tree: BENCH_TREE_FILES (10,000) small files of BENCH_TREE_BYTES (2,048) random bytes each, 100 to a
// directory, in and out of a container: our push/pull against the CLI's cp, each transfer in a process of its own
// as in bench/files.ts (ours in a long-lived worker, warmed up by one untimed transfer; cp a process per copy), the
// order alternating every round, `sync` before each. The destination is removed (untimed) before each transfer:
// pull replaces an existing tree file by file, and cp would copy into it instead. Also the peak RSS of our pull worker.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineClient } from '@pocketdock/engine-socket';
import { createNewContainer } from '@pocketdock/container-sdk';
import { Worker, williamsRow } from './files.js';
import { pct } from './measure.js';

const run = promisify(execFile);
const FILES = Number(process.env.BENCH_TREE_FILES ?? 10_000);
const BYTES = Number(process.env.BENCH_TREE_BYTES ?? 2048);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CLI: Record<string, string[]> = { docker: ['docker', '--host', 'unix:///var/run/docker.sock'], podman: ['podman'] };

async function makeTree(root: string): Promise<void> {
  for (let d = 0; d < Math.ceil(FILES / 100); d++) {
    const dir = join(root, `d${d}`);
    await mkdir(dir, { recursive: true });
    await Promise.all(Array.from({ length: Math.min(100, FILES - d * 100) }, (_, f) => writeFile(join(dir, `f${f}`), randomBytes(BYTES))));
  }
}

const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

export async function benchTree(engines: string[], sockets: Record<string, string>): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pocketdock-bench-tree-'));
  const src = join(work, 'tree');
  await makeTree(src);
  const rows: string[] = [];
  try {
    for (const engine of engines) {
      const socketPath = sockets[engine]!;
      // A tree of 10,000 files on a loaded machine can take the engine longer than the default 30 s to answer.
      const engineClient = await EngineClient.connect({ socketPath, timeoutMs: 600_000 });
      const c = await createNewContainer({ engine: engineClient, labels: { 'pocketdock.bench': 'container-sdk' } });
      const workers: Worker[] = [];
      try {
        await c.run(['mkdir', '-p', '/bench']);
        await c.push(src, '/bench/tree-src');
        const cli = CLI[engine]!;
        const setup = { socketPath, name: c.name, id: c.id, work, src, bytes: FILES * BYTES, contender: 'tree' as const };
        const ours = { in: new Worker({ ...setup, dir: 'in' }), out: new Worker({ ...setup, dir: 'out' }) };
        workers.push(ours.in, ours.out);
        await Promise.all([ours.in.ask(), ours.out.ask()]);
        let rssMiB = 0;
        const mine = async (dir: 'in' | 'out'): Promise<number> => {
          const reply = (await ours[dir].ask({ go: true })) as { ms: number; maxRssMiB: number };
          if (dir === 'out') rssMiB = Math.max(rssMiB, reply.maxRssMiB);
          return reply.ms;
        };
        const cp = async (dir: 'in' | 'out'): Promise<number> => {
          if (dir === 'in') {
            await c.run(['rm', '-rf', '/bench/cli-tree']);
            return timed(() => run(cli[0]!, [...cli.slice(1), 'cp', src, `${c.id}:/bench/cli-tree`]));
          }
          await rm(join(work, 'cli-tree.out'), { recursive: true, force: true });
          return timed(() => run(cli[0]!, [...cli.slice(1), 'cp', `${c.id}:/bench/tree-src`, join(work, 'cli-tree.out')]));
        };
        for (const dir of ['in', 'out'] as const) await mine(dir); // warm-up, untimed
        const contenders = [
          { label: 'pocketdock push/pull', go: mine, ms: { in: [] as number[], out: [] as number[] } },
          { label: `${engine} cp (CLI, a process per copy)`, go: cp, ms: { in: [] as number[], out: [] as number[] } },
        ];
        for (let r = 0; r < ROUNDS; r++) {
          for (const t of williamsRow(contenders.length, r).map((i) => contenders[i]!)) {
            for (const dir of ['in', 'out'] as const) {
              await run('sync');
              t.ms[dir].push(await t.go(dir));
            }
          }
        }
        const [ourMs, cpMs] = [contenders[0]!.ms, contenders[1]!.ms];
        const vs = (dir: 'in' | 'out'): string => `${pct(ourMs[dir].map((x, i) => cpMs[dir][i]! / x), 50).toFixed(2)}x`;
        const cell = (xs: number[]): string => `${pct(xs, 50).toFixed(0)} (${Math.min(...xs).toFixed(0)} - ${Math.max(...xs).toFixed(0)})`;
        for (const t of contenders) rows.push(`| ${engine} | ${t.label} | ${cell(t.ms.in)} | ${cell(t.ms.out)} | ${t === contenders[0] ? `${vs('in')} | ${vs('out')} | ${rssMiB.toFixed(0)}` : '1.00x | 1.00x |'} |`);
        for (const w of workers) await w.quit();
      } finally {
        for (const w of workers) w.kill();
        await c.shutdown();
        await engineClient.close();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nfiles, a tree: ${FILES} files of ${BYTES} random bytes (100 to a directory) in and out of a container; each transfer in a process of its own; ${ROUNDS} rounds, the order alternating; ms median (min - max); vs cp: the median over rounds of cp's time over ours in the same round (above 1: faster than cp); peak RSS: our pull worker process's during its transfers (sampled every 10 ms), MiB\n`);
  console.log('| engine | contender | in (ms) | out (ms) | in vs cp | out vs cp | peak RSS |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}
