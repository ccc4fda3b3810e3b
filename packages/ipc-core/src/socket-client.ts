import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { closeSocket } from './await-connect.js';
import { backoffDelay } from './backoff.js';
import { MessageCodec } from './codec.js';
import type { ClientConfig } from './config.js';
import { controlCode } from './control.js';
import { ConnectionError, MaxConnectionsError, MessageError, SocketError } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { assertEventName, createMessage } from './message.js';
import type { MessageType, SocketMessage } from './message.js';
import { ReceiveBuffer } from './receive-buffer.js';
import type { ReceiveOptions } from './receive-buffer.js';
import { waitWithin } from './wait-within.js';
import type { WaitOptions } from './wait-within.js';

export interface SocketClientEvents {
  message: [message: SocketMessage];
  connect: [];
  /** The connection went away; `reason` is undefined after `disconnect()`. */
  disconnect: [reason: SocketError | undefined];
  reconnecting: [info: { attempt: number; delayMs: number }];
  reconnected: [info: { attempts: number }];
  /** A terminal problem (refused, reconnect gave up, bad frame). Emitted only when someone listens. */
  error: [error: SocketError];
}

export interface SocketClientStats {
  /** Received messages dropped because nobody called `receive()` and the buffer was full. */
  droppedMessages: number;
  bufferedMessages: number;
  reconnects: number;
  /** Bytes sent and not yet handed to the kernel. */
  bufferedBytes: number;
}

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

const CLOSE_GRACE_MS = 1_000;

/**
 * A message client over some stream transport. It owns framing, validation, the bounded receive buffer behind
 * `receive()` / `receiveIter()`, and reconnecting with exponential backoff and jitter after the server goes away.
 *
 * Subclass contract (see `UnixSocketClient`, `TcpSocketClient`):
 * - implement `openConnection(timeoutMs)`: create one socket to the server and resolve with it once connected
 *   (`awaitConnect` from this package does the waiting), or reject with a `ConnectionError` / `TimeoutError`.
 *   It is called for `connect()` and for every reconnect attempt; the base class owns the socket afterwards.
 * - validate options in the constructor and pass the resulting {@link ClientConfig} to `super`.
 *
 * @example
 * const client = new UnixSocketClient('metrics', { socketDir: '/run/app' });
 * await client.connect();
 * for await (const message of client.receiveIter()) console.log(message.data);
 */
export abstract class SocketClient extends EventEmitter<SocketClientEvents> {
  /** Unique per client object (a random UUID). */
  readonly id = randomUUID();
  readonly eventName: string;
  protected readonly config: ClientConfig;
  readonly #codec: MessageCodec;
  readonly #received: ReceiveBuffer;
  #state: State = 'idle';
  #socket: Socket | undefined;
  #writer: FrameWriter | undefined;
  #refusal: SocketError | undefined;
  /** Ends the current backoff wait at once (its timer cleared); its waiter then sees the new state. */
  #wake: (() => void) | undefined;
  #reconnects = 0;

  protected constructor(eventName: string, config: ClientConfig) {
    super();
    assertEventName(eventName);
    this.eventName = eventName;
    this.config = config;
    this.#codec = new MessageCodec({ maxMessageBytes: config.maxMessageBytes });
    this.#received = new ReceiveBuffer(config.receiveBufferSize);
  }

  /** Opens one connection, resolving once connected. */
  protected abstract openConnection(timeoutMs: number): Promise<Socket>;

