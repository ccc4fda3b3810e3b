// flow-manager benchmarks, both engines, one run: npx nx bench @pocketdock/flow-manager
//   1. get_status acknowledgement round trip, p50/p99, vs the floor: a bare Socket.IO ack echo in the same process
//   2. send_message round trip to a real flow (node in the container, over its Unix socket), p50/p99, vs the same
//      floor, and the socket leg alone (SocketCommunicationHandler.sendMessage, no Socket.IO)
//   3. list_containers with 50 containers managed
//   4. 1,000 Socket.IO clients connected and subscribed; one flow event broadcast to all: time until the last
//      client has it, and the process's memory
//   5. restart_container, update_container (new code, flow connected again) and update_container rolled back (the
//      new code exits at once), p50/p99 of the acknowledgement
//   6. (once, after the engines) the bin as its own process with 1,000 connected clients, then with one more that
//      never reads: time from SIGTERM to the port being free and to the process's exit (bench/shutdown.ts)
// Each engine's figures are compared with a floor measured just before them.
// Env: BENCH_N (round trips per figure, default 1000), BENCH_CLIENTS (default 1000), BENCH_ENGINES (default both),
// BENCH_OPS (restarts and updates per figure, default 20).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { FlowManager, createSystemLogger } from '@pocketdock/flow-manager';
import { benchShutdown } from './shutdown.js';
import { ack, times } from './timing.js';
import type { Ack } from './timing.js';

