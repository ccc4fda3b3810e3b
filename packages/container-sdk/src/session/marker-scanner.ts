/**
 * Watches one output stream for `marker` followed by `trailerBytes` more bytes (the exit code), across chunks,
 * without re-joining what it holds: only the last few bytes are kept for matching a marker split between chunks.
 * Output before the marker is stored up to `maxBytes`; beyond that it is dropped and `truncated` set.
 */
export class MarkerScanner {
  readonly #stored: Buffer[] = [];
  #storedBytes = 0;
  #total = 0;
  #tail = Buffer.alloc(0);
  #markerAt = -1;
  #after: Buffer[] = [];
  #afterBytes = 0;
  truncated = false;

  constructor(
    private readonly marker: Buffer,
    private readonly trailerBytes: number,
    private readonly maxBytes: number,
  ) {}

  push(chunk: Buffer): void {
    if (this.#markerAt >= 0) {
      this.#after.push(chunk);
      this.#afterBytes += chunk.length;
      return;
    }
    const hay = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
    const i = hay.indexOf(this.marker);
    if (i >= 0) {
      this.#markerAt = this.#total - this.#tail.length + i;
      const beforeInChunk = i - this.#tail.length; // may be negative: the marker began in an earlier chunk
      if (beforeInChunk > 0) this.#store(chunk.subarray(0, beforeInChunk));
      const afterStart = i + this.marker.length;
      const after = hay.subarray(afterStart);
      this.#after.push(after);
      this.#afterBytes += after.length;
    } else {
      this.#store(chunk);
      const keep = Math.min(this.marker.length - 1, hay.length);
      this.#tail = Buffer.from(hay.subarray(hay.length - keep));
    }
    this.#total += chunk.length;
  }

  /** The marker and its trailer have arrived. */
  get complete(): boolean {
    return this.#markerAt >= 0 && this.#afterBytes >= this.trailerBytes;
  }

  /** What followed the marker, `trailerBytes` long (call when complete). */
  trailer(): Buffer {
    return Buffer.concat(this.#after).subarray(0, this.trailerBytes);
  }

  /** The output before the marker (or everything so far, if it has not come). */
  output(): Buffer {
    const all = Buffer.concat(this.#stored);
    if (this.#markerAt < 0) return all;
    return all.subarray(0, Math.min(all.length, this.#markerAt));
  }

  #store(data: Buffer): void {
    const room = this.maxBytes - this.#storedBytes;
    if (room <= 0) {
      if (data.length > 0) this.truncated = true;
      return;
    }
    const part = data.length > room ? data.subarray(0, room) : data;
    if (part.length < data.length) this.truncated = true;
    // The tail of a chunk can turn out to be the start of the marker: store everything, cut at markerAt later.
    this.#stored.push(part);
    this.#storedBytes += part.length;
  }
}
