// A pool over two engines against each engine alone, one run: acquire -> run `true` (fast path) -> release, at
// concurrency 1 and 8, on pools of maxSize 8 and minIdle 8 in all (over two engines: least loaded, 4 + 4 idle at
// the start, each engine allowed 8). tasks/s and acquire p50/p99 per contender, then the ratios of the two-engine
// pool to each engine alone. Then the layer's own cost: warm acquire + release back to back with no run (the
// container idle again before the next round), the two-engine pool against a single pool on the same engine
// (in-order placement, so both use docker only).
// Run (the built dist): node tools/build-package.mjs packages/pool && npx tsx packages/pool/bench/multi-engine.ts
// Env: BENCH_N (tasks per contender, default 200), BENCH_WARM_N (warm rounds, default 300).
import { once } from 'node:events';
import { createPool } from '@pocketdock/pool';
import type { Lease, MultiEnginePool, Pool } from '@pocketdock/pool';

const DOCKER = '/var/run/docker.sock';
const PODMAN = '/run/podman/podman.sock';
const N = Number(process.env.BENCH_N ?? 200);
const WARM_N = Number(process.env.BENCH_WARM_N ?? 300);
const LABELS = { 'pocketdock.bench': 'pool-multi-engine' };
type AnyPool = Pool | MultiEnginePool;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const name = (what: string): string => `pd-bench-multi-${what}-${Date.now().toString(36)}`;
const common = { image: 'pocketdock/busybox:test', refillIntervalMs: 100, labels: LABELS };

async function settled(pool: AnyPool, minIdle: number): Promise<void> {
  for (;;) {
    const s = pool.stats();
    if (s.idle >= minIdle && s.checking === 0 && s.creating === 0 && s.removing === 0) return;
    await sleep(50);
  }
}

function single(socketPath: string): Promise<Pool> {
  return createPool({ ...common, name: name('one'), socketPath, minIdle: 8, maxSize: 8 });
}

function both(placement: 'least-loaded' | 'in-order' = 'least-loaded'): Promise<MultiEnginePool> {
  const engines = [
    { name: 'docker', socketPath: DOCKER, maxSize: 8 },
    { name: 'podman', socketPath: PODMAN, maxSize: 8 },
  ];
  return createPool({ ...common, name: name('two'), engines, placement, minIdle: 8, maxSize: 8 });
}

interface Result {
  perSec: number;
  p50: number;
  p99: number;
}

async function tasks(make: () => Promise<AnyPool>, concurrency: number): Promise<Result> {
  const pool = await make();
  try {
    await settled(pool, 8);
    const acquire: number[] = [];
    let left = N;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const s = performance.now();
          const lease: Lease = await pool.acquire({ timeoutMs: 120_000 });
          acquire.push(performance.now() - s);
          const r = await lease.run('true');
          if (!r.ok) throw new Error(`run failed: ${JSON.stringify(r)}`);
          await lease.release();
        }
      }),
    );
    return { perSec: (N / (performance.now() - t0)) * 1000, p50: pct(acquire, 50), p99: pct(acquire, 99) };
  } finally {
    await pool.shutdown();
  }
}

/** Warm acquire + release, each round waiting for the container to be idle again: the time of acquire() + release(). */
async function warm(make: () => Promise<AnyPool>): Promise<number[]> {
  const pool = await make();
  try {
    await settled(pool, 8);
    const times: number[] = [];
    for (let i = 0; i < WARM_N; i++) {
      const back = once(pool as Pool, 'release');
      const s = performance.now();
      const lease = await pool.acquire();
      await lease.release();
      times.push(performance.now() - s);
      await back;
    }
    return times;
  } finally {
    await pool.shutdown();
  }
}

const line = (label: string, r: Result): string => `${label.padEnd(22)} ${r.perSec.toFixed(1).padStart(7)} tasks/s   acquire p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`;

for (const concurrency of [1, 8]) {
  const docker = await tasks(() => single(DOCKER), concurrency);
  const podman = await tasks(() => single(PODMAN), concurrency);
  const two = await tasks(() => both(), concurrency);
  console.log(`concurrency ${concurrency}, ${N} tasks (acquire, run true, release)`);
  console.log(line('docker alone', docker));
  console.log(line('podman alone', podman));
  console.log(line('docker + podman', two));
  console.log(`  two engines / docker alone: ${(two.perSec / docker.perSec).toFixed(2)}x tasks/s; / podman alone: ${(two.perSec / podman.perSec).toFixed(2)}x`);
}
const one = await warm(() => single(DOCKER));
const layered = await warm(() => both('in-order'));
const us = (ms: number): string => `${(ms * 1000).toFixed(1)} us`;
console.log(`warm acquire + release, ${WARM_N} rounds, docker: single pool p50 ${us(pct(one, 50))} p99 ${us(pct(one, 99))}; two-engine pool p50 ${us(pct(layered, 50))} p99 ${us(pct(layered, 99))}; ratio p50 ${(pct(layered, 50) / pct(one, 50)).toFixed(2)}x`);
