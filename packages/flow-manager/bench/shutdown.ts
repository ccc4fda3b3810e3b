// The flow-manager bin as its own process (bin/flow-manager.mjs: the built dist/), `clients` Socket.IO clients
// connected from this one; SIGTERM: how long until the port is free, and until the process has exited. Twice: all
// clients well-behaved, then with one more that never reads (it holds a WebSocket close for 30 s unless cut).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { stuckClient } from '../test/integration/raw-client.js';

const BIN = fileURLToPath(new URL('../bin/flow-manager.mjs', import.meta.url));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function once(o: { engineSocket: string; clients: number; connect: (url: string, token: string) => Promise<Socket> }, withStuck: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  const token = randomBytes(16).toString('hex');
  const child = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH ?? '',
      POCKETDOCK_SOCKET: o.engineSocket,
      FLOW_MANAGER_TOKEN: token,
      FLOW_MANAGER_PORT: '0',
      FLOW_MANAGER_SOCKET_DIR: join(dir, 's'),
      FLOW_MANAGER_INSTANCE: `bench-stop-${Date.now().toString(36)}`,
      FLOW_MANAGER_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const clients: Socket[] = [];
  let stuck: TcpSocket | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[^ ]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error('the bin exited before listening')));
    });
    const port = Number(new URL(url).port);
    for (let i = 0; i < o.clients; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, o.clients - i) }, () => o.connect(url, token)))));
    if (withStuck) stuck = await stuckClient(port, token);
    const t0 = performance.now();
    child.kill('SIGTERM');
    while (await listening(port)) await new Promise((r) => setTimeout(r, 2));
    const freeMs = performance.now() - t0;
    const code = await exited;
    const exitMs = performance.now() - t0;
    return `${o.clients} clients${withStuck ? ' + 1 that never reads' : ''}: SIGTERM -> port free ${freeMs.toFixed(0)} ms, -> exit (code ${code}) ${exitMs.toFixed(0)} ms`;
  } finally {
    stuck?.destroy();
    for (const c of clients) c.disconnect();
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchShutdown(o: { engineSocket: string; clients: number; connect: (url: string, token: string) => Promise<Socket> }): Promise<void> {
  console.log(`shutdown (default grace 2000 ms): ${await once(o, false)}`);
  console.log(`shutdown (default grace 2000 ms): ${await once(o, true)}`);
}
