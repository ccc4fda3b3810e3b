// flow-manager cluster benchmark, one engine, one run (Redis of its own on 127.0.0.1, three in-process members A B C):
//   node tools/build-package.mjs packages/flow-manager && tsx --expose-gc packages/flow-manager/bench/cluster.ts
//   1. get_status and send_message round trips for a flow served by A: from a client on A (direct) and from a client
//      on B (forwarded to A over Redis and back), p50/p99, and the ratio forwarded/direct at p50
//   2. fan-out: 1,000 Socket.IO clients subscribed to one flow, spread over A, B and C, vs the same 1,000 all on A
//      (no Redis leg for them), in the same run: time from the flow's event to the last client having it
// Env: BENCH_ENGINE (docker), BENCH_N (round trips per figure, 500), BENCH_CLIENTS (1000), BENCH_ROUNDS (fan-outs, 20).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { FlowManager, createSystemLogger } from '@pocketdock/flow-manager';
import { startRedis } from '@pocketdock/testkit';
import { ack, times } from './timing.js';

/** Untimed runs before each timed series. */
const WARM_UP = 50;

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const ENGINE = process.env.BENCH_ENGINE ?? 'docker';
const N = Number(process.env.BENCH_N ?? 500);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
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

/** `ROUNDS` times: the flow emits, and the time until every subscriber has the event. */
async function fanOut(trigger: Socket, id: string, subscribers: Socket[]): Promise<number[]> {
  const out: number[] = [];
  for (let round = 0; round < ROUNDS + 2; round++) {
    let left = subscribers.length;
    const t0 = performance.now();
    const all = new Promise<void>((resolve) => {
      for (const s of subscribers) {
        s.once('flow_message', () => {
          if (--left === 0) resolve();
        });
      }
    });
    await ack(trigger, 'send_message', { container_id: id, message: { op: 'emit', data: round } });
    await all;
    if (round >= 2) out.push(performance.now() - t0); // two warm-up rounds
  }
  return out;
}

async function main(): Promise<void> {
  await using redis = await startRedis();
  const dir = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  const code = join(dir, 'code');
  await mkdir(code);
  await writeFile(join(code, 'index.js'), FLOW_CODE);
  const token = randomBytes(16).toString('hex');
  const tag = Date.now().toString(36);
  const members: FlowManager[] = [];
  const clients: Socket[] = [];
  let id: string | undefined;
  try {
    for (const name of ['a', 'b', 'c']) {
      members.push(
        await FlowManager.start({
          port: 0,
          token,
          engineSocket: SOCKETS[ENGINE]!,
          socketDir: join(dir, name),
          allowedRoots: [code],
          instance: `bench-${ENGINE}-${name}-${tag}`,
          defaultImage: 'pocketdock/node-flow:test',
          labels: { 'pocketdock.bench': 'flow-manager-cluster' },
          logger: createSystemLogger({ level: 'warn' }),
          maxClients: CLIENTS + 10,
          cluster: { redisUrl: redis.url, name: `bench-${tag}` },
        }),
      );
    }
    const [a, b, c] = members as [FlowManager, FlowManager, FlowManager];
    const onA = await connect(a.url, token);
    const onB = await connect(b.url, token);
    clients.push(onA, onB);
    id = (await ack(onA, 'create_container', { code_path: code }))['container_id'] as string;
    const flow = id;
    for (let i = 0; !(await ack(onA, 'get_status', { container_id: flow }))['socket_connected']; i++) {
      if (i > 400) throw new Error('the flow never connected');
      await new Promise((r) => setTimeout(r, 50));
    }

    const statusDirect = await times(N, () => ack(onA, 'get_status', { container_id: flow }), WARM_UP);
    const statusForwarded = await times(N, () => ack(onB, 'get_status', { container_id: flow }), WARM_UP);
    console.log(`${ENGINE}: get_status (n=${N}): direct on A ${line(statusDirect)}; forwarded B->A ${line(statusForwarded)}; forwarded/direct at p50 ${(pct(statusForwarded, 50) / pct(statusDirect, 50)).toFixed(2)}x`);
    const msgDirect = await times(N, () => ack(onA, 'send_message', { container_id: flow, message: { n: 1 } }), WARM_UP);
    const msgForwarded = await times(N, () => ack(onB, 'send_message', { container_id: flow, message: { n: 1 } }), WARM_UP);
    console.log(`${ENGINE}: send_message to the flow (n=${N}): direct on A ${line(msgDirect)}; forwarded B->A ${line(msgForwarded)}; forwarded/direct at p50 ${(pct(msgForwarded, 50) / pct(msgDirect, 50)).toFixed(2)}x`);

    // fan-out: the same number of subscribers, first all on A (the floor: no Redis leg), then spread over A, B and C
    const subscribe = async (urls: string[]): Promise<Socket[]> => {
      const subs: Socket[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const s = await connect(urls[i % urls.length]!, token);
        subs.push(s);
        clients.push(s);
        await ack(s, 'subscribe', { container_id: flow });
      }
      return subs;
    };
    const single = await subscribe([a.url]);
    const oneInstance = await fanOut(onA, flow, single);
    for (const s of single) s.disconnect();
    const spread = await subscribe([a.url, b.url, c.url]);
    const threeInstances = await fanOut(onA, flow, spread);
    console.log(
      `${ENGINE}: one flow event to ${CLIENTS} subscribers (rounds=${ROUNDS}): all on A ${line(oneInstance)}; spread over A, B, C ${line(threeInstances)}; ` +
        `spread/single at p50 ${(pct(threeInstances, 50) / pct(oneInstance, 50)).toFixed(2)}x`,
    );
  } finally {
    if (id !== undefined) await members[0]?.manager.deleteContainer(id).catch(() => undefined);
    for (const s of clients) s.disconnect();
    for (const m of members.reverse()) await m.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
