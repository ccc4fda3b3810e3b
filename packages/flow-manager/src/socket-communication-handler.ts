import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { link, mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SocketError } from '@pocketdock/ipc-core';
import type { SocketMessage } from '@pocketdock/ipc-core';
import { UnixSocketServer, MAX_SOCKET_PATH_BYTES } from '@pocketdock/ipc-unix';
import { FLOW_EVENTS, FLOW_SOCKET_NAME, flowEventSchema, flowReplySchema } from '@pocketdock/flow-runtime';
import type { FlowEvent } from '@pocketdock/flow-runtime';
import { FlowManagerError } from './errors.js';
import { closeChannel, failPending, ignoreMissing, isHeld } from './socket-channel.js';
import type { Channel } from './socket-channel.js';

export interface SocketHandlerOptions {
  /** Host directory of the sockets: `{socketDir}/{id}.sock`, and `{socketDir}/mounts/{key}/` bind-mounted into flows. */
  socketDir: string;
  /** Largest message either way, in bytes. */
  maxMessageBytes: number;
  /** Default wait for a flow's reply (and for a flow to connect) in `sendMessage`. */
  replyTimeoutMs: number;
  /** Flow events kept per container for `receiveMessage`; the oldest are dropped beyond it. */
  inboxSize: number;
}

export interface SocketHandlerEvents {
  /** A flow sent an event of its own. */
  message: [containerId: string, event: FlowEvent];
  connected: [containerId: string];
  disconnected: [containerId: string];
  /** The socket is held by another live server (a flow-manager still shutting down): retried until it is free. */
  held: [containerId: string, err: Error];
}

/** Longest container id the engines hand out (64 hex digits). */
const ID_BYTES = 64;

/**
 * One Unix socket server per flow container. The server listens in `{socketDir}/mounts/{key}/flow.sock`; that
 * directory is bind-mounted into the container at `/run/pocketdock` (so the flow always connects to
 * `/run/pocketdock/flow.sock`, and a re-created socket is visible to it at once), and the same socket is
 * hard-linked at `{socketDir}/{id}.sock` on the host. Socket files are 0600.
 *
 * Messages use ipc-core's framing: `sendMessage` sends a `flow_request` and waits for the matching `flow_reply`;
 * the flow's own `flow_event`s are emitted as `message` and kept (bounded) for `receiveMessage`.
 */
export class SocketCommunicationHandler extends EventEmitter<SocketHandlerEvents> {
  readonly #options: SocketHandlerOptions;
  readonly #channels = new Map<string, Channel>();

  constructor(options: SocketHandlerOptions) {
    super();
    const longest = Buffer.byteLength(join(options.socketDir, `${'f'.repeat(ID_BYTES)}.sock`));
    if (longest > MAX_SOCKET_PATH_BYTES) {
      throw new FlowManagerError('FM_INVALID_OPTIONS', `socketDir ${options.socketDir} is too long: {socketDir}/{id}.sock must fit in ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter directory`, {
        details: { field: 'socketDir' },
      });
    }
    this.#options = options;
  }

