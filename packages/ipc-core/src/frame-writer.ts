import type { Socket } from 'node:net';

/** Pending bytes that trigger an immediate flush instead of waiting for the end of the current task. */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * Batches frames written in the same task into one socket write: small messages sent in a loop cost one
 * syscall, not one each. Frames keep their order. `bufferedBytes` counts what is queued here and in the socket.
 */
export class FrameWriter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.flush();
  };

  constructor(private readonly socket: Socket) {}

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.socket.writableLength;
  }

  write(frame: Buffer): void {
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
    if (this.socket.destroyed || !this.socket.writable) return;
    if (pending.length === 1) this.socket.write(pending[0]!);
    else this.socket.write(Buffer.concat(pending, bytes));
  }

  /** Drops whatever is pending (the connection is going away). */
  discard(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
