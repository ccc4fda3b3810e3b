import { MessageError } from './errors.js';

/** Bytes of the length prefix in front of every message. */
export const LENGTH_PREFIX_BYTES = 4;

/**
 * Called with each complete payload: the bytes `buffer[start, end)`. A range, not a view: creating a Buffer view
 * per message (and the DataView msgpackr hangs on each new one) was the largest cost of receiving small messages.
 */
export type PayloadHandler = (buffer: Buffer, start: number, end: number) => void;

/**
 * Splits a byte stream into length-prefixed payloads, synchronously: feed it chunks, it calls back with each
 * complete payload. A payload inside one chunk is passed on without copying (a range of the chunk); one spread
 * over chunks is copied once into a buffer allocated when its length is known. A length above `maxBytes` throws
 * `IPC_FRAME_TOO_LARGE` before anything is allocated; a zero length throws `IPC_BAD_FRAME`.
 *
 * @example
 * const reader = new FrameReader(1 << 20);
 * socket.on('data', (chunk) => reader.push(chunk, (buffer, start, end) => handle(codec.decode(buffer, start, end))));
 */
export class FrameReader {
  readonly #header = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
  #headerFill = 0;
  #body: Buffer | undefined;
  #bodyFill = 0;

  constructor(readonly maxBytes: number) {}

  /** True between frames: input that ends here is not truncated. */
  get atBoundary(): boolean {
    return this.#headerFill === 0 && this.#body === undefined;
  }

  /** Parses `chunk`, calling `onPayload` for each payload it completes. */
  push(chunk: Buffer, onPayload: PayloadHandler): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      const body = this.#body;
      if (body !== undefined) {
        const take = Math.min(body.length - this.#bodyFill, end - pos);
        chunk.copy(body, this.#bodyFill, pos, pos + take);
        this.#bodyFill += take;
        pos += take;
        if (this.#bodyFill === body.length) {
          this.#body = undefined;
          onPayload(body, 0, body.length);
        }
        continue;
      }
      let length: number;
      if (this.#headerFill === 0 && end - pos >= LENGTH_PREFIX_BYTES) {
        length = chunk.readUInt32BE(pos);
        pos += LENGTH_PREFIX_BYTES;
      } else {
        const take = Math.min(LENGTH_PREFIX_BYTES - this.#headerFill, end - pos);
        chunk.copy(this.#header, this.#headerFill, pos, pos + take);
        this.#headerFill += take;
        pos += take;
        if (this.#headerFill < LENGTH_PREFIX_BYTES) return;
        this.#headerFill = 0;
        length = this.#header.readUInt32BE(0);
      }
      this.#check(length);
      if (end - pos >= length) {
        onPayload(chunk, pos, pos + length);
        pos += length;
      } else {
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
      }
    }
  }

  #check(length: number): void {
    if (length > this.maxBytes) {
      throw new MessageError(
        'IPC_FRAME_TOO_LARGE',
        `a frame announced ${length} bytes, more than maxMessageBytes (${this.maxBytes}); the connection is closed`,
      );
    }
    if (length === 0) throw new MessageError('IPC_BAD_FRAME', 'a frame announced an empty payload');
  }
}
