// Where the CLI's start-up goes: each import timed alone in a fresh process (median of N), against the built dist/.
// Needs `npx nx run @pocketdock/cli:build` first.
//
//   npx tsx packages/cli/bench/imports.ts [runs]
import { execSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 7);
const DIST = join(import.meta.dirname, '../dist/esm');
const TARGETS: [string, string][] = [
  ['node -e 0 (no import)', ''],
  ['commander', 'commander'],
  ['the CLI start path (program.js: commander + the command table)', join(DIST, 'program.js')],
  ['@pocketdock/engine-socket (undici)', '@pocketdock/engine-socket'],
  ['@pocketdock/stream-demux', '@pocketdock/stream-demux'],
  ['zod', 'zod'],
  ['@pocketdock/container-sdk (engine-socket, zod, stream-demux)', '@pocketdock/container-sdk'],
  ['@pocketdock/factory (zod, yaml, smol-toml, ipc-core, ipc-unix, ipc-tcp)', '@pocketdock/factory'],
  ['cli-table3', 'cli-table3'],
  ['cli-progress', 'cli-progress'],
];

function once(spec: string): number {
  const code = spec === '' ? 'process.stdout.write("0")' : `const t=performance.now();await import(${JSON.stringify(spec)});process.stdout.write(String(performance.now()-t))`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${spec}: ${r.stderr}`);
  return Number(r.stdout);
}

function wall(spec: string): number {
  const started = performance.now();
  once(spec);
  return performance.now() - started;
}

console.log(`uptime before: ${execSync('uptime').toString().trim()}`);
console.log(`node ${process.version}; median of ${N} fresh processes: the import alone, and the whole process`);
for (const [label, spec] of TARGETS) {
  const imports: number[] = [];
  const walls: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      imports.push(once(spec));
      walls.push(wall(spec));
    }
  } catch (err) {
    console.log(`${label.padEnd(72)} not measured: ${(err as Error).message.split('\n')[0]}`);
    continue;
  }
  const median = (xs: number[]): string => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
  console.log(`${label.padEnd(72)} import ${median(imports).padStart(5)} ms   process ${median(walls).padStart(5)} ms`);
}
console.log(`uptime after: ${execSync('uptime').toString().trim()}`);
