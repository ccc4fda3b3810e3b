// ipc benchmark: server and client in separate processes, Unix and TCP, three variants side by side:
//   floor  - a bare net socket carrying the same length-prefixed msgpack bytes, pre-encoded, no validation
//   ipc    - @pocketdock/ipc-unix / ipc-tcp: encode, frame, batch, decode, validate
//   ndjson - a bare socket carrying newline-delimited JSON (stringify + parse, no validation)
// Pipelined runs also report the CPU time per message of the receiving server process and of the sending client
// process: on a loaded machine msg/s measures the load, CPU time much less (ratios between variants of one run).
// Run: npx nx bench @pocketdock/factory   (builds first: the bench imports the built packages)
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClient } from './clients.js';
import type { BenchClient } from './clients.js';
import { DATA_BYTES, FLOOR_FRAME } from './wire.js';
import type { Transport, Variant } from './wire.js';

const PIPELINED = Number(process.env['BENCH_PIPELINED'] ?? 200_000);
const ROUND_TRIPS = Number(process.env['BENCH_ROUND_TRIPS'] ?? 10_000);
const BROADCAST_CLIENTS = 100;
const BROADCAST_MESSAGES = Number(process.env['BENCH_BROADCAST'] ?? 2_000);
const BATCH = 256;
// Untimed traffic before each timed run, so that every variant is measured with its code compiled (each scenario
// starts a fresh server process): messages pipelined, broadcast messages, round trips.
const WARMUP_PIPELINED = Number(process.env['BENCH_WARMUP'] ?? 50_000);
const WARMUP_BROADCAST = Math.ceil(WARMUP_PIPELINED / 250);
const WARMUP_ROUND_TRIPS = 1_000;
// BENCH_WARMUP=0 measures as this benchmark did before it had warm-ups (the round trips always had theirs).

