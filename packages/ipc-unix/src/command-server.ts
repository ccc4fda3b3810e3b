import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ConnectionError, SocketError, ValidationError } from '@pocketdock/ipc-core';
import { errorReply } from './command-reply.js';
import { listenSecure, removeOwnSocket } from './secure-listen.js';
import { assertSocketPathLength } from './socket-path.js';

/** Answers one command. A thrown error becomes the standard error reply (`IPC_COMMAND_FAILED`). */
export type CommandHandler = (command: string) => Promise<string | Buffer>;

export interface CommandServerOptions {
  /** Longest command accepted, in bytes, newline included. Default 4 KiB. */
  maxCommandBytes?: number;
  /** How long a client may take to send its command, in ms. Default 5000. */
  readTimeoutMs?: number;
  /** Octal mode of the socket file. Default `'0600'`. */
  socketPermissions?: string;
  /** Remove the socket file on `stop()`. Default true. */
  autoRemoveSocket?: boolean;
}

const CLOSE_GRACE_MS = 1_000;

/**
 * A line request/response server: each connection sends one UTF-8 command ending in `\n`, gets the handler's
 * reply, and is closed. Connections are independent; a handler error, a command over `maxCommandBytes` or a
 * client too slow to send its command gets the standard error reply (see `commandError`).
 *
 * @example
 * const server = new CommandServer('/run/app/ctl.sock', async (command) => (command === 'ping' ? 'pong' : 'unknown'));
 * await server.start();
 * (await sendCommand('/run/app/ctl.sock', 'ping')).toString(); // 'pong'
 */
export class CommandServer {
  readonly maxCommandBytes: number;
  readonly #readTimeoutMs: number;
  readonly #mode: number;
  readonly #autoRemove: boolean;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #ino = -1;

  constructor(
    readonly path: string,
    private readonly handler: CommandHandler,
    options: CommandServerOptions = {},
  ) {
    assertSocketPathLength(path);
    this.maxCommandBytes = options.maxCommandBytes ?? 4096;
    this.#readTimeoutMs = options.readTimeoutMs ?? 5_000;
    const permissions = options.socketPermissions ?? '0600';
    if (!Number.isInteger(this.maxCommandBytes) || this.maxCommandBytes < 2 || !/^0?[0-7]{3}$/.test(permissions)) {
      throw new ValidationError('IPC_INVALID_OPTIONS', 'maxCommandBytes must be an integer >= 2 and socketPermissions octal like 0600');
    }
    this.#mode = Number.parseInt(permissions, 8);
    this.#autoRemove = options.autoRemoveSocket ?? true;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) throw new ConnectionError('IPC_ALREADY_RUNNING', `command server on ${this.path} is already started`);
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#serve(socket));
    try {
      this.#ino = await listenSecure(server, this.path, this.#mode);
    } catch (err) {
      if (SocketError.is(err)) throw err;
      throw new ConnectionError('IPC_CONNECTION_FAILED', `cannot listen on ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.#server = server;
  }

  isRunning(): boolean {
    return this.#server !== undefined;
  }

  /** Stops accepting; connections still being answered get up to a second, then are closed. Idempotent. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
    if (this.#autoRemove) await removeOwnSocket(this.path, this.#ino);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const reply = (body: string | Buffer): void => {
      if (socket.destroyed) return;
      socket.end(body);
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => clearTimeout(timer));
    };
    const run = (command: string): void => {
      done = true;
      socket.setTimeout(0);
      socket.removeAllListeners('data');
      this.handler(command).then(reply, (err: unknown) =>
        reply(errorReply('IPC_COMMAND_FAILED', err instanceof Error ? err.message : String(err))),
      );
    };
    socket.setTimeout(this.#readTimeoutMs, () => {
      done = true;
      reply(errorReply('IPC_TIMEOUT', `no complete command within ${this.#readTimeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      const newline = chunk.indexOf(0x0a);
      const take = newline === -1 ? chunk.length : newline + 1;
      if (bytes + take > this.maxCommandBytes) {
        done = true;
        socket.removeAllListeners('data');
        socket.resume();
        reply(errorReply('IPC_COMMAND_TOO_LARGE', `a command may be at most ${this.maxCommandBytes} bytes`));
        return;
      }
      chunks.push(newline === -1 ? chunk : chunk.subarray(0, newline));
      bytes += take;
      if (newline !== -1) run(Buffer.concat(chunks).toString('utf8').replace(/\r$/, ''));
    });
    socket.on('end', () => {
      // a client that ended without a newline still asked something
      if (!done) run(Buffer.concat(chunks).toString('utf8'));
    });
  }
}