  /** The directory to bind-mount into the container at `/run/pocketdock`; created (0700) if missing. */
  async mountDir(key: string): Promise<string> {
    if (!/^[a-f0-9]{8,64}$/.test(key)) throw new FlowManagerError('FM_INTERNAL', `bad socket key ${key}`);
    const dir = join(this.#options.socketDir, 'mounts', key);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** The host path of a container's socket. */
  socketPath(id: string): string {
    return join(this.#options.socketDir, `${id}.sock`);
  }

  /**
   * Starts the container's socket server (replacing a dead server's leftover files, as after a flow-manager
   * restart) and links it at `{socketDir}/{id}.sock`. Idempotent. When another live server still holds the socket
   * (a predecessor shutting down), the channel is kept and the server started as soon as the socket is free
   * (retried with backoff, `held` emitted once): messages wait for the flow meanwhile, nothing is forgotten.
   */
  async setupSocket(id: string, key: string): Promise<string> {
    const existing = this.#channels.get(id);
    if (existing) return existing.hostPath;
    const dir = await this.mountDir(key);
    const hostPath = this.socketPath(id);
    const channel: Channel = { id, key, dir, server: undefined, hostPath, closed: false, retry: undefined, connections: 0, pending: new Map(), inbox: [], waiters: [], connectWaiters: new Set(), lastCommunication: undefined };
    this.#channels.set(id, channel);
    try {
      await this.#listen(channel);
    } catch (err) {
      if (!isHeld(err)) {
        this.#channels.delete(id);
        channel.closed = true;
        throw new FlowManagerError('FM_SOCKET_ERROR', `cannot set up the socket of ${id}: ${(err as Error).message}`, { cause: err });
      }
      this.emit('held', id, err as Error);
      this.#retryListen(channel, 100);
    }
    return hostPath;
  }

  async #listen(channel: Channel): Promise<void> {
    const server = new UnixSocketServer(FLOW_SOCKET_NAME, { socketDir: channel.dir, maxMessageBytes: this.#options.maxMessageBytes, maxConnections: 4, messageQueueSize: 0 });
    const id = channel.id;
    server.on('message', (m) => this.#onMessage(channel, m));
    server.on('connect', () => {
      channel.connections++;
      for (const w of channel.connectWaiters) w.wake();
      this.emit('connected', id);
    });
    server.on('disconnect', () => {
      if (server.getConnectedClients().length > 0) return;
      // A flow that went away will not answer: its pending requests fail now, not at their timeout.
      failPending(channel, new FlowManagerError('FM_FLOW_NOT_CONNECTED', `the flow in ${id} disconnected before answering`, { details: { container_id: id } }));
      this.emit('disconnected', id);
    });
    server.on('error', () => {
      // a flow that sent garbage is disconnected by the server; it reconnects by itself
    });
    try {
      await server.start();
      await unlink(channel.hostPath).catch(ignoreMissing);
      await link(server.path, channel.hostPath);
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw err;
    }
    if (channel.closed) await server.stop(); // cleaned up or closed while starting
    else channel.server = server;
  }

  #retryListen(channel: Channel, delayMs: number): void {
    channel.retry = setTimeout(() => {
      channel.retry = undefined;
      if (channel.closed) return;
      this.#listen(channel).catch(() => {
        if (!channel.closed) this.#retryListen(channel, Math.min(delayMs * 2, 1_000));
      });
    }, delayMs);
  }

  /** Stops the container's socket server and removes its files (both links and the mounted directory). */
  async cleanupSocket(id: string, key?: string): Promise<void> {
    const channel = this.#channels.get(id);
    this.#channels.delete(id);
    if (channel) await closeChannel(channel, new FlowManagerError('FM_FLOW_NOT_CONNECTED', `the socket of ${id} was closed`));
    if (id) await unlink(this.socketPath(id)).catch(ignoreMissing);
    const k = key ?? channel?.key;
    if (k) await rm(join(this.#options.socketDir, 'mounts', k), { recursive: true, force: true });
  }

  /** Whether a flow is connected to the container's socket right now (not merely whether the file exists). */
  isSocketConnected(id: string): boolean {
    const server = this.#channels.get(id)?.server;
    return server !== undefined && server.isRunning() && server.getConnectedClients().length > 0;
  }

  /** How many times a flow has connected to the container's socket (0 when there is none). */
  connectionCount(id: string): number {
    return this.#channels.get(id)?.connections ?? 0;
  }

  /**
   * Resolves true once a flow connects to the container's socket for the `(after + 1)`th time, false when none
   * does within `timeoutMs` or `signal` aborts first.
   */
  async awaitConnection(id: string, after: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const channel = this.#channel(id);
    const deadline = Date.now() + timeoutMs;
    while (channel.connections <= after) {
      if (signal?.aborted || Date.now() >= deadline) return false;
      try {
        await this.#awaitConnect(channel, deadline - Date.now(), signal);
      } catch {
        return false;
      }
    }
    return true;
  }

  hasSocket(id: string): boolean {
    return this.#channels.has(id);
  }

  lastCommunication(id: string): Date | undefined {
    return this.#channels.get(id)?.lastCommunication;
  }

  /**
   * Sends `message` to the container's flow and resolves with its reply. Waits up to `timeoutMs` in all: for the
   * flow to connect (`FM_FLOW_NOT_CONNECTED` if it never does), then for the answer (`FM_FLOW_TIMEOUT`). A flow
   * whose handler failed -> `FM_FLOW_FAILED` with its message.
   */
  async sendMessage(id: string, message: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
    const channel = this.#channel(id);
    const timeoutMs = options.timeoutMs ?? this.#options.replyTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    if (!this.isSocketConnected(id)) await this.#awaitConnect(channel, timeoutMs);
    const server = channel.server;
    if (server === undefined) throw new FlowManagerError('FM_FLOW_NOT_CONNECTED', `no flow is connected to ${id}`, { details: { container_id: id } });
    const requestId = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.pending.delete(requestId);
        reject(new FlowManagerError('FM_FLOW_TIMEOUT', `the flow in ${id} did not answer within ${timeoutMs} ms`, { details: { timeout_ms: timeoutMs } }));
      }, Math.max(0, deadline - Date.now()));
      channel.pending.set(requestId, { resolve, reject, timer });
    });
    try {
      server.send({ ...server.createMessage({ request_id: requestId, message }), eventName: FLOW_EVENTS.request });
    } catch (err) {
      const p = channel.pending.get(requestId);
      channel.pending.delete(requestId);
      if (p) clearTimeout(p.timer);
      if (SocketError.is(err) && (err.code === 'IPC_FRAME_TOO_LARGE' || err.code === 'IPC_INVALID_MESSAGE')) {
        throw new FlowManagerError('FM_INVALID_PAYLOAD', `message: ${err.message}`, { cause: err, details: { field: 'message' } });
      }
      throw new FlowManagerError('FM_SOCKET_ERROR', `cannot send to the flow in ${id}: ${(err as Error).message}`, { cause: err });
    }
    channel.lastCommunication = new Date();
    return reply;
  }

