import type { Readable } from 'node:stream';
import { EXTRACT_BUFFER_BYTES } from './tar-io.js';
import { BLOCK, MAX_META_BYTES, applyMeta, decodeHeader, field, invalid, paxRecords } from './tar-header.js';
import type { TarHeader } from './tar-header.js';

export type { TarHeader } from './tar-header.js';

/**
 * A streaming tar reader that keeps every name byte-exact and trusts nothing: checksums verified, sizes bounded and
 * checked against what arrives, PAX and GNU long names applied to the next entry only (global PAX headers are
 * ignored, as Go's reader, the engines' own, does), an archive that ends early or without its end marker refused
 * with `FILE_INVALID_ARCHIVE`. Errors of the source itself go through `sourceError`. Call `next()` for each
 * header and read its content with `content()` (or not: `next()` skips what is left); `close()` drops the source.
 */
export class TarReader {
  readonly #source: Readable;
  readonly #what: string;
  readonly #sourceError: (err: unknown) => Error;
  readonly #highWaterMark: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  #left = 0; // content bytes of the current entry not yet read
  #pad = 0;
  #seenAny = false;

  constructor(source: Readable, what: string, sourceError: (err: unknown) => Error, highWaterMark = EXTRACT_BUFFER_BYTES) {
    this.#source = source;
    this.#what = what;
    this.#sourceError = sourceError;
    this.#highWaterMark = highWaterMark;
    // Events, not async iteration: read() without a size concatenates whatever is buffered (a copy per read).
    source.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered >= this.#highWaterMark) source.pause();
      this.#wakeUp();
    });
    source.once('end', () => {
      this.#ended = true;
      this.#wakeUp();
    });
    source.once('error', (err) => {
      this.#failure ??= this.#sourceError(err);
      this.#wakeUp();
    });
    source.once('close', () => {
      if (!this.#ended) this.#failure ??= this.#sourceError(new Error('the download was closed before it ended'));
      this.#wakeUp();
    });
  }

  /** The next entry's header, or `undefined` at the end of the archive. */
  async next(): Promise<TarHeader | undefined> {
    await this.#skip(this.#left + this.#pad);
    this.#left = 0;
    this.#pad = 0;
    let pax: Map<string, Buffer> | undefined;
    let longName: Buffer | undefined;
    let longLink: Buffer | undefined;
    for (;;) {
      if (!(await this.#fill(BLOCK))) {
        if (this.#buffered === 0 && !this.#seenAny) return undefined; // nothing at all: an empty answer
        throw invalid(this.#what, 'it ended without its end-of-archive marker (truncated?)');
      }
      this.#seenAny = true;
      const block = this.#take(BLOCK);
      const raw = decodeHeader(block, this.#what);
      if (raw === 'end') {
        if (pax || longName || longLink) throw invalid(this.#what, 'a PAX or long-name header is followed by the end of the archive');
        return undefined;
      }
      if (raw.flag === 'x' || raw.flag === 'g' || raw.flag === 'L' || raw.flag === 'K') {
        if (raw.size > MAX_META_BYTES) throw invalid(this.#what, `a metadata record of ${raw.size} bytes`);
        if (!(await this.#fill(raw.size))) throw invalid(this.#what, 'it ended inside a metadata record');
        const data = this.#take(raw.size);
        await this.#skip((BLOCK - (raw.size % BLOCK)) % BLOCK);
        if (raw.flag === 'x') pax = new Map([...(pax ?? []), ...paxRecords(data, this.#what)]);
        else if (raw.flag === 'L') longName = field(data, 0, data.length);
        else if (raw.flag === 'K') longLink = field(data, 0, data.length);
        continue; // 'g': ignored
      }
      const header = applyMeta(raw, pax, longName, longLink, this.#what);
      this.#left = header.size;
      this.#pad = (BLOCK - (header.size % BLOCK)) % BLOCK;
      return header;
    }
  }

  /** The current entry's content, chunk by chunk (views into what arrived: no copy), exactly `size` bytes. */
  async *content(): AsyncGenerator<Buffer> {
    while (this.#left > 0) {
      if (!(await this.#fill(1))) throw invalid(this.#what, 'it ended in the middle of a file');
      const first = this.#chunks[0]!;
      const piece = first.length <= this.#left ? first : first.subarray(0, this.#left);
      this.#consume(piece.length);
      this.#left -= piece.length;
      yield piece;
    }
  }

  /** Stops reading: the source is destroyed (nothing more will be asked of it). */
  close(): void {
    this.#failure ??= this.#sourceError(new Error('the download was closed before it ended'));
    this.#source.on('error', () => undefined);
    this.#source.destroy();
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** True once `n` bytes are buffered; false if the source ended first. A source error is thrown. */
  async #fill(n: number): Promise<boolean> {
    while (this.#buffered < n) {
      if (this.#failure) throw this.#failure;
      if (this.#ended) return false;
      if (this.#source.isPaused()) this.#source.resume();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return true;
  }

  /** Removes `n` buffered bytes from the front (n <= the first chunk's length). */
  #consume(n: number): void {
    const first = this.#chunks[0]!;
    if (n === first.length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    if (this.#buffered < this.#highWaterMark && this.#source.isPaused() && !this.#ended) this.#source.resume();
  }

  /** Exactly `n` buffered bytes (copied only when they span chunks). */
  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      this.#consume(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#chunks[0]!;
      const k = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, k);
      this.#consume(k);
      at += k;
    }
    return out;
  }

  /** Skips `n` bytes of the stream (a huge declared size is skipped as it arrives, never buffered). */
  async #skip(n: number): Promise<void> {
    while (n > 0) {
      if (!(await this.#fill(1))) throw invalid(this.#what, 'it ended in the middle of an entry');
      const k = Math.min(this.#chunks[0]!.length, n);
      this.#consume(k);
      n -= k;
    }
  }
}
