import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { FlowManager } from '@pocketdock/flow-manager';
import type { AckResponse, ClientToServerEvents, FlowManagerOptions, ServerToClientEvents } from '@pocketdock/flow-manager';
import { FLOW_IMAGE, processesWithEnv, tempDir, testLabels } from '@pocketdock/testkit';
import type { TestEngine } from '@pocketdock/testkit';

export const PACKAGE_DIR = join(__dirname, '../..');
export const PAGE_DIR = join(PACKAGE_DIR, 'dist/page');

/** The built page: built here when missing (the nx test target builds it first anyway). */
export function ensurePageBuilt(): string {
  if (!existsSync(join(PAGE_DIR, 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--config', 'vite.config.mjs', '--logLevel', 'warn'], { cwd: PACKAGE_DIR, stdio: 'inherit' });
  }
  return PAGE_DIR;
}

/** A flow that logs a line every 200 ms, keeps a CPU busy a little, and connects to the service. */
export const FLOW_CODE = `const { connectFlow } = require('@pocketdock/flow-runtime');
connectFlow({ onMessage: (m) => ({ echo: m }) });
let n = 0;
setInterval(() => {
  const end = Date.now() + 20 + Math.random() * 30;
  while (Date.now() < end) n++;
  console.log('tick ' + n);
}, 200);
`;

export type ApiClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Harness {
  fm: FlowManager;
  token: string;
  codeDir: string;
  api: ApiClient;
  call<T = Record<string, unknown>>(event: keyof ClientToServerEvents, payload: unknown, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** A flow-manager on loopback serving the built page, with an API client of its own (as any other program). */
export async function startHarness(engine: TestEngine, extra: Partial<FlowManagerOptions> = {}): Promise<Harness> {
  const sockets = await tempDir();
  const roots = await tempDir();
  const codeDir = join(roots.path, 'flow');
  await mkdir(codeDir);
  await writeFile(join(codeDir, 'index.js'), FLOW_CODE);
  const token = randomBytes(16).toString('hex');
  const fm = await FlowManager.start({
    host: '127.0.0.1',
    port: 0,
    token,
    engineSocket: engine.socketPath,
    socketDir: sockets.path,
    allowedRoots: [roots.path],
    instance: `dash-${engine.name}-${randomBytes(4).toString('hex')}`,
    defaultImage: FLOW_IMAGE,
    labels: testLabels(),
    logLevel: 'silent',
    dashboardDir: ensurePageBuilt(),
    liveStatsIntervalMs: 500,
    ...extra,
  });
  const api: ApiClient = io(fm.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    api.once('connect', () => resolve());
    api.once('connect_error', reject);
  });
  return {
    fm,
    token,
    codeDir,
    api,
    async call<T>(event: keyof ClientToServerEvents, payload: unknown, timeoutMs = 60_000): Promise<T> {
      const r = await (api.timeout(timeoutMs) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<AckResponse<unknown>> }).emitWithAck(event, payload);
      if (!('ok' in r)) throw new Error(`${event} failed: ${JSON.stringify(r)}`);
      return r.data as T;
    },
    async close() {
      api.disconnect();
      try {
        for (const c of fm.manager.listContainers()) await fm.manager.deleteContainer(c.container_id).catch(() => undefined);
      } finally {
        await fm.stop();
        await sockets[Symbol.asyncDispose]();
        await roots[Symbol.asyncDispose]();
      }
    },
  };
}

export { launchChromium, openPage } from './chromium.js';

/** Processes in a container that belong to a dashboard terminal (they carry PD_TERMINAL). */
export const terminalProcesses = (socketPath: string, id: string): Promise<number> => processesWithEnv(socketPath, id, 'PD_TERMINAL');
