import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { FLOW_IMAGE, removeLabelled, startRedis, tempDir } from '@pocketdock/testkit';
import type { TestEngine, TestRedis } from '@pocketdock/testkit';
import { LABEL_INSTANCE } from '../../src/index.js';
import type { ContainerInfo } from '../../src/index.js';
import { runBin } from './bin-process.js';
import type { BinProcess } from './bin-process.js';
import { ok, startService } from './helpers.js';
import type { Client, Service } from './helpers.js';

/** A flow that counts: `{ op: 'inc' }` answers the count after adding one, `{ op: 'get' }` the count, `{ op: 'emit', event, data }` pushes. */
const COUNTER = `const { connectFlow } = require('@pocketdock/flow-runtime');
let n = 0;
const flow = connectFlow({
  onMessage(m) {
    if (m && m.op === 'inc') return ++n;
    if (m && m.op === 'get') return n;
    if (m && m.op === 'emit') { flow.send(m.event, m.data); return 'sent'; }
    return { echo: m };
  },
});
`;

export const HEARTBEAT = { heartbeatMs: 200, heartbeatTtlMs: 1_500 };
/** A request the dead member never answers fails after this (the adapter waits for every member it counted). */
const REQUEST_TIMEOUT_MS = 5_000;

export interface Cluster {
  redis: TestRedis;
  token: string;
  /** Two members in this process. */
  a: Service;
  b: Service;
  /** The third member: the bin in a child process (to be SIGKILLed). */
  c: { bin: BinProcess; url: string; instance: string };
  counterPath: string;
  connect(url: string, auth?: Record<string, unknown>): Promise<Client>;
  close(): Promise<void>;
}

/** Redis of its own, three flow-managers on it (two in-process, one child process), one token; closed whatever happens. */
export async function startCluster(engine: TestEngine): Promise<Cluster> {
  const redis = await startRedis();
  const token = randomBytes(16).toString('hex');
  const cluster = { redisUrl: redis.url, name: `t${randomBytes(3).toString('hex')}`, ...HEARTBEAT, requestTimeoutMs: REQUEST_TIMEOUT_MS };
  const clients: Client[] = [];
  const opened: Array<() => Promise<unknown>> = [async () => redis.close()];
  const cDir = await tempDir();
  opened.push(() => cDir[Symbol.asyncDispose]());
  let a: Service | undefined;
  let b: Service | undefined;
  let c: Cluster['c'] | undefined;
  const close = async (): Promise<void> => {
    for (const cl of clients) cl.disconnect();
    const cleaners = [
      async () => {
        if (c && c.bin.child.exitCode === null && c.bin.child.signalCode === null) {
          c.bin.child.kill('SIGTERM');
          const killer = setTimeout(() => c?.bin.child.kill('SIGKILL'), 10_000); // a bin stuck before it listens
          await c.bin.exit;
          clearTimeout(killer);
        }
      },
      async () => b?.close(),
      async () => a?.close(),
      // the child's containers (if it was never killed, or nobody adopted them): by its instance label
      async () => c && removeLabelled(engine, `${LABEL_INSTANCE}=${c.instance}`),
      ...opened.reverse(),
    ];
    for (const clean of cleaners) await clean().catch(() => undefined);
  };
  try {
    a = await startService(engine, { token, cluster });
    b = await startService(engine, { token, cluster });
    const counterPath = join(a.root, 'counter');
    await mkdir(counterPath);
    await writeFile(join(counterPath, 'index.js'), COUNTER);
    const instance = `test-${engine.name}-c-${randomBytes(3).toString('hex')}`;
    const bin = runBin({
      FLOW_MANAGER_TOKEN: token,
      FLOW_MANAGER_PORT: '0',
      FLOW_MANAGER_INSTANCE: instance,
      FLOW_MANAGER_SOCKET_DIR: cDir.path,
      FLOW_MANAGER_ALLOWED_ROOTS: a.root,
      FLOW_MANAGER_DEFAULT_IMAGE: FLOW_IMAGE,
      POCKETDOCK_SOCKET: engine.socketPath,
      FLOW_MANAGER_CLUSTER_REDIS_URL: redis.url,
      FLOW_MANAGER_CLUSTER_NAME: cluster.name,
      FLOW_MANAGER_CLUSTER_HEARTBEAT_MS: String(HEARTBEAT.heartbeatMs),
      FLOW_MANAGER_CLUSTER_HEARTBEAT_TTL_MS: String(HEARTBEAT.heartbeatTtlMs),
      FLOW_MANAGER_LOG_LEVEL: 'warn',
    });
    c = { bin, instance, url: '' };
    let timer: NodeJS.Timeout | undefined;
    const line = await Promise.race([bin.stdout, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('(nothing within 60 s)'), 60_000)))]);
    clearTimeout(timer);
    const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
    if (!url) throw new Error(`the bin did not start: ${line} ${bin.stderr().slice(-2_000)}`);
    c.url = url;
    const members = { a, b, c };
    return {
      redis,
      token,
      ...members,
      counterPath,
      async connect(target, auth = { token }) {
        const client: Client = io(target, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
        clients.push(client);
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('connect_error', reject);
        });
        return client;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Deletes every flow the cluster lists, through `client` (forwarded to whoever serves each). */
export async function deleteAll(client: Client): Promise<void> {
  for (const f of await ok<ContainerInfo[]>(client, 'list_containers', {})) await ok(client, 'delete_container', { container_id: f.container_id }).catch(() => undefined);
}
