// `pocketdock run C -- true` against `docker exec C true` and `podman exec C true`, and `pocketdock --version`
// start-up against `node -e 0` (the floor), each a fresh process, in one run. Needs the built CLI: `npx nx run @pocketdock/cli:build` first.
//
//   npx tsx packages/cli/bench/index.ts [iterations]
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../bin/pocketdock.mjs');
const N = Number(process.argv[2] ?? 15);
/** push/pull of this many bytes against `docker cp` / `podman cp` (BENCH_COPY_MIB, default 100; 0 skips it). */
const COPY_MIB = Number(process.env.BENCH_COPY_MIB ?? 100);
const COPY_N = 5;
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
measure('node -e 0 (the floor: Node itself)', process.execPath, ['-e', '0']);
measure('pocketdock --version', process.execPath, [BIN, '--version']);
for (const engine of ENGINES) {
  const name = `pdcli-bench-${engine.name}-${process.pid}`;
  const g = ['--socket', engine.socket];
  time(process.execPath, [BIN, ...g, 'create', '--name', name, '-l', 'pocketdock.bench=cli']);
  try {
    measure(`pocketdock run C -- true (${engine.name})`, process.execPath, [BIN, ...g, 'run', name, '--', 'true']);
    measure(`${engine.cli} exec C true`, engine.cli, engine.cli === 'docker' ? ['-H', `unix://${engine.socket}`, 'exec', name, 'true'] : ['exec', name, 'true']);
    if (COPY_MIB > 0) copies(engine, name, g);
  } finally {
    time(process.execPath, [BIN, ...g, 'shutdown', name]);
  }
}
function copies(engine: (typeof ENGINES)[number], name: string, g: string[]): void {
  const dir = mkdtempSync('/tmp/pocketdock-bench-cli-');
  try {
    const file = join(dir, 'blob');
    writeFileSync(file, randomBytes(COPY_MIB * 1024 * 1024));
    const peer = (args: string[]): string[] => (engine.cli === 'docker' ? ['-H', `unix://${engine.socket}`, ...args] : args);
    const label = `${COPY_MIB} MiB`;
    let n = 0;
    const fresh = (): string => join(dir, `out-${n++}`);
    const at = (what: string, cmd: string, args: () => string[]): void => {
      time(cmd, args());
      const samples = Array.from({ length: COPY_N }, () => time(cmd, args()));
      console.log(`${what.padEnd(44)} ${stats(samples)} (${COPY_N} runs)`);
    };
    at(`pocketdock push ${label} (${engine.name})`, process.execPath, () => [BIN, ...g, 'push', name, file, '/tmp/pushed']);
    at(`${engine.cli} cp ${label} into C`, engine.cli, () => peer(['cp', file, `${name}:/tmp/copied`]));
    at(`pocketdock pull ${label} (${engine.name})`, process.execPath, () => [BIN, ...g, 'pull', name, '/tmp/pushed', fresh()]);
    at(`${engine.cli} cp ${label} out of C`, engine.cli, () => peer(['cp', `${name}:/tmp/copied`, fresh()]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`uptime after: ${execSync('uptime').toString().trim()}`);
