// pool benchmarks, both engines, one run: npx nx bench @pocketdock/pool
//   1. warm acquire (an idle container there); acquire + release back to back (release() resolves at once, the
//      check and reset run in the background, in the container's warm session); how long from release() until the
//      container is idle again (its `release` event); each round waits for that before the next, so an idle
//      container is there every time. Then the same pair in a tight loop with no pause (checks pile up), p50/p99
//   2. acquire -> run `true` -> release, at concurrency 1 and 8: the fast path (warm session) vs the exec path vs a
//      fresh container-sdk container per task (create, run, shutdown); p50 per task and tasks/s, and the p50 of the
//      background checks (release() to idle again) during the pooled runs. Checks left running after a contender
//      are waited for before the next one starts.
//      The floor, at the same concurrency: container-sdk sessions with no pool running the fast path's subshell (and a
//      bare `true`) back to back, in blocks alternating with the fast path's (BENCH_ROUNDS of each, default 4): the
//      ratio is the median over rounds of the fast path's p50 over the floor's in the same round.
//   3. cold fill to 10 idle (createPool with minIdle 10), and shutdown of 10
//   4. the check alone, in a warm session: see check-cost.ts
// Env: BENCH_N (rounds of 1 and of each pooled contender, default 200), BENCH_FRESH_N (default 24),
// BENCH_ENGINES (default "docker,podman").
import { once } from 'node:events';
import { createNewContainer } from '@pocketdock/container-sdk';
import { createPool } from '@pocketdock/pool';
import type { Pool, ReleaseInfo } from '@pocketdock/pool';
import { benchCheckCost } from './check-cost.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const N = Number(process.env.BENCH_N ?? 200);
const FRESH_N = Number(process.env.BENCH_FRESH_N ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const LABELS = { 'pocketdock.bench': 'pool' };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(1)} ms`);

/** Runs `task` n times with `concurrency` workers; per-task times and tasks/s. */
interface Loaded {
  times: number[];
  perSec: number;
}

async function load(n: number, concurrency: number, task: () => Promise<void>): Promise<Loaded> {
  const times: number[] = [];
  let left = n;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const s = performance.now();
        await task();
        times.push(performance.now() - s);
      }
    }),
  );
  return { times, perSec: (n / (performance.now() - t0)) * 1000 };
}

/** Resolves once no release check is running. */
async function checksDone(pool: Pool): Promise<void> {
  while (pool.stats().checking > 0) await once(pool, 'release');
}

/** The `checkMs` of every release event while `fn` runs (after it, the checks it left are waited for). */
async function withChecks<T>(pool: Pool, fn: () => Promise<T>): Promise<T & { checks: number[] }> {
  const checks: number[] = [];
  const listener = (info: ReleaseInfo): void => void checks.push(info.checkMs);
  pool.on('release', listener);
  try {
    const r = await fn();
    await checksDone(pool);
    return { ...r, checks };
  } finally {
    pool.off('release', listener);
  }
}

async function runTask(pool: Pool, cmd: string | string[], path: string): Promise<void> {
  const lease = await pool.acquire();
  const r = await lease.run(cmd);
  if (r.path !== path || !r.ok) throw new Error(`expected a good ${path} run, got ${JSON.stringify(r)}`);
  await lease.release();
}

/**
 * The floor of the fast path, no pool: `concurrency` containers with one container-sdk session each, each worker
 * running the same subshell the fast path sends for `true` in its own session, back to back (no acquire, no release,
 * no check). And the same with a bare `true` (one round trip, no fork). Opened once; `run` loads them for a while.
 */
async function sessionFloor(socketPath: string, concurrency: number): Promise<{ run: (script: string, n: number) => Promise<Loaded>; close: () => Promise<unknown> }> {
  const containers = await Promise.all(
    Array.from({ length: concurrency }, () => createNewContainer({ image: 'pocketdock/busybox:test', socketPath, labels: LABELS })),
  );
  const sessions = await Promise.all(containers.map((c) => c.session()));
  const run = (script: string, n: number): Promise<Loaded> =>
    load(n, concurrency, async () => {
      const session = sessions.pop()!; // as many sessions as workers: one is always free
      try {
        const r = await session.run(script);
        if (r.exitCode !== 0) throw new Error(`the floor's run failed: ${JSON.stringify(r)}`);
      } finally {
        sessions.push(session);
      }
    });
  return { run, close: () => Promise.all(containers.map((c) => c.shutdown({ force: true }))) };
}

/**
 * The fast path against its floor in alternating blocks (ROUNDS of each, N/ROUNDS tasks a block), so that a change of
 * the machine's load hits both alike: the ratio is the median over rounds of each round's p50 over the floor's.
 */
