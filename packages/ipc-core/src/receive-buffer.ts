import { TimeoutError, SocketError } from './errors.js';
import type { SocketMessage } from './message.js';

interface Waiter {
  resolve: (message: SocketMessage) => void;
  reject: (error: SocketError) => void;
}

export interface ReceiveOptions {
  /** Default: the client's `defaultTimeoutMs`. `Infinity` waits for ever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Received messages waiting for `receive()`: bounded (the oldest are dropped and counted), and the waiters for
 * the next message. Internal to SocketClient.
 */
export class ReceiveBuffer {
  #messages: SocketMessage[] = [];
  #waiters: Waiter[] = [];
  dropped = 0;
  /** Set when no more messages will come: waiters and later receives get it. */
  #closedWith: SocketError | undefined;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.#messages.length;
  }

  push(message: SocketMessage): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(message);
      return;
    }
    if (this.#messages.length >= this.limit) {
      this.#messages.shift();
      this.dropped++;
    }
    this.#messages.push(message);
  }

  /** No more messages until `reopen()`: pending and later receives fail with `error` once the buffer is empty. */
  close(error: SocketError): void {
    this.#closedWith = error;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(error);
  }

  reopen(): void {
    this.#closedWith = undefined;
  }

  next(timeoutMs: number, signal: AbortSignal | undefined): Promise<SocketMessage> {
    const message = this.#messages.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (signal?.aborted) return Promise.reject(aborted(signal));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => finish(() => reject(aborted(signal!)));
      const finish = (then: () => void): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        then();
      };
      const waiter: Waiter = {
        resolve: (m) => finish(() => resolve(m)),
        reject: (e) => finish(() => reject(e)),
      };
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(
          () => finish(() => reject(new TimeoutError('IPC_TIMEOUT', `no message within ${timeoutMs} ms`))),
          timeoutMs,
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }
}

function aborted(signal: AbortSignal): SocketError {
  return new SocketError('IPC_ABORTED', 'receive was aborted', { cause: signal.reason });
}
