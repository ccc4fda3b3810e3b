// createPocketdock() and its settings load, with three settings files present (system TOML, user YAML, project
// YAML found by walking up three directories) and a few POCKETDOCK_* variables. Goal (issue 15): p50 under 20 ms,
// import time excluded; import time is measured on its own, each sample in a fresh process.
// Run: npx nx run @pocketdock/factory:build && npx tsx packages/factory/bench/settings.ts
// BENCH_ITERATIONS (2000) and BENCH_IMPORT_RUNS (9) change the sample sizes.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createPocketdock, loadSettings } from '@pocketdock/factory';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 2_000);
const IMPORT_RUNS = Number(process.env['BENCH_IMPORT_RUNS'] ?? 9);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number): string => `${x.toFixed(3)} ms`;
const summary = (xs: number[]): string => `p50 ${ms(pct(xs, 50))}  p90 ${ms(pct(xs, 90))}  p99 ${ms(pct(xs, 99))}  max ${ms(Math.max(...xs))}`;

/** Milliseconds `import(name)` takes in a fresh Node process (after `before` was imported), median of the runs. */
function importTime(name: string, before?: string): number[] {
  const script = `${before ? `await import(${JSON.stringify(before)});` : ''}const t = performance.now(); await import(${JSON.stringify(name)}); process.stdout.write(String(performance.now() - t));`;
  return Array.from({ length: IMPORT_RUNS }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' })));
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  try {
    const files: Record<string, string> = {
      'etc/settings.toml': '[sandbox]\nimage = "pocketdock/busybox:test"\nnetwork = "none"\n[ipc]\nsocketDir = "/run/pd"\n[production.sandbox]\nmemLimit = "1g"\n',
      'xdg/pocketdock/settings.yaml': 'sandbox:\n  memLimit: 256m\n  cpuPercent: 50\n  env: { LANG: C.UTF-8 }\nlog:\n  level: warn\n',
      'home/proj/.pocketdock/pocketdock.yaml':
        'socket: /var/run/docker.sock\nsandbox:\n  pidsLimit: 256\n  labels: { team: bench }\npools:\n  runners:\n    minIdle: 2\n    maxSize: 8\n    container: { memLimit: 128m }\nflowManager:\n  port: 0\n  allowOpenLoopback: true\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const cwd = join(root, 'home/proj/src/app/lib');
    await mkdir(cwd, { recursive: true });
    const env = {
      HOME: join(root, 'home'),
      XDG_CONFIG_HOME: join(root, 'xdg'),
      POCKETDOCK_POOLS__RUNNERS__MIN_IDLE: '4',
      POCKETDOCK_SANDBOX__TIMEOUT_MS: '10000',
      FLOW_MANAGER_TOKEN: 'x'.repeat(32),
    };
    const options = { env, cwd, files: { system: join(root, 'etc/settings.toml') } };
    const check = loadSettings(options);
    if (check.files.length !== 3 || check.get('pools.runners.minIdle') !== 4) throw new Error(`bench setup: read ${check.files.join(', ')}`);

    console.log(`createPocketdock() with 3 settings files, ${ITERATIONS} iterations after ${ITERATIONS / 10} warm-up (node ${process.version})`);
    const create: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < ITERATIONS * 1.1; i++) {
      const t0 = performance.now();
      const pd = await createPocketdock(options);
      const t1 = performance.now();
      await pd.close();
      const t2 = performance.now();
      loadSettings(options);
      const t3 = performance.now();
      if (i < ITERATIONS / 10) continue;
      create.push(t1 - t0);
      load.push(t3 - t2);
    }
    console.log(`  createPocketdock()   ${summary(create)}`);
    console.log(`  loadSettings() alone ${summary(load)}`);
    console.log(`  goal p50 < 20 ms: ${pct(create, 50) < 20 ? 'met' : 'NOT met'}`);

    console.log(`\nimport time, fresh process each, median of ${IMPORT_RUNS} (min .. max):`);
    const show = (label: string, xs: number[]): void => console.log(`  ${label.padEnd(58)} ${ms(pct(xs, 50))} (${ms(Math.min(...xs))} .. ${ms(Math.max(...xs))})`);
    // What the factory's own import is made of: ipc-core (zod) for createServer and the ipc defaults, yaml.
    show("import('@pocketdock/ipc-core') alone (zod)", importTime('@pocketdock/ipc-core'));
    show("import('yaml') alone", importTime('yaml'));
    show("import('@pocketdock/factory')", importTime('@pocketdock/factory'));
    show("then import('@pocketdock/container-sdk') (createContainer)", importTime('@pocketdock/container-sdk', '@pocketdock/factory'));
    show("then import('@pocketdock/pool') (first pd.pool())", importTime('@pocketdock/pool', '@pocketdock/factory'));
    show("then import('@pocketdock/flow-manager') (first pd.flowManager())", importTime('@pocketdock/flow-manager', '@pocketdock/factory'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
