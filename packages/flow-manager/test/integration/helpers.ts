import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { FLOW_IMAGE, tempDir, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';
import { FlowManager, createSystemLogger } from '../../src/index.js';
import type { AckResponse, ClientToServerEvents, FlowManagerOptions, ServerToClientEvents } from '../../src/index.js';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A flow's code. `version` tells which code answers. Messages: `{ op: 'crash' }` replies then exits 3;
 * `{ op: 'emit', event, data }` sends an event of its own; `{ op: 'sleep', ms }` answers after `ms`;
 * `{ op: 'ls' }` lists its working directory; anything else is echoed.
 */
export function flowCode(version: number): string {
  return `const { connectFlow } = require('@pocketdock/flow-runtime');
const flow = connectFlow({
  onMessage(m) {
    if (m && m.op === 'crash') { setTimeout(() => process.exit(3), 20); return 'bye'; }
    if (m && m.op === 'emit') { flow.send(m.event, m.data); return 'sent'; }
    if (m && m.op === 'sleep') return new Promise((r) => setTimeout(() => r('slept'), m.ms));
    if (m && m.op === 'ls') return require('fs').readdirSync(process.cwd()).sort();
    return { echo: m, version: ${version} };
  },
});
`;
}

/** Runs the code of a volume mounted at /code (a flow made so is not updatable: its code is not the service's). */
export const FLOW_COMMAND = ['node', '/code/index.js'];

export interface Service {
  fm: FlowManager;
  token: string;
  socketDir: string;
  /** The allowed root: code and volumes come from here. */
  root: string;
  /** Directories with flow code, version 1 and 2. */
  v1: string;
  v2: string;
  instance: string;
  /** Every log line the service wrote. */
  logs: string[];
  options: FlowManagerOptions;
  connect(auth?: Record<string, unknown>): Promise<Client>;
  /** A new FlowManager on the same instance and socket directory (after `fm.stop()`). */
  restart(): Promise<FlowManager>;
  close(): Promise<void>;
}

export async function startService(engine: TestEngine, extra: Partial<FlowManagerOptions> = {}): Promise<Service> {
  const sockets = await tempDir();
  const roots = await tempDir();
  const v1 = join(roots.path, 'v1');
  const v2 = join(roots.path, 'v2');
  await mkdir(v1);
  await mkdir(v2);
  await writeFile(join(v1, 'index.js'), flowCode(1));
  await writeFile(join(v2, 'index.js'), flowCode(2));
  const token = randomBytes(16).toString('hex');
  const instance = `test-${engine.name}-${randomBytes(4).toString('hex')}`;
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const options: FlowManagerOptions = {
    port: 0,
    token,
    engineSocket: engine.socketPath,
    socketDir: sockets.path,
    allowedRoots: [roots.path],
    instance,
    defaultImage: FLOW_IMAGE,
    labels: testLabels(),
    logger: createSystemLogger({ level: 'debug', destination }),
    ...extra,
  };
  let fm = await FlowManager.start(options);
  const clients: Client[] = [];
  return {
    get fm() {
      return fm;
    },
    token,
    socketDir: sockets.path,
    root: roots.path,
    v1,
    v2,
    instance,
    logs,
    options,
    async connect(auth = { token }) {
      const client: Client = io(fm.url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('connect_error', reject);
      });
      return client;
    },
    async restart() {
      fm = await FlowManager.start(options);
      return fm;
    },
    async close() {
      for (const c of clients) c.disconnect();
      try {
        // What the tests left: deleted through the service, so sockets go too.
        for (const c of fm.manager.listContainers()) await fm.manager.deleteContainer(c.container_id).catch(() => undefined);
      } finally {
        await fm.stop();
        await sockets[Symbol.asyncDispose]();
        await roots[Symbol.asyncDispose]();
      }
    },
  };
}

/** Emits with an acknowledgement and returns the answer. */
export async function call<E extends keyof ClientToServerEvents>(client: Client, event: E, payload: unknown, timeoutMs = 30_000): Promise<AckResponse<unknown>> {
  return (await (client.timeout(timeoutMs) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<AckResponse<unknown>> }).emitWithAck(event, payload));
}

/** The `data` of a successful answer; fails the test with the error object otherwise. */
export async function ok<T = Record<string, unknown>>(client: Client, event: keyof ClientToServerEvents, payload: unknown, timeoutMs?: number): Promise<T> {
  const r = await call(client, event, payload, timeoutMs);
  if (!('ok' in r)) throw new Error(`${event} failed: ${JSON.stringify(r)}`);
  return r.data as T;
}

/** Resolves with the first pushed event matching `pred`, or rejects after `timeoutMs`. */
export function waitFor<E extends keyof ServerToClientEvents>(client: Client, event: E, pred: (arg: Parameters<ServerToClientEvents[E]>[0]) => boolean, timeoutMs = 10_000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, on as never);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (arg: Parameters<ServerToClientEvents[E]>[0]): void => {
      if (!pred(arg)) return;
      clearTimeout(timer);
      client.off(event, on as never);
      resolve(arg);
    };
    client.on(event, on as never);
  });
}

/** A status whose flow is really connected (for `statusUntil`). */
export const connected = (s: Record<string, unknown>): boolean => s['socket_connected'] === true;

/** Polls get_status until `pred` holds. */
export async function statusUntil(client: Client, id: string, pred: (s: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await ok(client, 'get_status', { container_id: id });
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`status never matched: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
