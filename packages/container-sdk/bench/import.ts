// Import cost of @pocketdock/container-sdk (and engine-socket under it) against a bare `node -e 0`, each in a fresh
// process, interleaved round by round so the machine's load hits every contender alike. Uses the built dist/
// (`npx nx build @pocketdock/container-sdk` first). Prints the median (min - max) wall time of N processes each, and
// the median CPU time (user + system, as the process itself counts it at exit): on a loaded machine the wall time
// mostly measures waiting for a core, the CPU time much less so.
//
//   npx tsx packages/container-sdk/bench/import.ts [runs, default 21]
import { execSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const cwd = fileURLToPath(new URL('..', import.meta.url));

// Each child prints its own CPU time at exit (the same statement for every contender, the floor included).
const cpu = "process.on('exit',()=>{const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))});";
const esm = (code: string): string[] => ['--input-type=module', '-e', cpu + code];

/** name -> node arguments. Every contender starts the same Node; only what it loads differs. */
const contenders: Record<string, string[]> = {
  'node -e 0 (the floor)': ['-e', cpu],
  'import zod (for scale)': esm("await import('zod')"),
  'import @pocketdock/engine-socket': esm("await import('@pocketdock/engine-socket')"),
  'import @pocketdock/container-sdk': esm("await import('@pocketdock/container-sdk')"),
  'require @pocketdock/container-sdk (CJS)': ['-e', `${cpu}require('@pocketdock/container-sdk')`],
  'import container-sdk + first validation (loads zod)': esm(
    "const { validateContainerOptions } = await import('@pocketdock/container-sdk'); validateContainerOptions({ memLimit: '64m' })",
  ),
};

function run(args: string[]): { wall: number; cpu: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.stdout) };
}

const names = Object.keys(contenders);
const walls: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const cpus: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
console.log(`uptime before: ${execSync('uptime').toString().trim()}`);
for (const name of names) run(contenders[name]!); // warm the file cache once each
for (let i = 0; i < runs; i++) {
  for (const name of names) {
    const { wall, cpu: used } = run(contenders[name]!);
    walls[name]!.push(wall);
    cpus[name]!.push(used);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const floor = median(walls[names[0]!]!);
const cpuFloor = median(cpus[names[0]!]!);
console.log(`node ${process.version}; a fresh process each, median (min - max) of ${runs}, interleaved; ms`);
console.log(
  `${'contender'.padEnd(52)} ${'wall'.padStart(8)} ${'min - max'.padStart(16)} ${'- floor'.padStart(8)} ${'/ floor'.padStart(8)} ${'CPU'.padStart(8)} ${'- floor'.padStart(8)}`,
);
for (const name of names) {
  const xs = walls[name]!;
  const m = median(xs);
  const c = median(cpus[name]!);
  const range = `${Math.min(...xs).toFixed(1)} - ${Math.max(...xs).toFixed(1)}`;
  console.log(
    `${name.padEnd(52)} ${m.toFixed(1).padStart(8)} ${range.padStart(16)} ${(m - floor).toFixed(1).padStart(8)} ${(m / floor).toFixed(2).padStart(7)}x ${c.toFixed(1).padStart(8)} ${(c - cpuFloor).toFixed(1).padStart(8)}`,
  );
}
console.log(`uptime after: ${execSync('uptime').toString().trim()}`);
