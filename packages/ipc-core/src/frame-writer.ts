import type { Socket } from 'node:net';

interface FlushWaiter {
  /** Done once this many bytes (counted from the first write) are out. */
  target: number;
  resolve: () => void;
}

/** Pending bytes that trigger an immediate flush instead of waiting for the end of the current task. */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * Batches frames written in the same task into one socket write: small messages sent in a loop cost one
 * syscall, not one each. Frames keep their order. `bufferedBytes` counts what is queued here and in the socket.
 *
 * It also counts what the socket has handed to the kernel (each socket write's callback), so `flushed()` can wait
 * for "everything written so far is out" without relying on the socket's `'drain'` event (which fires only after a
 * write that crossed the socket's own high-water mark), and `doneBytes` shows whether bytes still move: a peer whose
 * bytes do not move for long has stopped reading.
 */
export class FrameWriter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  /** Bytes accepted by `write()`, and of those, bytes the socket has handed to the kernel (or dropped). */
  #written = 0;
  #done = 0;
  #waiters: FlushWaiter[] = [];
  #gone = false;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(private readonly socket: Socket) {
    socket.once('close', () => this.#end());
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.socket.writableLength;
  }

  /** Bytes handed to the kernel so far (a counter that grows while the peer reads). */
  get doneBytes(): number {
    return this.#done;
  }

  write(frame: Buffer): void {
    this.#written += frame.length;
    this.#pending.push(frame);
    this.#pendingBytes += frame.length;
    if (this.#pendingBytes >= FLUSH_AT_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  /** Hands everything pending to the socket now. */
  flush(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    const bytes = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#gone || this.socket.destroyed || !this.socket.writable) {
      this.#end();
      return;
    }
    const onWritten = (err?: Error | null): void => {
      if (err) {
        this.#end();
        return;
      }
      this.#done += bytes;
      this.#settle();
    };
    this.socket.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes), onWritten);
  }

  /**
   * Resolves once every byte written before the call has been handed to the kernel, or the connection is gone.
   * Flushes first.
   */
  flushed(): Promise<void> {
    this.flush();
    if (this.#done >= this.#written) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target: this.#written, resolve }));
  }

  /** Drops whatever is pending (the connection is going away); waiters of `flushed()` are released. */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#end();
  }

  /** Nothing more will be sent: every byte counts as done and every waiter is released. */
  #end(): void {
    this.#gone = true;
    this.#done = this.#written;
    this.#settle();
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const done = this.#done;
    const still: FlushWaiter[] = [];
    for (const w of this.#waiters) {
      if (w.target <= done) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }
}
