// Clean leases, both modes, against today's reset (the container reused after the release check), both engines,
// one run: `cleanLeases: 'wipe'` (read-only root, scratch tmpfs wiped and verified on release, the container reused)
// and `cleanLeases: 'replace'` (each container serves one lease and is replaced).
//   acquire -> run a task that writes a file in /tmp (fast path) -> release, at concurrency 1 and 8, on a pool with
//   minIdle 8 and maxSize 16; acquire p50 / p99 (the time acquire() took: warm when the refill kept ahead) and
//   tasks/s. Each contender starts from a full pool (minIdle reached) and ends once every container it released is
//   removed or idle again.
// Run: node --conditions=@pocketdock/source --import tsx packages/pool/bench/clean-leases.ts
// Env: BENCH_N (tasks per contender, default 48), BENCH_ENGINES (default "docker,podman"),
//      BENCH_MODES (default "reset,wipe,replace").
import { createPool } from '@pocketdock/pool';
import type { Pool } from '@pocketdock/pool';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const N = Number(process.env.BENCH_N ?? 48);
const LABELS = { 'pocketdock.bench': 'pool-clean-leases' };
type Mode = 'reset' | 'wipe' | 'replace';
const MODES = (process.env.BENCH_MODES ?? 'reset,wipe,replace').split(',').map((m) => m.trim() as Mode);
const OPTION: Record<Mode, false | 'wipe' | 'replace'> = { reset: false, wipe: 'wipe', replace: 'replace' };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function settled(pool: Pool, minIdle: number): Promise<void> {
  for (;;) {
    const s = pool.stats();
    if (s.idle >= minIdle && s.checking === 0 && s.removing === 0 && s.creating === 0) return;
    await sleep(50);
  }
}

async function contender(socketPath: string, mode: Mode, concurrency: number): Promise<string> {
  const pool = await createPool({ name: `pd-bench-clean-${Date.now().toString(36)}`, image: 'pocketdock/busybox:test', socketPath, minIdle: 8, maxSize: 16, cleanLeases: OPTION[mode], refillIntervalMs: 100, labels: LABELS });
  try {
    await settled(pool, 8);
    const acquire: number[] = [];
    // From release() to the container being reusable (or handed to removal): the reset's, the wipe's or replace's own cost.
    const check: number[] = [];
    pool.on('release', (info) => check.push(info.checkMs));
    let left = N;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          const s = performance.now();
          const lease = await pool.acquire({ timeoutMs: 120_000 });
          acquire.push(performance.now() - s);
          const r = await lease.run('echo secret > /tmp/s');
          if (!r.ok) throw new Error(`run failed: ${JSON.stringify(r)}`);
          await lease.release();
        }
      }),
    );
    const perSec = (N / (performance.now() - t0)) * 1000;
    const st = pool.stats();
    await settled(pool, 8);
    return `acquire p50 ${pct(acquire, 50).toFixed(1)} ms, p99 ${pct(acquire, 99).toFixed(1)} ms, release -> ready p50 ${pct(check, 50).toFixed(1)} ms, ${perSec.toFixed(1)} tasks/s (created ${st.created}, empty acquires ${st.emptyAcquires})`;
  } finally {
    await pool.shutdown();
  }
}

for (const engine of (process.env.BENCH_ENGINES ?? 'docker,podman').split(',').map((e) => e.trim())) {
  for (const concurrency of [1, 8]) {
    for (const mode of MODES) {
      const line = await contender(SOCKETS[engine]!, mode, concurrency);
      console.log(`${engine}: concurrency ${concurrency}, n=${N}: ${mode}: ${line}`);
    }
  }
}
