// `pocketdock run C -- true` against `docker exec C true` and `podman exec C true`, and `pocketdock --version`
// start-up, each a fresh process, in one run. Needs the built CLI: `npx nx run @pocketdock/cli:build` first.
//
//   npx tsx packages/cli/bench/index.ts [iterations]
import { spawnSync } from 'node:child_process';
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../bin/pocketdock.mjs');
const N = Number(process.argv[2] ?? 15);
const ENGINES = [
  { name: 'docker', socket: '/var/run/docker.sock', cli: 'docker' },
  { name: 'podman', socket: '/run/podman/podman.sock', cli: 'podman' },
];

function time(cmd: string, args: string[]): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): string => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(0);
  return `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, min ${s[0]!.toFixed(0)} ms`;
}

function measure(label: string, cmd: string, args: string[]): void {
  time(cmd, args); // warm-up
  const samples = Array.from({ length: N }, () => time(cmd, args));
  console.log(`${label.padEnd(44)} ${stats(samples)}`);
}

console.log(`uptime before: ${execSync('uptime').toString().trim()}`);
console.log(`node ${process.version}, ${N} iterations after one warm-up, each a fresh process`);
measure('pocketdock --version', process.execPath, [BIN, '--version']);
for (const engine of ENGINES) {
  const name = `pdcli-bench-${engine.name}-${process.pid}`;
  const g = ['--socket', engine.socket];
  time(process.execPath, [BIN, ...g, 'create', '--name', name, '-l', 'pocketdock.bench=cli']);
  try {
    measure(`pocketdock run C -- true (${engine.name})`, process.execPath, [BIN, ...g, 'run', name, '--', 'true']);
    measure(`${engine.cli} exec C true`, engine.cli, engine.cli === 'docker' ? ['-H', `unix://${engine.socket}`, 'exec', name, 'true'] : ['exec', name, 'true']);
  } finally {
    time(process.execPath, [BIN, ...g, 'shutdown', name]);
  }
}
console.log(`uptime after: ${execSync('uptime').toString().trim()}`);
