import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { closeSocket } from './await-connect.js';
import { MessageCodec } from './codec.js';
import { controlFrame } from './control.js';
import type { ControlNotice } from './control.js';
import { ConnectionError, MessageError, SocketError } from './errors.js';
import { assertEventName, createMessage } from './message.js';
import type { MessageType, SocketMessage } from './message.js';
import { MessageQueue } from './message-queue.js';
import { ServerConnection } from './server-connection.js';
import type { ClientInfo } from './server-connection.js';
import type { DrainOptions, SocketServerConfig, SocketServerEvents, SocketServerStats } from './server-types.js';
import { SendBuffers } from './send-buffers.js';

/** How long a closing connection may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 1_000;

type State = 'stopped' | 'starting' | 'running' | 'stopping';

/**
 * A message server over some stream transport. It owns everything but the address: framing, validation,
 * `maxConnections`, `allowClientSend`, the queue for messages sent while nobody is connected, unicast and
 * broadcast, and per-client send buffers with backpressure: `send()` returns false once a client has
 * `highWaterMarkBytes` unsent and `await drain()` waits until they are out, so a producer goes as fast as its
 * slowest reader. A client that stops reading (more than `bufferSize` unsent, or none of its bytes taken for
 * `slowConsumerTimeoutMs`) is dropped with `IPC_SLOW_CONSUMER`; nobody else waits for it.
 *
 * Subclass contract (see `UnixSocketServer`, `TcpSocketServer`):
 * - implement `listen()`: start accepting and resolve with a printable address once listening; reject with a
 *   `ConnectionError` when the address cannot be had. For every accepted socket call
 *   `this.handleConnection(socket, remote)` synchronously, before any `await`.
 * - implement `unlisten()`: stop accepting and release the address (remove a socket file, ...). It is called
 *   after every connection has been closed, once per successful `listen()`.
 * - validate options in the constructor and pass the resulting {@link SocketServerConfig} to `super`.
 * The subclass never reads or writes a connection itself.
 *
 * @example
 * const server = new UnixSocketServer('metrics', { socketDir: '/run/app' });
 * await server.start();
 * for (const sample of samples) if (!server.send(server.createMessage(sample))) await server.drain();
 */
export abstract class SocketServer extends EventEmitter<SocketServerEvents> {
  readonly eventName: string;
  protected readonly config: SocketServerConfig;
  readonly #codec: MessageCodec;
  readonly #clients = new Map<string, ServerConnection>();
  readonly #refused = new Set<Socket>();
  readonly #queue: MessageQueue;
  readonly #buffers: SendBuffers;
  #state: State = 'stopped';
  #address: string | undefined;
  #stopping: Promise<void> | undefined;
  #listening: Promise<string> | undefined;
  #stoppedWaiters: Array<() => void> = [];