  /** The next event the flow sent on its own (the oldest kept one first); `FM_FLOW_TIMEOUT` after `timeoutMs`. */
  receiveMessage(id: string, options: { timeoutMs?: number } = {}): Promise<FlowEvent> {
    const channel = this.#channel(id);
    const first = channel.inbox.shift();
    if (first) return Promise.resolve(first);
    const timeoutMs = options.timeoutMs ?? this.#options.replyTimeoutMs;
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          channel.waiters.splice(channel.waiters.indexOf(waiter), 1);
          reject(new FlowManagerError('FM_FLOW_TIMEOUT', `no message from the flow in ${id} within ${timeoutMs} ms`, { details: { timeout_ms: timeoutMs } }));
        }, timeoutMs),
      };
      channel.waiters.push(waiter);
    });
  }

  /** Stops every socket server; the files stay for the next run to replace (flows reconnect to it). */
  async close(): Promise<void> {
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.all(channels.map((c) => closeChannel(c, new FlowManagerError('FM_SHUTTING_DOWN', 'the flow-manager is stopping'))));
  }

  #channel(id: string): Channel {
    const channel = this.#channels.get(id);
    if (!channel) throw new FlowManagerError('FM_FLOW_NOT_CONNECTED', `no socket is set up for ${id}`, { details: { container_id: id } });
    return channel;
  }

  #awaitConnect(channel: Channel, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => waiter.fail(new FlowManagerError('FM_FLOW_NOT_CONNECTED', `stopped waiting for a flow to connect to ${channel.id}`));
      const waiter = {
        wake: (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          channel.connectWaiters.delete(waiter);
          resolve();
        },
        fail: (err: Error): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          channel.connectWaiters.delete(waiter);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        channel.connectWaiters.delete(waiter);
        reject(
          new FlowManagerError('FM_FLOW_NOT_CONNECTED', `no flow connected to the socket of ${channel.id} within ${timeoutMs} ms (is it running and using @pocketdock/flow-runtime?)`, {
            details: { container_id: channel.id, timeout_ms: timeoutMs },
          }),
        );
      }, timeoutMs);
      channel.connectWaiters.add(waiter);
    });
  }

  #onMessage(channel: Channel, message: SocketMessage): void {
    channel.lastCommunication = new Date();
    if (message.eventName === FLOW_EVENTS.reply) {
      const reply = flowReplySchema.safeParse(message.data);
      if (!reply.success) return;
      const pending = channel.pending.get(reply.data.request_id);
      if (!pending) return; // timed out meanwhile
      channel.pending.delete(reply.data.request_id);
      clearTimeout(pending.timer);
      if (reply.data.ok) pending.resolve(reply.data.message);
      else pending.reject(new FlowManagerError('FM_FLOW_FAILED', `the flow in ${channel.id} failed: ${reply.data.error}`, { details: { container_id: channel.id } }));
      return;
    }
    if (message.eventName !== FLOW_EVENTS.event) return;
    const event = flowEventSchema.safeParse(message.data);
    if (!event.success) return;
    const waiter = channel.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(event.data);
    } else {
      channel.inbox.push(event.data);
      if (channel.inbox.length > this.#options.inboxSize) channel.inbox.shift();
    }
    this.emit('message', channel.id, event.data);
  }
}