  /**
   * Connects; resolves once connected. Throws `IPC_CONNECTION_FAILED` or `IPC_TIMEOUT` (`timeoutMs` is per attempt).
   * With `retry: true` a failed attempt is tried again with the reconnect backoff (`reconnecting` events), until it
   * connects, `reconnect.maxAttempts` attempts failed (0: never give up; then the last attempt's error), or
   * `disconnect()` is called (then `IPC_NOT_CONNECTED`): for a client that may start before its server.
   */
  async connect(options: { timeoutMs?: number; retry?: boolean } = {}): Promise<void> {
    if (this.#state === 'connected' || this.#state === 'connecting') return;
    this.#wake?.(); // a reconnect's wait: its attempt sees 'connecting' and stands down
    this.#state = 'connecting';
    this.#refusal = undefined;
    this.#received.reopen();
    const socket = await this.#openWithRetry(options.timeoutMs ?? this.config.defaultTimeoutMs, options.retry === true);
    if (this.#state !== 'connecting') {
      socket.destroy();
      return;
    }
    this.#attach(socket);
    this.emit('connect');
  }

  async #openWithRetry(timeoutMs: number, retry: boolean): Promise<Socket> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.openConnection(timeoutMs);
      } catch (err) {
        const { maxAttempts } = this.config.reconnect;
        if (this.#state === 'connecting' && retry && (maxAttempts === 0 || attempt < maxAttempts)) {
          await this.#backoff(attempt);
          if (this.#state === 'connecting') continue;
        }
        if (this.#state !== 'connecting') {
          throw new ConnectionError('IPC_NOT_CONNECTED', `client of ${this.eventName} was disconnected while connecting`, { cause: err });
        }
        this.#state = 'closed';
        throw err;
      }
    }
  }

  /** Closes the connection (flushing sends) and stops reconnecting. Buffered messages stay receivable. */
  async disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#state = 'closed';
    this.#wake?.();
    this.#received.close(new ConnectionError('IPC_NOT_CONNECTED', `client of ${this.eventName} is disconnected`));
    if (socket === undefined) return;
    this.#detach();
    this.#writer?.flush();
    await closeSocket(socket, CLOSE_GRACE_MS);
    this.emit('disconnect', undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  isConnected(): boolean {
    return this.#state === 'connected';
  }

  stats(): SocketClientStats {
    return {
      droppedMessages: this.#received.dropped,
      bufferedMessages: this.#received.size,
      reconnects: this.#reconnects,
      bufferedBytes: this.#writer?.bufferedBytes ?? 0,
    };
  }

  /**
   * A message on this client's event name, stamped in its configured `timezone`.
   *
   * @example
   * client.send(client.createMessage({ ready: true }));
   */
  createMessage(data: Record<string, unknown>, type?: MessageType): SocketMessage {
    return createMessage(this.eventName, data, { type, timezone: this.config.timezone });
  }

  /**
   * Sends one message. Throws `IPC_NOT_CONNECTED`, or `IPC_SEND_BUFFER_FULL` when more than `bufferSize` bytes
   * are still unsent (await `drain()` and retry).
   */
  send(message: SocketMessage): void {
    const writer = this.#writer;
    if (this.#state !== 'connected' || writer === undefined) {
      throw new ConnectionError('IPC_NOT_CONNECTED', `client of ${this.eventName} is not connected`);
    }
    const frame = this.#codec.encode(message);
    if (writer.bufferedBytes + frame.length > this.config.bufferSize) {
      throw new MessageError('IPC_SEND_BUFFER_FULL', `more than bufferSize (${this.config.bufferSize}) bytes unsent; await drain()`);
    }
    writer.write(frame);
  }

  /**
   * Resolves once everything sent so far has been handed to the kernel (or the connection is gone). Rejects
   * `IPC_TIMEOUT` after `timeoutMs` (default: no limit) or `IPC_ABORTED` when `signal` fires.
   */
  drain(options: WaitOptions = {}): Promise<void> {
    const writer = this.#writer;
    if (writer === undefined) return Promise.resolve();
    return waitWithin(writer.flushed(), options, `drain of client of ${this.eventName}`);
  }

  /** The next message. Rejects `IPC_TIMEOUT`, `IPC_ABORTED`, or `IPC_NOT_CONNECTED` once disconnected and empty. */
  receive(options: ReceiveOptions = {}): Promise<SocketMessage> {
    return this.#received.next(options.timeoutMs ?? this.config.defaultTimeoutMs, options.signal);
  }

  /** Every message, waiting as long as it takes; ends after `disconnect()`. */
  async *receiveIter(options: { signal?: AbortSignal } = {}): AsyncGenerator<SocketMessage, void, undefined> {
    for (;;) {
      let message: SocketMessage;
      try {
        message = await this.receive({ timeoutMs: Infinity, signal: options.signal });
      } catch (err) {
        if (SocketError.is(err) && err.code === 'IPC_NOT_CONNECTED') return;
        throw err;
      }
      yield message;
    }
  }

  #attach(socket: Socket): void {
    const reader = new FrameReader(this.config.maxMessageBytes);
    this.#socket = socket;
    this.#writer = new FrameWriter(socket);
    this.#state = 'connected';
    socket.on('error', () => {
      // reported through 'close'
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket !== socket) return;
      try {
        reader.push(chunk, (buffer, start, end) => this.#onPayload(buffer, start, end));
      } catch (err) {
        if (!SocketError.is(err)) throw err;
        this.#report(err);
        socket.destroy();
      }
    });
    socket.on('close', () => this.#onClose(socket));
  }

  #detach(): void {
    this.#socket = undefined;
    this.#writer = undefined;
  }

  #onPayload(buffer: Buffer, start: number, end: number): void {
    const message = this.#codec.decode(buffer, start, end);
    if (controlCode(message) === 'IPC_MAX_CONNECTIONS') {
      const text = typeof message.data['message'] === 'string' ? message.data['message'] : 'too many clients';
      this.#refusal = new MaxConnectionsError('IPC_MAX_CONNECTIONS', `refused by the server: ${text}`);
    }
    this.#received.push(message);
    this.emit('message', message);
  }

  #onClose(socket: Socket): void {
    if (this.#socket !== socket) return;
    this.#detach();
    const refusal = this.#refusal;
    const reason = refusal ?? new ConnectionError('IPC_CONNECTION_LOST', `connection of ${this.eventName} was lost`);
    this.emit('disconnect', reason);
    if (refusal === undefined && this.config.reconnect.enabled) {
      this.#state = 'reconnecting';
      this.#scheduleReconnect(1);
      return;
    }
    this.#fail(reason);
  }

  #fail(error: SocketError): void {
    this.#state = 'closed';
    this.#received.close(error);
    this.#report(error);
  }

  #scheduleReconnect(attempt: number): void {
    const { maxAttempts } = this.config.reconnect;
    if (maxAttempts > 0 && attempt > maxAttempts) {
      this.#fail(new ConnectionError('IPC_RECONNECT_FAILED', `gave up reconnecting ${this.eventName} after ${maxAttempts} attempts`));
      return;
    }
    void this.#backoff(attempt).then(() => {
      if (this.#state !== 'reconnecting') return; // disconnect() or connect() ended the wait
      this.openConnection(this.config.defaultTimeoutMs).then(
        (socket) => {
          if (this.#state !== 'reconnecting') {
            socket.destroy();
            return;
          }
          this.#reconnects++;
          this.#attach(socket);
          this.emit('reconnected', { attempts: attempt });
        },
        () => {
          if (this.#state === 'reconnecting') this.#scheduleReconnect(attempt + 1);
        },
      );
    });
  }

  /**
   * The wait before attempt `attempt`, with the reconnect backoff (a `reconnecting` event says how long), for both
   * reconnecting and `connect({ retry: true })`. `disconnect()` and `connect()` end it early through `#wake`.
   */
  #backoff(attempt: number): Promise<void> {
    const delayMs = backoffDelay(attempt, this.config.reconnect);
    this.emit('reconnecting', { attempt, delayMs });
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      this.#wake = done;
    });
  }

  #report(error: SocketError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