/** Untimed runs before each timed series. */
const WARM_UP = 100;

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const ENGINES = (process.env.BENCH_ENGINES ?? 'docker,podman').split(',');
const N = Number(process.env.BENCH_N ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const OPS = Number(process.env.BENCH_OPS ?? 20);
const FLOW_IMAGE = 'pocketdock/node-flow:test';

const FLOW_CODE = `const { connectFlow } = require('@pocketdock/flow-runtime');
const flow = connectFlow({ onMessage(m) { if (m && m.op === 'emit') { flow.send('tick', m.data); return 'sent'; } return m; } });
`;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(2)} ms`);
const line = (xs: number[]): string => `p50 ${fmt(pct(xs, 50))}, p99 ${fmt(pct(xs, 99))}`;

function connect(url: string, token: string): Promise<Socket> {
  const client = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('connect_error', reject);
  });
}

/** The floor: a bare Socket.IO server answering an ack at once, in this process. */
async function floor(): Promise<number[]> {
  const http = createServer();
  const server = new Server(http, { serveClient: false });
  server.on('connection', (s) => s.on('echo', (p: unknown, cb: (r: unknown) => void) => cb({ ok: true, data: p })));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const client = await connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, 'x');
  try {
    return await times(N, () => ack(client, 'echo', { container_id: 'x' }), WARM_UP);
  } finally {
    client.disconnect();
    await new Promise<void>((r) => void server.close(() => r()));
  }
}

async function waitConnected(client: Socket, id: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await ack(client, 'get_status', { container_id: id }))['socket_connected']) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`flow ${id} never connected`);
}

async function benchEngine(engine: string): Promise<void> {
  const floorTimes = await floor();
  console.log(`${engine}: floor, a bare Socket.IO ack echo in this process (n=${N}): ${line(floorTimes)}`);
  const dir = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  const code = join(dir, 'code');
  const code2 = join(dir, 'code2');
  const crashes = join(dir, 'crashes');
  for (const d of [code, code2, crashes]) await mkdir(d);
  await writeFile(join(code, 'index.js'), FLOW_CODE);
  await writeFile(join(code2, 'index.js'), `${FLOW_CODE}// v2\n`);
  await writeFile(join(crashes, 'index.js'), 'process.exit(4);\n');
  const token = randomBytes(16).toString('hex');
  const fm = await FlowManager.start({
    port: 0,
    token,
    engineSocket: SOCKETS[engine]!,
    socketDir: join(dir, 's'),
    allowedRoots: [code, code2, crashes],
    instance: `bench-${engine}-${Date.now().toString(36)}`,
    defaultImage: FLOW_IMAGE,
    maxContainers: 60,
    updateTimeoutMs: 30_000, // a loaded machine starts node slowly: the figure is the update, not this bound
    labels: { 'pocketdock.bench': 'flow-manager' },
    logger: createSystemLogger({ level: 'warn' }),
  });
  const clients: Socket[] = [];
  try {
    const client = await connect(fm.url, token);
    clients.push(client);
    const config = { code_path: code };
    const first = await ack(client, 'create_container', config);
    const id = first['container_id'] as string;
    await waitConnected(client, id);

    const status = await times(N, () => ack(client, 'get_status', { container_id: id }), WARM_UP);
    const f50 = pct(floorTimes, 50);
    console.log(`${engine}: get_status ack (n=${N}): ${line(status)}; ${(pct(status, 50) / f50).toFixed(2)}x the Socket.IO ack floor at p50`);
    const message = await times(N, () => ack(client, 'send_message', { container_id: id, message: { n: 1 } }), WARM_UP);
    const socketLeg = await times(N, () => fm.sockets.sendMessage(id, { n: 1 }), WARM_UP);
    console.log(
      `${engine}: send_message round trip to the flow (n=${N}): ${line(message)}; ${(pct(message, 50) / f50).toFixed(2)}x the floor at p50; ` +
        `the Unix socket leg alone: ${line(socketLeg)}`,
    );

    const restarts = await few(OPS, () => ack(client, 'restart_container', { container_id: id }));
    console.log(`${engine}: restart_container ack (n=${restarts.length}): ${line(restarts)}`);
    await waitConnected(client, id);
    let next = code2;
    const updates = await few(OPS, async () => {
      await ack(client, 'update_container', { container_id: id, code_path: next });
      next = next === code2 ? code : code2;
    });
    const rollbacks = await few(Math.ceil(OPS / 2), async () => {
      const r = (await client.timeout(60_000).emitWithAck('update_container', { container_id: id, code_path: crashes })) as Ack & { code?: string };
      if (r.code !== 'FM_UPDATE_FAILED') throw new Error(`update with crashing code: ${JSON.stringify(r)}`);
    });
    await waitConnected(client, id);
    console.log(`${engine}: update_container, new code connected (n=${updates.length}): ${line(updates)}; rolled back, FM_UPDATE_FAILED (n=${rollbacks.length}): ${line(rollbacks)}`);

    let t0 = performance.now();
    const more: Promise<Record<string, unknown>>[] = [];
    for (let i = 0; i < 49; i++) more.push(ack(client, 'create_container', config));
    // On a loaded machine the engine may not answer a start within engine-socket's 30 s: counted, not fatal.
    const failed = (await Promise.allSettled(more)).filter((r) => r.status === 'rejected');
    const createdMs = performance.now() - t0;
    if (failed.length > 0) console.log(`${engine}: ${failed.length} of the 49 creates failed: ${String((failed[0] as PromiseRejectedResult).reason)}`);
    const list = await times(Math.min(N, 500), () => ack(client, 'list_containers', {}), WARM_UP);
    const listed = (await client.timeout(60_000).emitWithAck('list_containers', {})) as { data: unknown[] };
    console.log(
      `${engine}: list_containers with ${listed.data.length} containers (n=${Math.min(N, 500)}): ${line(list)} ` +
        `(${Buffer.byteLength(JSON.stringify(listed.data))} bytes; the 49 creates, concurrent, took ${(createdMs / 1000).toFixed(1)} s)`,
    );

    const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined); // tsx --expose-gc (the bench target)
    gc();
    const rss0 = process.memoryUsage().rss;
    t0 = performance.now();
    for (let i = 0; i < CLIENTS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, () => connect(fm.url, token)));
      await Promise.all(batch.map((c) => ack(c, 'subscribe', { container_id: id })));
      clients.push(...batch);
    }
    const connectMs = performance.now() - t0;
    const listeners = clients.slice(1);
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      let left = listeners.length;
      const all = new Promise<void>((resolve) => {
        for (const c of listeners)
          c.once('flow_message', () => {
            if (--left === 0) resolve();
          });
      });
      t0 = performance.now();
      await ack(client, 'send_message', { container_id: id, message: { op: 'emit', data: round } });
      await all;
      rounds.push(performance.now() - t0);
    }
    gc();
    const rssMiB = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(
      `${engine}: ${listeners.length} clients connected and subscribed in ${(connectMs / 1000).toFixed(1)} s; one flow event delivered to all: ` +
        `median of 5 ${fmt(pct(rounds, 50))}, worst ${fmt(Math.max(...rounds))}; process RSS after a full GC +${rssMiB.toFixed(0)} MiB for the ${listeners.length} connections (clients and service in one process)`,
    );
  } finally {
    for (const c of clients) c.disconnect();
    for (const c of fm.manager.listContainers()) await fm.manager.deleteContainer(c.container_id).catch(() => undefined);
    await fm.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Slow operations: one warm-up, then `n` timed one after another. */
async function few(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  for (const engine of ENGINES) await benchEngine(engine);
  await benchShutdown({ engineSocket: SOCKETS[ENGINES[0]!]!, clients: CLIENTS, connect });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