  protected constructor(eventName: string, config: SocketServerConfig) {
    super();
    assertEventName(eventName);
    this.eventName = eventName;
    this.config = config;
    this.#codec = new MessageCodec({ maxMessageBytes: config.maxMessageBytes });
    this.#queue = new MessageQueue(config.messageQueueSize);
    this.#buffers = new SendBuffers(config, this.#clients, (conn, why) =>
      this.#drop(conn, new ConnectionError('IPC_SLOW_CONSUMER', `client ${conn.info.id} stopped reading: ${why}; disconnected`), false),
    );
  }

  /** Starts accepting; a Promise that resolves with the printable address once listening. */
  protected abstract listen(): Promise<string>;
  /** Stops accepting and releases the address. */
  protected abstract unlisten(): Promise<void>;

  /** Where the server listens, once started. */
  get address(): string | undefined {
    return this.#address;
  }

  /**
   * Starts listening. Resolves once listening, or, with `blockingMode`, only once the server has stopped.
   * Throws `IPC_ALREADY_RUNNING` when started twice.
   */
  async start(): Promise<void> {
    if (this.#state !== 'stopped') throw new ConnectionError('IPC_ALREADY_RUNNING', `server ${this.eventName} is already started`);
    this.#state = 'starting';
    const listening = this.listen();
    this.#listening = listening;
    try {
      this.#address = await listening;
    } catch (err) {
      this.#state = 'stopped';
      throw err;
    } finally {
      this.#listening = undefined;
    }
    this.#state = 'running';
    if (this.config.blockingMode) await new Promise<void>((resolve) => this.#stoppedWaiters.push(resolve));
  }

  /** Closes every connection (flushing what it can), stops listening. Idempotent. */
  stop(): Promise<void> {
    const listening = this.#listening;
    // stopping while starting: let the start finish, then stop
    if (listening !== undefined) return listening.then(() => this.stop(), () => undefined);
    if (this.#state === 'stopped') return this.#stopping ?? Promise.resolve();
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    this.#buffers.stop();
    const closing: Array<Promise<void>> = [];
    for (const conn of this.#clients.values()) {
      conn.closed = true;
      conn.writer.flush();
      closing.push(closeSocket(conn.socket, CLOSE_GRACE_MS));
    }
    for (const socket of this.#refused) socket.destroy();
    this.#refused.clear();
    const gone = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(closing);
    for (const conn of gone) this.emit('disconnect', conn.info, undefined);
    try {
      await this.unlisten();
    } finally {
      this.#state = 'stopped';
      this.#address = undefined;
      this.#stopping = undefined;
      const waiters = this.#stoppedWaiters;
      this.#stoppedWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  isRunning(): boolean {
    return this.#state === 'running';
  }

  getConnectedClients(): ClientInfo[] {
    return [...this.#clients.values()].map((c) => ({ ...c.info }));
  }

  stats(): SocketServerStats {
    return { connectedClients: this.#clients.size, queuedMessages: this.#queue.size, droppedMessages: this.#queue.dropped };
  }

  /**
   * A message on this server's event name, stamped in its configured `timezone`.
   *
   * @example
   * server.send(server.createMessage({ cpu: 0.4 }));
   */
  createMessage(data: Record<string, unknown>, type?: MessageType): SocketMessage {
    return createMessage(this.eventName, data, { type, timezone: this.config.timezone });
  }

  /**
   * Sends `message` to one client (`clientId`) or to all. With no client connected, a broadcast waits in the
   * queue (at most `messageQueueSize`, oldest dropped) for the first client. Returns false when a client it went to
   * now has `highWaterMarkBytes` or more unsent: the message is on its way, but `await drain()` before sending more
   * (like a stream's `write()`). Throws `IPC_NOT_RUNNING`, `IPC_UNKNOWN_CLIENT`, `IPC_INVALID_MESSAGE` or
   * `IPC_FRAME_TOO_LARGE`.
   *
   * @example
   * for (let i = 0; i < 100_000; i++) if (!server.send(server.createMessage({ i }))) await server.drain();
   */
  send(message: SocketMessage, clientId?: string): boolean {
    if (this.#state !== 'running') throw new ConnectionError('IPC_NOT_RUNNING', `server ${this.eventName} is not running`);
    const frame = this.#codec.encode(message);
    if (clientId !== undefined) {
      const conn = this.#clients.get(clientId);
      if (conn === undefined) throw new ConnectionError('IPC_UNKNOWN_CLIENT', `no connected client with id ${clientId}`);
      return this.#buffers.write(conn, frame);
    }
    if (this.#clients.size === 0) {
      this.#queue.push(frame);
      return true;
    }
    let below = true;
    for (const conn of this.#clients.values()) below = this.#buffers.write(conn, frame) && below;
    return below;
  }

  /**
   * Resolves once everything sent so far to every client (or to `clientId`) has been handed to the kernel, or that
   * client is gone (a client that stopped reading is dropped after `slowConsumerTimeoutMs`, so this always ends).
   * A client that is not connected has nothing to drain. Rejects `IPC_TIMEOUT` after `timeoutMs` (default: no
   * limit) or `IPC_ABORTED` when `signal` fires.
   *
   * @example
   * if (!server.send(message)) await server.drain({ timeoutMs: 30_000 });
   */
  drain(options: DrainOptions = {}): Promise<void> {
    return this.#buffers.drain(options, `drain of server ${this.eventName}`);
  }

  /**
   * Bytes sent to `clientId` and not yet handed to the kernel; without `clientId`, the largest figure among the
   * connected clients (the slowest reader). 0 for a client that is not connected.
   */
  bufferedBytes(clientId?: string): number {
    return this.#buffers.bufferedBytes(clientId);
  }

  /** For subclasses: hand over each accepted socket, synchronously. */
  protected handleConnection(socket: Socket, remote: string): void {
    socket.on('error', () => {
      // reported through 'close'; a reset by the peer is not the server's error
    });
    // 'starting' too: the address can take connections a moment before listen() has returned (a Unix socket is
    // renamed into place first); dropping those made a client that retries connect, then lose the connection.
    if (this.#state !== 'running' && this.#state !== 'starting') {
      socket.destroy();
      return;
    }
    if (this.#clients.size >= this.config.maxConnections) {
      this.#refuse(socket);
      return;
    }
    const info: ClientInfo = { id: randomUUID(), connectedAt: new Date(), remote };
    const conn = new ServerConnection(socket, info, this.config.maxMessageBytes);
    this.#clients.set(info.id, conn);
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('close', () => this.#onClose(conn));
    // The first client takes the queue, in order, before anything sent from a 'connect' listener.
    // The queue is bounded by messageQueueSize, not bufferSize: it is handed over whole, without the slow-reader check.
    for (const frame of this.#queue.takeAll()) conn.writer.write(frame);
    this.emit('connect', { ...info });
  }

  #refuse(socket: Socket): void {
    this.#refused.add(socket);
    socket.on('close', () => this.#refused.delete(socket));
    socket.on('data', () => {
      // a refused client's bytes are ignored
    });
    const notice: ControlNotice = {
      code: 'IPC_MAX_CONNECTIONS',
      message: `server ${this.eventName} already serves maxConnections (${this.config.maxConnections}) clients`,
    };
    void closeSocket(socket, CLOSE_GRACE_MS, controlFrame(this.#codec, this.eventName, notice, this.config.timezone));
  }

  #onData(conn: ServerConnection, chunk: Buffer): void {
    if (conn.closed) return;
    try {
      conn.reader.push(chunk, (buffer, start, end) => this.#onPayload(conn, buffer, start, end));
    } catch (err) {
      if (!SocketError.is(err)) throw err;
      this.#drop(conn, err, true);
    }
  }

  #onPayload(conn: ServerConnection, buffer: Buffer, start: number, end: number): void {
    if (conn.closed) return;
    if (!this.config.allowClientSend) {
      if (!conn.toldNoSend) {
        conn.toldNoSend = true;
        const notice: ControlNotice = {
          code: 'IPC_CLIENT_SEND_NOT_ALLOWED',
          message: `server ${this.eventName} does not accept messages from clients; they are dropped`,
        };
        this.#buffers.write(conn, controlFrame(this.#codec, this.eventName, notice, this.config.timezone));
      }
      return;
    }
    const message = this.#codec.decode(buffer, start, end);
    this.emit('message', message, conn.info);
  }

  #onClose(conn: ServerConnection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.#clients.delete(conn.info.id);
    let reason: SocketError | undefined;
    if (!conn.reader.atBoundary) {
      reason = new MessageError('IPC_TRUNCATED_FRAME', `client ${conn.info.id} closed the connection inside a frame`);
      this.#report(reason, conn.info);
    }
    this.emit('disconnect', conn.info, reason);
  }

  /** Closes one connection for `reason`; `tell` sends the client a CONTROL notice first. */
  #drop(conn: ServerConnection, reason: SocketError, tell: boolean): void {
    if (conn.closed) return;
    conn.closed = true;
    this.#clients.delete(conn.info.id);
    conn.writer.discard();
    if (tell) {
      this.#refused.add(conn.socket);
      conn.socket.on('close', () => this.#refused.delete(conn.socket));
      void closeSocket(conn.socket, CLOSE_GRACE_MS, controlFrame(this.#codec, this.eventName, reason, this.config.timezone));
    } else {
      conn.socket.destroy();
    }
    this.#report(reason, conn.info);
    this.emit('disconnect', conn.info, reason);
  }

  #report(error: SocketError, client: ClientInfo | undefined): void {
    if (this.listenerCount('error') > 0) this.emit('error', error, client);
  }
}
