import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tempDir } from '@pocketdock/testkit';
import type { SocketMessage } from '@pocketdock/ipc-core';
import { UnixSocketClient, UnixSocketServer } from '../src/index.js';
import type { UnixSocketClientOptions, UnixSocketServerOptions } from '../src/index.js';

/** Everything a test opened, closed in afterEach even when the test failed. */
export class Fixture {
  readonly servers: UnixSocketServer[] = [];
  readonly clients: UnixSocketClient[] = [];
  readonly sockets: Socket[] = [];
  dir!: Awaited<ReturnType<typeof tempDir>>;

  async setUp(): Promise<void> {
    this.dir = await tempDir();
  }

  server(eventName = 'ev', options: UnixSocketServerOptions = {}): UnixSocketServer {
    const server = new UnixSocketServer(eventName, { socketDir: this.dir.path, ...options });
    this.servers.push(server);
    return server;
  }

  client(eventName = 'ev', options: UnixSocketClientOptions = {}): UnixSocketClient {
    const client = new UnixSocketClient(eventName, { socketDir: this.dir.path, ...options });
    this.clients.push(client);
    return client;
  }

  /** A bare socket to `path`, connected. */
  async raw(path: string): Promise<Socket> {
    const socket = connect(path);
    this.sockets.push(socket);
    socket.on('error', () => undefined);
    socket.resume();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  async tearDown(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.clients.map((c) => c.disconnect()));
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.dir[Symbol.asyncDispose]();
  }
}

/** The next `count` messages of `client`. */
export async function take(client: UnixSocketClient, count: number): Promise<SocketMessage[]> {
  const out: SocketMessage[] = [];
  for (let i = 0; i < count; i++) out.push(await client.receive({ timeoutMs: 5_000 }));
  return out;
}
