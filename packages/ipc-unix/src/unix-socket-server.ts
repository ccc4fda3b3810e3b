import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { ConnectionError, SocketError, SocketServer, UnixSocketConfigSchema, parseOptions } from '@pocketdock/ipc-core';
import type { UnixSocketConfig, UnixSocketConfigInput } from '@pocketdock/ipc-core';
import { listenSecure, removeOwnSocket } from './secure-listen.js';
import { socketPath } from './socket-path.js';

/** Options of {@link UnixSocketServer}: every key optional, defaults as in the README. */
export type UnixSocketServerOptions = UnixSocketConfigInput;

/**
 * A message server on the Unix socket `{socketDir}/{eventName}.sock`. The socket file is created with
 * `socketPermissions` (0600) and never exists with a looser mode; a stale file is replaced, a live server's socket
 * is never taken (`IPC_ADDRESS_IN_USE`).
 *
 * @example
 * const server = new UnixSocketServer('metrics', { socketDir: '/run/app' });
 * await server.start();
 * server.send(createMessage('metrics', { cpu: 0.4 }));
 * await server.stop();
 */
export class UnixSocketServer extends SocketServer {
  /** The socket file. */
  readonly path: string;
  protected declare readonly config: UnixSocketConfig;
  #server: Server | undefined;
  #ino = -1;

  constructor(eventName: string, options: UnixSocketServerOptions = {}) {
    const config = parseOptions(UnixSocketConfigSchema, options, 'UnixSocketServer');
    const path = socketPath(config.socketDir, eventName);
    super(eventName, config);
    this.path = path;
  }

  protected async listen(): Promise<string> {
    const remote = `unix:${this.path}`;
    const server = createServer((socket) => this.handleConnection(socket, remote));
    try {
      this.#ino = await listenSecure(server, this.path, Number.parseInt(this.config.socketPermissions, 8));
    } catch (err) {
      if (SocketError.is(err)) throw err;
      throw new ConnectionError('IPC_CONNECTION_FAILED', `cannot listen on ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.#server = server;
    return remote;
  }

  protected async unlisten(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.config.autoRemoveSocket) await removeOwnSocket(this.path, this.#ino);
  }
}
