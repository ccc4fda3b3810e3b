import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own (Debian's, tools/redis.sh) on 127.0.0.1: nothing saved, removed on dispose. */
export interface TestRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL) and starts a new, empty one on the same port: a Redis restart. */
  restart(): Promise<void>;
  /** Kills it (SIGKILL) without starting it again. */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end('PING\r\n'));
    socket.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port, with no persistence (`--save '' --appendonly no`) and its
 * working directory in a temp dir; resolves once it answers PING. Dispose it (or `close()`) even when a test fails.
 *
 * @example
 * await using redis = await startRedis();
 * const fm = await FlowManager.start({ ..., cluster: { redisUrl: redis.url } });
 */
export async function startRedis(options: { timeoutMs?: number } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketdock-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    child = p;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    while (!(await answers(port))) {
      if (p.exitCode !== null || Date.now() > deadline) {
        p.kill('SIGKILL');
        throw new Error(`redis-server on 127.0.0.1:${port} did not start (is it installed? bash tools/redis.sh)`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const kill = async (): Promise<void> => {
    const p = child;
    child = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const close = async (): Promise<void> => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start: launch,
    restart: async () => {
      await kill();
      await launch();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