interface Peer {
  child: ChildProcess;
  address: string;
  request(message: object): void;
  next(type: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startPeer(variant: Variant, transport: Transport, mode: string, dir: string): Promise<Peer> {
  const address = transport === 'unix' ? dir : String(40_000 + Math.floor(Math.random() * 20_000));
  const child = fork(join(import.meta.dirname, 'peer.ts'), [variant, transport, mode, address], {
    // BENCH_PEER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server processes
    execArgv: ['--import', 'tsx', ...(process.env['BENCH_PEER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: 'inherit',
  });
  const next = (type: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>): void => {
        if (m['type'] !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number | null): void => reject(new Error(`peer exited with ${String(code)}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    child,
    address: String(ready['address']),
    request: (message) => child.send(message),
    next,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

const now = (): number => Number(process.hrtime.bigint()) / 1e3; // microseconds

/**
 * Pipelined throughput, and the CPU time per message of each side (the receiving server process, and this process
 * sending): CPU time counts only while a process runs, so these ratios survive a loaded machine where msg/s does not.
 */
async function pipelined(variant: Variant, transport: Transport, dir: string): Promise<{ msgs: number; recvNs: number; sendNs: number }> {
  const peer = await startPeer(variant, transport, 'sink', dir);
  const client = await openClient(variant, transport, peer.address, dir);
  const send = async (from: number, count: number): Promise<number> => {
    peer.request({ type: 'expect', count: from + count }); // the peer counts from its start
    const sunk = peer.next('sunk');
    for (let i = 0; i < count; i += BATCH) await client.sendBatch(from + i, Math.min(BATCH, count - i));
    return Number((await sunk)['cpuUs']);
  };
  try {
    if (WARMUP_PIPELINED > 0) await send(0, WARMUP_PIPELINED);
    const cpu0 = process.cpuUsage();
    const start = now();
    const recvCpuUs = await send(WARMUP_PIPELINED, PIPELINED);
    const elapsedUs = now() - start;
    const sendCpu = process.cpuUsage(cpu0);
    return {
      msgs: PIPELINED / (elapsedUs / 1e6),
      recvNs: (recvCpuUs * 1e3) / PIPELINED,
      sendNs: ((sendCpu.user + sendCpu.system) * 1e3) / PIPELINED,
    };
  } finally {
    await client.close();
    await peer.stop();
  }
}

async function roundTrips(variant: Variant, transport: Transport, dir: string): Promise<{ p50: number; p99: number }> {
  const peer = await startPeer(variant, transport, 'echo', dir);
  const client = await openClient(variant, transport, peer.address, dir);
  let arrived: (() => void) | undefined;
  client.onMessage(() => arrived?.());
  const once = async (i: number): Promise<number> => {
    const got = new Promise<void>((resolve) => (arrived = resolve));
    const start = now();
    await client.sendBatch(i, 1);
    await got;
    return now() - start;
  };
  try {
    for (let i = 0; i < WARMUP_ROUND_TRIPS; i++) await once(i);
    const samples: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) samples.push(await once(i));
    samples.sort((a, b) => a - b);
    return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
  } finally {
    await client.close();
    await peer.stop();
  }
}

/** Broadcast deliveries/s, and the CPU time per delivery of this process, where the 100 receiving clients run. */
async function broadcast(variant: Variant, transport: Transport, dir: string): Promise<{ bcast: number; bcastNs: number }> {
  const peer = await startPeer(variant, transport, 'broadcast', dir);
  const clients: BenchClient[] = [];
  try {
    for (let i = 0; i < BROADCAST_CLIENTS; i++) clients.push(await openClient(variant, transport, peer.address, dir));
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the server register every client
    let delivered = 0;
    let expected = 0;
    let done: () => void = () => undefined;
    for (const c of clients) c.onMessage(() => ++delivered === expected && done());
    const run = (count: number): Promise<void> =>
      new Promise<void>((resolve) => {
        delivered = 0;
        expected = BROADCAST_CLIENTS * count;
        done = resolve;
        peer.request({ type: 'broadcast', count });
      });
    if (WARMUP_BROADCAST > 0) await run(WARMUP_BROADCAST);
    const cpu0 = process.cpuUsage();
    const start = now();
    await run(BROADCAST_MESSAGES);
    const elapsedUs = now() - start;
    const cpu = process.cpuUsage(cpu0);
    const deliveries = BROADCAST_CLIENTS * BROADCAST_MESSAGES;
    return { bcast: deliveries / (elapsedUs / 1e6), bcastNs: ((cpu.user + cpu.system) * 1e3) / deliveries };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  }
}

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const us = (n: number): string => n.toFixed(1);
const pct = (a: number, b: number): string => `${Math.round((a / b) * 100)}%`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], f: (n: number) => string): string => `${f(Math.min(...xs))} - ${f(Math.max(...xs))}`;

interface Sample {
  msgs: number;
  /** CPU ns per pipelined message: the receiving server process, the sending client process. */
  recvNs: number;
  sendNs: number;
  p50: number;
  /** CPU ns per broadcast delivery in the clients' process. */
  bcastNs: number;
  p99: number;
  bcast: number;
}

/** Fails a scenario that hangs (a lost message would): the run must end. */
function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within 120 s`)), 120_000);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function main(): Promise<void> {
  console.log(`ipc benchmark: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
  console.log(`message: ${DATA_BYTES}-byte msgpack payload (${FLOOR_FRAME.length} bytes framed), data map ~64 bytes`);
  console.log(
    `per round: pipelined ${fmt(PIPELINED)} msgs, ${fmt(ROUND_TRIPS)} round trips, broadcast ${fmt(BROADCAST_MESSAGES)} msgs to ` +
      `${BROADCAST_CLIENTS} clients, each after an untimed warm-up (${fmt(WARMUP_PIPELINED)} msgs, ${fmt(WARMUP_ROUND_TRIPS)} ` +
      `round trips, ${fmt(WARMUP_BROADCAST)} broadcasts); ${ROUNDS} rounds, variants interleaved; median (min - max)\n`,
  );
  const only = process.env['BENCH_ONLY']?.split(',');
  const transports = (['unix', 'tcp'] as const).filter((t) => only === undefined || only.includes(t));
  const variants = (['floor', 'ipc', 'ndjson'] as const).filter((v) => only === undefined || only.includes(v));
  const samples = new Map<string, Sample[]>();
  const dir = await mkdtemp(join(tmpdir(), 'pd-bench-'));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const transport of transports) {
        for (const variant of variants) {
          const what = `${transport} ${variant} round ${round}`;
          const { msgs, recvNs, sendNs } = await withDeadline(pipelined(variant, transport, dir), `${what} pipelined`);
          const { p50, p99 } = await withDeadline(roundTrips(variant, transport, dir), `${what} round trips`);
          const { bcast, bcastNs } = await withDeadline(broadcast(variant, transport, dir), `${what} broadcast`);
          const key = `${transport} ${variant}`;
          samples.set(key, [...(samples.get(key) ?? []), { msgs, recvNs, sendNs, p50, p99, bcast, bcastNs }]);
          console.log(
            `  ${what}: ${fmt(msgs)} msg/s (CPU per message: receiver ${fmt(recvNs)} ns, sender ${fmt(sendNs)} ns), ` +
              `p50 ${us(p50)} us, p99 ${us(p99)} us, ${fmt(bcast)} deliveries/s (clients' CPU ${fmt(bcastNs)} ns per delivery)`,
          );
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    '\n| transport | variant | pipelined msg/s | receiver CPU ns/msg | sender CPU ns/msg | round trip p50 us | round trip p99 us | broadcast deliveries/s | clients CPU ns/delivery |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [key, xs] of samples) {
    const [transport, variant] = key.split(' ');
    const col = (f: (s: Sample) => number, show: (n: number) => string): string =>
      `${show(median(xs.map(f)))} (${spread(xs.map(f), show)})`;
    console.log(
      `| ${transport} | ${variant} | ${col((x) => x.msgs, fmt)} | ${col((x) => x.recvNs, fmt)} | ${col((x) => x.sendNs, fmt)} | ${col((x) => x.p50, us)} | ${col((x) => x.p99, us)} | ${col((x) => x.bcast, fmt)} | ${col((x) => x.bcastNs, fmt)} |`,
    );
  }
  for (const transport of transports) {
    const get = (v: Variant): Sample[] | undefined => samples.get(`${transport} ${v}`);
    const [floor, ipc, ndjson] = [get('floor'), get('ipc'), get('ndjson')];
    if (floor === undefined || ipc === undefined || ndjson === undefined) continue;
    const m = (xs: Sample[], f: (s: Sample) => number): number => median(xs.map(f));
    console.log(
      `\n${transport} (medians): ipc/floor pipelined ${pct(m(ipc, (x) => x.msgs), m(floor, (x) => x.msgs))}, ` +
        `broadcast ${pct(m(ipc, (x) => x.bcast), m(floor, (x) => x.bcast))}; ` +
        `ipc/ndjson pipelined ${pct(m(ipc, (x) => x.msgs), m(ndjson, (x) => x.msgs))}, ` +
        `broadcast ${pct(m(ipc, (x) => x.bcast), m(ndjson, (x) => x.bcast))}; ` +
        `round trip p50 ipc ${us(m(ipc, (x) => x.p50))} us vs floor ${us(m(floor, (x) => x.p50))} us; ` +
        `CPU per pipelined message, ndjson/ipc (above 1: ipc cheaper): receiver ${ratio(m(ndjson, (x) => x.recvNs), m(ipc, (x) => x.recvNs))}, ` +
        `sender ${ratio(m(ndjson, (x) => x.sendNs), m(ipc, (x) => x.sendNs))}, ` +
        `broadcast clients ${ratio(m(ndjson, (x) => x.bcastNs), m(ipc, (x) => x.bcastNs))}`,
    );
  }
}

await main();
