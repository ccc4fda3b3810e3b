// Remote transports against the Unix socket, in one run, on both real engines: exec round trip of `true` and a
// 100 MiB file copy (archive upload and download), over unix, TLS and ssh. Run from the repository root:
//   npx tsx --conditions=@pocketdock/source packages/engine-socket/bench/remote.ts
//   BENCH_EXEC_ITERATIONS (default 20) exec round trips per transport, interleaved;
//   BENCH_COPY_ITERATIONS (default 3) uploads and downloads per transport, interleaved; BENCH_COPY_MIB (default 100).
// The TLS listener is the tests' Node forwarder (tls.createServer piping to the engine socket) in a CHILD process
// (bench/tls-forwarder.ts), as sshd is for ssh: its crypto runs on the same 2 cores, but not on the client's event
// loop; sshd is Debian's (tools/sshd.sh).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { startSshServer, startTestContainer, testEngines } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { EngineClient } from '@pocketdock/engine-socket';
import { tarOf } from '../test/remote/core-calls.js';
import { compareMedianMs, fmt } from './measure.js';
import type { Sampled } from './measure.js';

const execIterations = Number(process.env.BENCH_EXEC_ITERATIONS ?? 20);
const copyIterations = Number(process.env.BENCH_COPY_ITERATIONS ?? 3);
const copyMiB = Number(process.env.BENCH_COPY_MIB ?? 100);
const EXEC = { Cmd: ['true'], AttachStdout: true, AttachStderr: true, Tty: false };
type Transport = 'unix' | 'tls' | 'ssh';

interface Row {
  engine: string;
  exec: Record<Transport, Sampled>;
  upload: Record<Transport, Sampled>;
  download: Record<Transport, Sampled>;
}

async function execTrue(client: EngineClient, id: string): Promise<void> {
  const exec = await client.json<{ Id: string }>({ method: 'POST', path: `/containers/${id}/exec`, body: EXEC });
  const res = await client.request({ method: 'POST', path: `/exec/${exec.Id}/start`, body: { Detach: false, Tty: false }, stream: true });
  for await (const _ of res.body) {
    // `true` prints nothing
  }
  const { ExitCode } = await client.json<{ ExitCode: number }>({ path: `/exec/${exec.Id}/json` });
  if (ExitCode !== 0) throw new Error(`exec exited with ${ExitCode}`);
}

async function upload(client: EngineClient, id: string, tar: Buffer): Promise<void> {
  await client.json({ method: 'PUT', path: `/containers/${id}/archive`, query: { path: '/tmp' }, body: tar, headers: { 'Content-Type': 'application/x-tar' }, timeoutMs: 600_000 });
}

async function download(client: EngineClient, id: string, bytes: number): Promise<void> {
  const res = await client.request({ path: `/containers/${id}/archive`, query: { path: '/tmp/big.bin' }, stream: true });
  let size = 0;
  for await (const chunk of res.body) size += (chunk as Buffer).length;
  if (res.status !== 200 || size < bytes) throw new Error(`download: HTTP ${res.status}, ${size} bytes`);
}

/** The TLS forwarder in a process of its own; disposing disconnects it, and it stops (temp dir removed). */
async function startForwarder(socketPath: string): Promise<{ port: number; clientDir: string } & AsyncDisposable> {
  const child = fork(new URL('./tls-forwarder.ts', import.meta.url), [socketPath]);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = await new Promise<{ port: number; clientDir: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number; clientDir: string }));
    child.once('exit', (code) => reject(new Error(`tls-forwarder exited (${code})`)));
  });
  return {
    ...ready,
    async [Symbol.asyncDispose]() {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

async function benchEngine(engine: TestEngine, tar: Buffer, bytes: number): Promise<Row> {
  await using tcp = await startForwarder(engine.socketPath);
  await using sshd = await startSshServer();
  await using container = await startTestContainer(engine);
  const clients: Record<Transport, EngineClient> = {
    unix: await EngineClient.connect({ socketPath: engine.socketPath }),
    tls: await EngineClient.connect({ dockerHost: `tcp://127.0.0.1:${tcp.port}`, tls: { certPath: tcp.clientDir } }),
    ssh: await EngineClient.connect({
      dockerHost: `ssh://root@127.0.0.1:${sshd.port}${engine.socketPath}`,
      ssh: { identityFile: sshd.clientKey, knownHostsFiles: [sshd.knownHosts], agent: false, engine: engine.name },
    }),
  };
  try {
    const per = <T>(f: (c: EngineClient) => Promise<T>) => ({ unix: () => f(clients.unix), tls: () => f(clients.tls), ssh: () => f(clients.ssh) });
    const exec = await compareMedianMs(per((c) => execTrue(c, container.id)), execIterations);
    process.stderr.write(`${engine.name} exec p50 ms: unix ${fmt(exec.unix.median, 1)}, tls ${fmt(exec.tls.median, 1)}, ssh ${fmt(exec.ssh.median, 1)}\n`);
    await upload(clients.unix, container.id, tar); // the file to download exists from here on
    const up = await compareMedianMs(per((c) => upload(c, container.id, tar)), copyIterations, 1);
    process.stderr.write(`${engine.name} upload p50 ms: unix ${fmt(up.unix.median)}, tls ${fmt(up.tls.median)}, ssh ${fmt(up.ssh.median)}\n`);
    const down = await compareMedianMs(per((c) => download(c, container.id, bytes)), copyIterations, 1);
    process.stderr.write(`${engine.name} download p50 ms: unix ${fmt(down.unix.median)}, tls ${fmt(down.tls.median)}, ssh ${fmt(down.ssh.median)}\n`);
    return { engine: engine.name, exec, upload: up, download: down };
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.close()));
  }
}

async function main(): Promise<void> {
  const before = loadavg()[0]!;
  const bytes = copyMiB * 1024 * 1024;
  const tar = tarOf('big.bin', randomBytes(bytes));
  const rows: Row[] = [];
  for (const engine of testEngines()) rows.push(await benchEngine(engine, tar, bytes));
  const cell = (s: Sampled, d = 1) => `${fmt(s.median, d)} (${fmt(s.min, d)} - ${fmt(s.max, d)})`;
  const x = (a: Sampled, b: Sampled) => `${fmt(a.median / b.median, 2)}x`;
  const mibs = (s: Sampled) => fmt(copyMiB / (s.median / 1000), 0);
  const out = [
    `Node ${process.version}; load average (1 min) ${fmt(before, 1)} before, ${fmt(loadavg()[0]!, 1)} after.`,
    `TLS forwarder in a child process. ms, p50 (min - max): exec of ${execIterations} interleaved round trips per transport; copy of ${copyIterations} interleaved ${copyMiB} MiB transfers per transport and direction.`,
    '',
    '| engine | operation | unix | TLS | ssh | TLS / unix | ssh / unix |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    out.push(`| ${r.engine} | exec \`true\` | ${cell(r.exec.unix)} | ${cell(r.exec.tls)} | ${cell(r.exec.ssh)} | ${x(r.exec.tls, r.exec.unix)} | ${x(r.exec.ssh, r.exec.unix)} |`);
    for (const [name, s] of [['upload', r.upload], ['download', r.download]] as const) {
      out.push(
        `| ${r.engine} | ${copyMiB} MiB ${name} (MiB/s: ${mibs(s.unix)} / ${mibs(s.tls)} / ${mibs(s.ssh)}) | ${cell(s.unix, 0)} | ${cell(s.tls, 0)} | ${cell(s.ssh, 0)} | ${x(s.tls, s.unix)} | ${x(s.ssh, s.unix)} |`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
