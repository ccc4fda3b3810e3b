// The release check alone, through one warm session (container-sdk `Session`), per engine: `true` (the floor: one
// round trip, no fork), the check before 2026-11-22 (kept here only to compare: a subshell with ls | grep | sort and a
// grep per process), the full check (finds the main process) and the quick check (the one every release runs).
// The scripts come from src/ (the same text as dist/; they are not public API).
import { createNewContainer } from '@pocketdock/container-sdk';
import { RESET_SCRIPT, parseMainPid, quickResetScript } from '../src/reset-script.js';

const PREVIOUS_CHECK = [
  '(',
  'read -r me _ < /proc/self/stat',
  "pids=$(ls /proc | grep -E '^[0-9]+$' | sort -n)",
  'main=',
  'for p in $pids; do',
  '  [ "$p" = 1 ] && continue',
  "  if grep -q '^PPid:[[:space:]]*1$' /proc/$p/status 2>/dev/null; then main=$p; break; fi",
  'done',
  "[ -n \"$main\" ] || { echo 'pool reset: no main process' >&2; exit 3; }",
  'for p in $pids; do',
  '  case "$p" in 1|"$$"|"$me"|"$main") continue;; esac',
  '  kill -9 "$p" 2>/dev/null',
  'done',
  'exit 0',
  ')',
].join('\n');

/** Runs each script `rounds` x 100 times, interleaved; prints p50/p99 per script. */
export async function benchCheckCost(engine: string, socketPath: string, labels: Record<string, string>, rounds = 5): Promise<void> {
  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)]!;
  const c = await createNewContainer({ image: 'pocketdock/busybox:test', socketPath, labels });
  try {
    await using s = await c.session();
    const main = parseMainPid((await s.run(RESET_SCRIPT)).stdout);
    if (main === undefined) throw new Error('the full check found no main process');
    const scripts: [string, string][] = [
      ['true (the floor)', 'true'],
      ['previous check', PREVIOUS_CHECK],
      ['full check', RESET_SCRIPT],
      ['quick check', quickResetScript(main)],
    ];
    const times = new Map<string, number[]>(scripts.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, script] of scripts) {
        for (let i = 0; i < 100; i++) {
          const t0 = performance.now();
          const r = await s.run(script);
          times.get(name)!.push(performance.now() - t0);
          if (r.exitCode !== 0) throw new Error(`${name} failed: ${JSON.stringify(r)}`);
        }
      }
    }
    const line = [...times].map(([name, ts]) => `${name} p50 ${pct(ts, 50).toFixed(2)} ms, p99 ${pct(ts, 99).toFixed(2)} ms`).join('; ');
    console.log(`${engine}: the check alone in a warm session (n=${rounds * 100} each): ${line}`);
  } finally {
    await c.shutdown({ force: true });
  }
}
