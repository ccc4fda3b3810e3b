import type { Frame } from '@pocketdock/stream-demux';

/**
 * Gathers stdout and stderr up to `maxBytes` together. The frame that crosses the limit is cut exactly at it;
 * everything after is dropped and `truncated` set. Chunks are joined once, at the end.
 */
export class OutputCollector {
  readonly #chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  #bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  /** Adds a frame; returns false once the limit has been reached (the caller then kills the process). */
  add(frame: Frame): boolean {
    if (this.truncated) return false;
    const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
    const room = this.maxBytes - this.#bytes;
    if (frame.data.length > room) {
      if (room > 0) this.#chunks[stream].push(frame.data.subarray(0, room));
      this.#bytes = this.maxBytes;
      this.truncated = true;
      return false;
    }
    if (frame.data.length > 0) this.#chunks[stream].push(frame.data);
    this.#bytes += frame.data.length;
    return true;
  }

  text(stream: 'stdout' | 'stderr'): string {
    return Buffer.concat(this.#chunks[stream]).toString('utf8');
  }
}
