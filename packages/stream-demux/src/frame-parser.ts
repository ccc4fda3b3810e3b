import { DemuxError } from './errors.js';
import { HEADER_BYTES, MAX_FRAME_SIZE, STREAM_BY_TYPE } from './frame.js';
import type { Frame, StreamName } from './frame.js';

/** Default `maxFrameBytes`: engines write frames of at most a few tens of KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * The framing state machine, synchronous and stream-free: feed it chunks, it calls back with each complete
 * frame. FrameDecoder is a Transform around it; use the parser directly where a chunk callback is all there is
 * (an undici `onData`, a socket `'data'` handler).
 *
 * A frame inside one chunk is passed on without copying (`data` is a view of that chunk); a frame spread over
 * several chunks is joined once, when its last byte arrives. The parser never re-concatenates what it holds.
 *
 * @example
 * const parser = new FrameParser();
 * socket.on('data', (chunk) => parser.push(chunk, (frame) => handle(frame)));
 * socket.on('end', () => parser.end()); // throws DEMUX_TRUNCATED when the stream stopped mid-frame
 */
export class FrameParser {
  readonly maxFrameBytes: number;

  readonly #header = Buffer.allocUnsafe(HEADER_BYTES);
  #headerFill = 0;
  /** The stream of the frame whose payload is being read, or undefined while reading a header. */
  #frameStream: StreamName | undefined;
  #remaining = 0;
  #pieces: Buffer[] = [];
  #piecesBytes = 0;
  /** Input bytes consumed so far: error messages say where the stream went wrong. */
  #offset = 0;

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0 || maxFrameBytes > MAX_FRAME_SIZE) {
      throw new DemuxError(
        'DEMUX_INVALID_OPTIONS',
        `maxFrameBytes must be an integer from 0 to ${MAX_FRAME_SIZE}, got ${String(maxFrameBytes)}`,
      );
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** True between frames: ending the input here is not a truncation. */
  get atBoundary(): boolean {
    return this.#headerFill === 0 && this.#frameStream === undefined;
  }

  /** Parses `chunk`, calling `onFrame` for each frame it completes. Throws a DemuxError on a bad or oversize header. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.#frameStream === undefined) {
        // A header: straight from the chunk when it is all there, else gathered across chunks.
        if (this.#headerFill === 0 && end - pos >= HEADER_BYTES) {
          this.#startFrame(chunk, pos);
          pos += HEADER_BYTES;
        } else {
          const take = Math.min(HEADER_BYTES - this.#headerFill, end - pos);
          chunk.copy(this.#header, this.#headerFill, pos, pos + take);
          this.#headerFill += take;
          pos += take;
          if (this.#headerFill < HEADER_BYTES) break;
          this.#headerFill = 0;
          this.#startFrame(this.#header, 0);
        }
        this.#offset += HEADER_BYTES;
        if (this.#remaining === 0) onFrame(this.#finish(Buffer.alloc(0)));
        continue;
      }
      const take = Math.min(this.#remaining, end - pos);
      const piece = chunk.subarray(pos, pos + take);
      pos += take;
      this.#remaining -= take;
      this.#offset += take;
      if (this.#remaining === 0 && this.#pieces.length === 0) {
        onFrame(this.#finish(piece));
      } else {
        this.#pieces.push(piece);
        this.#piecesBytes += take;
        if (this.#remaining === 0) onFrame(this.#finish(Buffer.concat(this.#pieces, this.#piecesBytes)));
      }
    }
  }

  /** Declares the end of input: throws `DEMUX_TRUNCATED` when it falls inside a header or payload. */
  end(): void {
    const at = this.#offset + this.#headerFill;
    if (this.#headerFill > 0) {
      throw new DemuxError(
        'DEMUX_TRUNCATED',
        `input ended at byte ${at} inside a frame header (${this.#headerFill} of ${HEADER_BYTES} bytes)`,
      );
    }
    if (this.#frameStream !== undefined) {
      const got = this.#piecesBytes;
      throw new DemuxError(
        'DEMUX_TRUNCATED',
        `input ended at byte ${at} inside a ${this.#frameStream} payload (${got} of ${got + this.#remaining} bytes)`,
      );
    }
  }

  #startFrame(src: Buffer, at: number): void {
    const stream = STREAM_BY_TYPE[src[at]!];
    if (stream === undefined || src[at + 1] !== 0 || src[at + 2] !== 0 || src[at + 3] !== 0) {
      const bytes = src.subarray(at, at + HEADER_BYTES).toString('hex');
      throw new DemuxError(
        'DEMUX_BAD_HEADER',
        `bad frame header at byte ${this.#offset}: ${bytes} (type must be 0, 1 or 2 followed by three zero bytes); ` +
          `a TTY stream is not framed: decode it with mode 'raw'`,
      );
    }
    const size = src.readUInt32BE(at + 4);
    if (size > this.maxFrameBytes) {
      throw new DemuxError(
        'DEMUX_FRAME_TOO_LARGE',
        `frame at byte ${this.#offset} announces ${size} bytes, more than maxFrameBytes (${this.maxFrameBytes})`,
      );
    }
    this.#frameStream = stream;
    this.#remaining = size;
  }

  #finish(data: Buffer): Frame {
    const frame: Frame = { stream: this.#frameStream!, data };
    this.#frameStream = undefined;
    this.#pieces = [];
    this.#piecesBytes = 0;
    return frame;
  }
}
