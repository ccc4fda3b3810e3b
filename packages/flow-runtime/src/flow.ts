import { EventEmitter } from 'node:events';
import { dirname, basename } from 'node:path';
import type { SocketMessage } from '@pocketdock/ipc-core';
import { UnixSocketClient } from '@pocketdock/ipc-unix';
import { z } from 'zod';
import { FlowRuntimeError } from './errors.js';
import { FLOW_EVENTS, FLOW_EVENT_NAME, FLOW_SOCKET_PATH, flowRequestSchema } from './protocol.js';

/** Answers one message from the flow-manager; what it returns (or resolves to) is the reply. */
export type FlowHandler = (message: unknown) => unknown;

const optionsSchema = z.object({
  socketPath: z.string().endsWith('.sock').default(FLOW_SOCKET_PATH),
  /** First wait between attempts to reach the manager, growing to `maxRetryDelayMs`. */
  initialRetryDelayMs: z.number().int().positive().default(50),
  maxRetryDelayMs: z.number().int().positive().default(1_000),
  maxMessageBytes: z.number().int().min(64).default(1024 * 1024),
  onMessage: z.custom<FlowHandler>((v) => typeof v === 'function').optional(),
});
export type FlowOptions = z.input<typeof optionsSchema>;

export interface FlowEvents {
  connect: [];
  disconnect: [];
  /** A handler threw (the manager got the error as the reply) or the connection failed. */
  error: [Error];
}

/**
 * The code inside a flow container, connected to its flow-manager. It keeps trying until the manager's socket
 * answers, reconnects by itself whenever the manager goes away (a restart, say), answers each message with the
 * handler's return value, and sends events of its own.
 *
 * @example
 * const flow = connectFlow({ onMessage: (m) => ({ echo: m }) });
 * flow.send('progress', { done: 3, of: 10 });
 */
export class Flow extends EventEmitter<FlowEvents> {
  readonly socketPath: string;
  readonly #client: UnixSocketClient;
  readonly #options: z.output<typeof optionsSchema>;
  #handler: FlowHandler | undefined;
  #closed = false;
  #waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  constructor(options: FlowOptions = {}) {
    super();
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new FlowRuntimeError('FLOW_INVALID_OPTIONS', `invalid flow options: ${parsed.error.message}`, { cause: parsed.error });
    this.#options = parsed.data;
    this.socketPath = parsed.data.socketPath;
    this.#handler = parsed.data.onMessage;
    const reconnect = { initialDelayMs: parsed.data.initialRetryDelayMs, maxDelayMs: parsed.data.maxRetryDelayMs, maxAttempts: 0 };
    this.#client = new UnixSocketClient(basename(this.socketPath, '.sock'), {
      socketDir: dirname(this.socketPath),
      maxMessageBytes: parsed.data.maxMessageBytes,
      receiveBufferSize: 1, // messages are handled as they arrive; nothing waits in receive()
      reconnect,
    });
    this.#client.on('message', (m) => this.#onMessage(m));
    this.#client.on('connect', () => this.#onConnect());
    this.#client.on('reconnected', () => this.#onConnect());
    this.#client.on('disconnect', () => this.emit('disconnect'));
    this.#client.on('error', (err) => this.#report(err));
    this.#tryConnect();
  }

  /** Whether the manager is connected right now. */
  get connected(): boolean {
    return this.#client.isConnected();
  }

  /** Sets the handler that answers the manager's messages (replacing any before it). */
  onMessage(handler: FlowHandler): this {
    this.#handler = handler;
    return this;
  }

  /** Resolves once connected (at once when already), or rejects `FLOW_CLOSED` when closed first. */
  ready(): Promise<void> {
    if (this.connected) return Promise.resolve();
    if (this.#closed) return Promise.reject(new FlowRuntimeError('FLOW_CLOSED', 'the flow was closed'));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Sends an event to the manager, which passes it to the clients subscribed to this container. Throws
   * `FLOW_NOT_CONNECTED` while the manager is away (nothing is queued: a flow decides itself what to resend).
   */
  send(event: string, message: unknown = null): void {
    if (!FLOW_EVENT_NAME.test(event)) throw new FlowRuntimeError('FLOW_INVALID_EVENT', `event names are 1-128 of A-Z a-z 0-9 _ -, not "${event}"`);
    this.#send(FLOW_EVENTS.event, { event, message: toWire(message) });
  }

  /** Disconnects and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.reject(new FlowRuntimeError('FLOW_CLOSED', 'the flow was closed'));
    await this.#client.disconnect();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #tryConnect(): void {
    // Tried again with the reconnect backoff until the manager answers (maxAttempts 0); close() ends the waiting.
    this.#client.connect({ retry: true }).catch((err: unknown) => {
      if (!this.#closed) this.#report(err);
    });
  }

  #onConnect(): void {
    for (const w of this.#waiters.splice(0)) w.resolve();
    this.emit('connect');
  }

  #send(eventName: string, data: Record<string, unknown>): void {
    if (!this.#client.isConnected()) throw new FlowRuntimeError('FLOW_NOT_CONNECTED', `the flow-manager is not connected (${this.socketPath})`);
    this.#client.send({ ...this.#client.createMessage(data), eventName });
  }

  #onMessage(message: SocketMessage): void {
    if (message.eventName !== FLOW_EVENTS.request) return;
    const parsed = flowRequestSchema.safeParse(message.data);
    if (!parsed.success) return;
    const { request_id } = parsed.data;
    const answer = (data: Record<string, unknown>): void => {
      try {
        this.#send(FLOW_EVENTS.reply, { request_id, ...data });
      } catch (err) {
        this.#report(err); // the manager left meanwhile: it times the request out
      }
    };
    const handler = this.#handler;
    if (handler === undefined) {
      answer({ ok: false, error: 'this flow has no message handler' });
      return;
    }
    Promise.resolve()
      .then(() => handler(parsed.data.message))
      .then(
        (reply) => answer({ ok: true, message: toWire(reply) }),
        (err: unknown) => {
          this.#report(err);
          answer({ ok: false, error: err instanceof Error ? err.message : String(err) });
        },
      );
  }

  #report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }
}

/** undefined is not MessagePack: a handler that returns nothing replies null. */
function toWire(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** Connects this flow to its manager (see {@link Flow}); the connection is made in the background. */
export function connectFlow(options: FlowOptions = {}): Flow {
  return new Flow(options);
}