async function fastVsFloor(pool: Pool, socketPath: string, concurrency: number): Promise<{ fast: Loaded & { checks: number[] }; subshell: Loaded; bare: Loaded; ratio: number }> {
  const floor = await sessionFloor(socketPath, concurrency);
  const all = { fast: [] as number[], checks: [] as number[], subshell: [] as number[], bare: [] as number[] };
  const rate = { fast: 0, subshell: 0, bare: 0 };
  const ratios: number[] = [];
  const n = Math.max(concurrency, Math.round(N / ROUNDS));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const fast = await withChecks(pool, () => load(n, concurrency, () => runTask(pool, 'true', 'session')));
      const subshell = await floor.run("(\neval 'true'\n)", n);
      const bare = await floor.run('true', n);
      ratios.push(pct(fast.times, 50) / pct(subshell.times, 50));
      all.fast.push(...fast.times);
      all.checks.push(...fast.checks);
      all.subshell.push(...subshell.times);
      all.bare.push(...bare.times);
      rate.fast += fast.perSec / ROUNDS;
      rate.subshell += subshell.perSec / ROUNDS;
      rate.bare += bare.perSec / ROUNDS;
    }
  } finally {
    await floor.close();
  }
  return {
    fast: { times: all.fast, perSec: rate.fast, checks: all.checks },
    subshell: { times: all.subshell, perSec: rate.subshell },
    bare: { times: all.bare, perSec: rate.bare },
    ratio: pct(ratios, 50),
  };
}

async function benchEngine(engine: string): Promise<void> {
  const socketPath = SOCKETS[engine]!;
  const name = `pd-bench-${Date.now().toString(36)}`;
  let t0 = performance.now();
  const pool = await createPool({ name, image: 'pocketdock/busybox:test', socketPath, minIdle: 10, maxSize: 10, labels: LABELS });
  console.log(`${engine}: cold fill to 10 idle: ${fmt(performance.now() - t0)} (idle ${pool.stats().idle})`);
  try {
    const acquire: number[] = [];
    const both: number[] = [];
    const untilIdle: number[] = [];
    for (let i = 0; i < N; i++) {
      const checked = once(pool, 'release') as Promise<[ReleaseInfo]>; // only this lease's check runs now
      t0 = performance.now();
      const lease = await pool.acquire();
      const t1 = performance.now();
      await lease.release();
      const t2 = performance.now();
      const [info] = await checked;
      if (!info.reused) throw new Error(`the check failed: ${JSON.stringify(info)}`);
      acquire.push(t1 - t0);
      both.push(t2 - t0);
      untilIdle.push(performance.now() - t1);
    }
    console.log(`${engine}: warm acquire (n=${N}): p50 ${fmt(pct(acquire, 50))}, p99 ${fmt(pct(acquire, 99))}`);
    console.log(`${engine}: warm acquire + release (n=${N}): p50 ${fmt(pct(both, 50))}, p99 ${fmt(pct(both, 99))}`);
    console.log(`${engine}: release() -> idle again (the background check) (n=${N}): p50 ${fmt(pct(untilIdle, 50))}, p99 ${fmt(pct(untilIdle, 99))}`);
    const tight = await withChecks(pool, () =>
      load(N, 1, async () => {
        const lease = await pool.acquire();
        await lease.release();
      }),
    );
    console.log(
      `${engine}: acquire + release in a tight loop, no pause (n=${N}): p50 ${fmt(pct(tight.times, 50))}, p99 ${fmt(pct(tight.times, 99))}, ${tight.perSec.toFixed(1)}/s; checks p50 ${fmt(pct(tight.checks, 50))}`,
    );
    for (const concurrency of [1, 8]) {
      const { fast, subshell, bare, ratio } = await fastVsFloor(pool, socketPath, concurrency);
      const exec = await withChecks(pool, () => load(Math.min(N, 60), concurrency, () => runTask(pool, ['true'], 'exec')));
      const fresh = await load(FRESH_N, concurrency, async () => {
        const c = await createNewContainer({ image: 'pocketdock/busybox:test', socketPath, labels: LABELS });
        try {
          await c.run('true');
        } finally {
          await c.shutdown({ force: true });
        }
      });
      const line = (what: string, r: { times: number[]; perSec: number; checks?: number[] }): string =>
        `${what} (n=${r.times.length}) p50 ${fmt(pct(r.times, 50))}, ${r.perSec.toFixed(1)}/s${r.checks ? ` (checks p50 ${fmt(pct(r.checks, 50))})` : ''}`;
      console.log(`${engine}: acquire -> run true -> release, concurrency ${concurrency}: ${line('fast path', fast)}; ${line('exec path', exec)}; ${line('fresh container', fresh)}`);
      console.log(`${engine}:   fast path / exec path throughput, concurrency ${concurrency}: ${(fast.perSec / exec.perSec).toFixed(1)}x`);
      console.log(
        `${engine}:   the floor, sessions with no pool, concurrency ${concurrency}: ${line('the fast path\'s subshell', subshell)}; ${line('bare true', bare)}; fast path p50 / floor p50: ${(pct(fast.times, 50) / pct(subshell.times, 50)).toFixed(2)}x overall, ${ratio.toFixed(2)}x the median of ${ROUNDS} alternating rounds`,
      );
    }
  } finally {
    t0 = performance.now();
    await pool.shutdown();
    console.log(`${engine}: shutdown of 10: ${fmt(performance.now() - t0)}`);
  }
  await benchCheckCost(engine, socketPath, LABELS);
}

for (const engine of (process.env.BENCH_ENGINES ?? 'docker,podman').split(',')) await benchEngine(engine.trim());
