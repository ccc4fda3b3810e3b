interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  cleanup(): void;
}

/** What ends a wait early: its own timeout, or the caller's signal. */
export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onTimeout: () => Error;
  onAbort: (reason: unknown) => Error;
}

/**
 * A strict FIFO queue of callers waiting for a value: `deliver(v)` always goes to the one that has waited
 * longest. A waiter that times out or is aborted leaves the queue at once (its timer and listener removed), so
 * it can never be handed a value afterwards.
 */
export class WaitQueue<T> {
  readonly #waiters: Waiter<T>[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  wait(options: WaitOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (v) => {
          waiter.cleanup();
          resolve(v);
        },
        reject: (err) => {
          waiter.cleanup();
          reject(err);
        },
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      const leave = (err: Error): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        waiter.reject(err);
      };
      const onAbort = (): void => leave(options.onAbort(options.signal?.reason));
      const timer = setTimeout(() => leave(options.onTimeout()), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Hands `value` to the longest waiter; false when nobody waits. */
  deliver(value: T): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    waiter.resolve(value);
    return true;
  }

  /** Fails the longest waiter with `err`; false when nobody waits. */
  failFirst(err: Error): boolean {
    const waiter = this.#waiters.shift();
    if (!waiter) return false;
    waiter.reject(err);
    return true;
  }

  /** Fails every waiter with `err`. */
  failAll(err: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
  }
}
