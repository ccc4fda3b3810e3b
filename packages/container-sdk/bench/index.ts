// container-sdk benchmarks, both engines, one run: npx nx bench @pocketdock/container-sdk
//   (contenders interleaved in 5 rounds)
//   1. run('true'): ours vs dockerode (exec create, start with demux, inspect) vs the CLI vs the raw-HTTP floor,
//      p50/p90 and runs/s at concurrency 1 and 8
//   2. session.run('true') vs run('true')
//   3. create + start + shutdown of a sandbox vs `docker run --rm` / `podman run --rm`
//   4. files: 100 MiB in and out, ours vs the CLI's cp vs dockerode, each in processes of its own; peak memory of a
//      1 GiB round trip (bench/files.ts, bench/files-worker.ts)
//   5. tree: 10,000 small files in and out, push/pull vs the CLI's cp (bench/files-tree.ts; BENCH_SUITES=tree)
// Env: BENCH_SUITES (default "exec,files"; "tree" for 5.), BENCH_N (calls per contender and concurrency, default 60),
// BENCH_ENGINES (default "docker,podman"), BENCH_FILE_MIB (100), BENCH_BIG_MIB (1024), BENCH_ROUNDS (3, files; 10
// balances the order fully), BENCH_FILES_CONTENDERS (default all: memory,stream,push-pull,dockerode).
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { rawJson, rawRequest } from '@pocketdock/testkit';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import { benchFiles } from './files.js';
import { benchTree } from './files-tree.js';
import { fmt, measure, pct } from './measure.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 60);
const ROUNDS = 5;
const ENGINES = (process.env.BENCH_ENGINES ?? 'docker,podman').split(',');
const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const CLI: Record<string, string[]> = { docker: ['docker', '--host', 'unix:///var/run/docker.sock'], podman: ['podman'] };
const LABELS = { 'pocketdock.bench': 'container-sdk' };

/** The floor: testkit's bare http.request over the socket, a new connection per call, the body read to the end. */
async function rawExecTrue(socketPath: string, id: string): Promise<void> {
  const exec = await rawJson<{ Id: string }>({ socketPath, method: 'POST', path: `/v1.41/containers/${id}/exec`, body: { Cmd: ['true'], AttachStdout: true, AttachStderr: true } });
  await rawRequest({ socketPath, method: 'POST', path: `/v1.41/exec/${exec.Id}/start`, body: { Detach: false, Tty: false } });
  const info = await rawJson<{ ExitCode: number }>({ socketPath, path: `/v1.41/exec/${exec.Id}/json` });
  if (info.ExitCode !== 0) throw new Error('raw exec failed');
}

async function dockerodeExecTrue(docker: Docker, id: string): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  docker.modem.demuxStream(stream, out, out);
  out.resume();
  await new Promise((resolve) => stream.on('end', resolve));
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`dockerode exec failed: ${String(info.ExitCode)}`);
}

interface Row {
  engine: string;
  what: string;
  contender: string;
  p50: number;
  p90: number;
  perS: number;
}

async function benchEngine(engine: string, rows: Row[]): Promise<void> {
  const socketPath = SOCKETS[engine]!;
  const docker = new Docker({ socketPath });
  const c: Container = await createNewContainer({ socketPath, labels: LABELS });
  try {
    const session = await c.session();
    const contenders: Record<string, () => Promise<unknown>> = {
      'raw HTTP floor': () => rawExecTrue(socketPath, c.id),
      'pocketdock run()': () => c.run('true'),
      'pocketdock run([argv])': () => c.run(['true']),
      dockerode: () => dockerodeExecTrue(docker, c.id),
      [`${engine} exec CLI`]: () => run(CLI[engine]![0]!, [...CLI[engine]!.slice(1), 'exec', c.id, 'true']),
      'pocketdock session.run()': () => session.run('true'),
    };
    for (const concurrency of [1, 8]) {
      // Interleaved: ROUNDS rounds, each contender a slice per round, so drift in the machine's load hits all alike.
      const active = Object.entries(contenders).filter(
        ([name]) => concurrency === 1 || !(name.includes('session') || name.includes('CLI')), // one session = one command at a time
      );
      const acc = new Map(active.map(([name]) => [name, { samples: [] as number[], wallMs: 0 }]));
      for (const [, fn] of active) await measure(fn, 5, Math.min(concurrency, 5)); // warm up
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, fn] of active) {
          const n = Math.ceil((name.includes('session') ? N * 20 : N) / ROUNDS);
          const m = await measure(fn, n, concurrency);
          acc.get(name)!.samples.push(...m.samples);
          acc.get(name)!.wallMs += m.wallMs;
        }
      }
      for (const [name, { samples, wallMs }] of acc) {
        rows.push({ engine, what: `exec true, concurrency ${concurrency}`, contender: name, p50: pct(samples, 50), p90: pct(samples, 90), perS: (samples.length / wallMs) * 1000 });
      }
    }
    await session.close();
  } finally {
    await c.shutdown();
  }

  // 3. sandbox lifecycle
  const lifecycle: Record<string, () => Promise<unknown>> = {
    'pocketdock create + run true + shutdown': async () => {
      const s = await createNewContainer({ socketPath, labels: LABELS });
      await s.run(['true']);
      await s.shutdown();
    },
    [`${engine} run --rm true (CLI)`]: () =>
      run(CLI[engine]![0]!, [...CLI[engine]!.slice(1), 'run', '--rm', '--network', 'none', '--init', '--label', 'pocketdock.bench=container-sdk', 'pocketdock/busybox:test', 'true']),
  };
  for (const [name, fn] of Object.entries(lifecycle)) {
    await fn();
    const { samples, wallMs } = await measure(fn, Math.max(5, Math.floor(N / 4)), 1);
    rows.push({ engine, what: 'sandbox lifecycle', contender: name, p50: pct(samples, 50), p90: pct(samples, 90), perS: (samples.length / wallMs) * 1000 });
  }
}

async function main(): Promise<void> {
  const suites = (process.env.BENCH_SUITES ?? 'exec,files').split(',');
  if (suites.includes('exec')) await execSuite();
  if (suites.includes('files')) await benchFiles(ENGINES, SOCKETS);
  if (suites.includes('tree')) await benchTree(ENGINES, SOCKETS);
}

async function execSuite(): Promise<void> {
  const rows: Row[] = [];
  for (const engine of ENGINES) await benchEngine(engine, rows);
  console.log(`node ${process.version}; N=${N} per contender (x20 for sessions); one container per engine; contenders in sequence\n`);
  console.log('| engine | measure | contender | p50 ms | p90 ms | per s | p50 vs floor |');
  console.log('|---|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const floor = rows.find((x) => x.engine === r.engine && x.what === r.what && x.contender === 'raw HTTP floor');
    const ratio = floor ? `${(r.p50 / floor.p50).toFixed(r.p50 / floor.p50 < 0.1 ? 4 : 2)}x` : '';
    console.log(`| ${r.engine} | ${r.what} | ${r.contender} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${r.perS.toFixed(1)} | ${ratio} |`);
  }
  console.log('');
  for (const engine of ENGINES) {
    const get = (c: string) => rows.find((x) => x.engine === engine && x.what === 'exec true, concurrency 1' && x.contender === c)!;
    const runP50 = get('pocketdock run()').p50;
    const sessP50 = get('pocketdock session.run()').p50;
    console.log(`${engine}: session.run('true') p50 ${fmt(sessP50)} ms vs run('true') p50 ${fmt(runP50)} ms: ${(runP50 / sessP50).toFixed(0)}x faster`);
  }
}

await main();
