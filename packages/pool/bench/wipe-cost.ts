// The wipe's own cost (cleanLeases: 'wipe'), against its floor, in one warm session per engine: `true` through the
// session (one round trip, no fork) and the wipe script after a lease-like write (`echo > /tmp/s`), both timed over
// the same session, alternating; plus the quick release check of today's reset. Ratios survive a loaded machine.
// Run: node --conditions=@pocketdock/source --import tsx packages/pool/bench/wipe-cost.ts
// Env: BENCH_N (rounds, default 100), BENCH_ENGINES (default "docker,podman").
import { createNewContainer } from '@pocketdock/container-sdk';
import { DEFAULT_SCRATCH } from '@pocketdock/pool';
import { planMounts, wipeScript } from '../src/wipe.js';
import { parseMainPid, quickResetScript, RESET_SCRIPT } from '../src/reset-script.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const N = Number(process.env.BENCH_N ?? 100);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;

for (const engine of (process.env.BENCH_ENGINES ?? 'docker,podman').split(',').map((e) => e.trim())) {
  await using c = await createNewContainer({ socketPath: SOCKETS[engine]!, readOnlyRoot: true, tmpfs: { ...DEFAULT_SCRATCH }, labels: { 'pocketdock.bench': 'pool-wipe-cost' } });
  const s = await c.session();
  const main = parseMainPid((await s.run(RESET_SCRIPT)).stdout);
  if (main === undefined) throw new Error('no main process');
  const plan = planMounts((await s.run('cat /proc/self/mountinfo')).stdout, Object.keys(DEFAULT_SCRATCH));
  const wipe = wipeScript(main, plan);
  const quick = quickResetScript(main);
  const t = { floor: [] as number[], quick: [] as number[], wipe: [] as number[] };
  for (let i = 0; i < N; i++) {
    await s.run('echo secret > /tmp/s');
    for (const [k, script] of [['floor', 'true'], ['quick', quick], ['wipe', wipe]] as const) {
      const t0 = performance.now();
      const r = await s.run(script);
      t[k].push(performance.now() - t0);
      if (k === 'wipe' && !/__pd_left=0/.test(r.stdout)) throw new Error(`wipe left something: ${r.stdout}`);
    }
  }
  const f = pct(t.floor, 50);
  console.log(
    `${engine}: n=${N}: session floor (true) p50 ${f.toFixed(2)} ms; quick reset check p50 ${pct(t.quick, 50).toFixed(2)} ms (${(pct(t.quick, 50) / f).toFixed(2)}x); ` +
      `wipe p50 ${pct(t.wipe, 50).toFixed(2)} ms, p99 ${pct(t.wipe, 99).toFixed(2)} ms (${(pct(t.wipe, 50) / f).toFixed(2)}x the floor)`,
  );
}
