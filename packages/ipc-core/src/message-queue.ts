/**
 * The server's queue for broadcasts sent while no client is connected: a bounded FIFO of encoded frames. Beyond
 * `limit` the oldest frame is dropped and counted; a limit of 0 drops everything. Internal to SocketServer.
 */
export class MessageQueue {
  #frames: Buffer[] = [];
  /** Frames dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.#frames.length;
  }

  push(frame: Buffer): void {
    if (this.limit === 0) {
      this.dropped++;
      return;
    }
    if (this.#frames.length >= this.limit) {
      this.#frames.shift();
      this.dropped++;
    }
    this.#frames.push(frame);
  }

  /** Every queued frame, oldest first; the queue is empty afterwards. */
  takeAll(): Buffer[] {
    const frames = this.#frames;
    this.#frames = [];
    return frames;
  }
}
