// Sandbox lifecycles, both engines, one run:
//   1. pause() + resume() round trip on a running sandbox (p50, p99)
//   2. fork() of a sandbox with 10 MB of files written, against createNewContainer() of a fresh one (the floor:
//      a fork cannot be faster than a create), each followed by a first `true` and shutdown() (the fork also removes
//      its snapshot); p50 of create-to-first-run and the ratio
// Run: node --conditions=@pocketdock/source --import tsx packages/container-sdk/bench/lifecycle.ts
// Env: BENCH_N (pause rounds, default 50), BENCH_FORK_N (forks and creates, default 12), BENCH_ENGINES.
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import { timed } from './measure.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const N = Number(process.env.BENCH_N ?? 50);
const FORK_N = Number(process.env.BENCH_FORK_N ?? 12);
const LABELS = { 'pocketdock.bench': 'lifecycle' };

// Nearest-rank percentile, as in the figures this bench recorded in docs/benchmarks.md (measure.ts's pct indexes
// floor(p * n), one sample higher at even n): kept so re-runs compare with them.
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

for (const engine of (process.env.BENCH_ENGINES ?? 'docker,podman').split(',').map((e) => e.trim())) {
  const socketPath = SOCKETS[engine]!;
  const parent: Container = await createNewContainer({ socketPath, labels: LABELS });
  try {
    await parent.run('while :; do sleep 1; done', { detach: true });
    const pr = await timed(N, async () => {
      await parent.pause();
      await parent.resume();
    });
    console.log(`${engine}: pause + resume round trip (n=${N}): p50 ${pct(pr, 50).toFixed(1)} ms, p99 ${pct(pr, 99).toFixed(1)} ms`);
    await parent.run('mkdir -p /work && dd if=/dev/urandom of=/work/data bs=1M count=10 2>/dev/null');
    const fork = await timed(FORK_N, async () => {
      const c = await parent.fork({ labels: LABELS });
      await c.run('true');
      await c.shutdown({ force: true });
    });
    const fresh = await timed(FORK_N, async () => {
      const c = await createNewContainer({ socketPath, labels: LABELS });
      await c.run('true');
      await c.shutdown({ force: true });
    });
    const f = pct(fork, 50);
    const c = pct(fresh, 50);
    console.log(`${engine}: fork (10 MB written) -> run true -> shutdown (n=${FORK_N}): p50 ${f.toFixed(1)} ms; fresh create -> run true -> shutdown: p50 ${c.toFixed(1)} ms; fork / fresh ${(f / c).toFixed(2)}x`);
  } finally {
    await parent.shutdown({ force: true });
  }
}
