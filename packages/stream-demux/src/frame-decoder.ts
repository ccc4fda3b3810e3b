import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { DemuxError } from './errors.js';
import { FrameParser } from './frame-parser.js';
import type { Frame, StreamMode } from './frame.js';

export interface FrameDecoderOptions {
  /**
   * The largest frame payload accepted, in bytes (0 to 4 GiB - 1). A header announcing more fails the stream
   * with `DEMUX_FRAME_TOO_LARGE` before anything is buffered. Default 16 MiB.
   */
  maxFrameBytes?: number;
  /** `'raw'` (TTY streams): every input chunk comes out as one `stdout` frame. Default `'multiplexed'`. */
  mode?: StreamMode;
  /** Objects buffered on the readable side before backpressure applies. Default 16. */
  readableHighWaterMark?: number;
}

/**
 * Decodes a Docker/Podman attach stream: bytes in, one {@link Frame} object out per frame.
 *
 * Headers and payloads may be split at any byte across chunks, and one chunk may hold many frames. Zero-length
 * frames come out with an empty `data`. Backpressure holds: input is not taken while the frames are not read.
 *
 * Errors (a {@link DemuxError}, emitted as `'error'`): a header whose type is not 0, 1 or 2 or whose padding is
 * not zero -> `DEMUX_BAD_HEADER` (the decoder never falls back to raw bytes: use `mode: 'raw'` for TTY streams);
 * input ending inside a header or payload -> `DEMUX_TRUNCATED`; a payload over `maxFrameBytes` ->
 * `DEMUX_FRAME_TOO_LARGE`.
 *
 * @example
 * for await (const { stream, data } of execStream.pipe(new FrameDecoder())) {
 *   (stream === 'stderr' ? errs : outs).push(data);
 * }
 */
export class FrameDecoder extends Transform {
  readonly mode: StreamMode;
  readonly #parser: FrameParser;
  readonly #onFrame = (frame: Frame): void => {
    this.push(frame);
  };

  constructor(options: FrameDecoderOptions = {}) {
    const { maxFrameBytes, mode = 'multiplexed', readableHighWaterMark = 16 } = options;
    if (mode !== 'multiplexed' && mode !== 'raw') {
      throw new DemuxError('DEMUX_INVALID_OPTIONS', `mode must be 'multiplexed' or 'raw', got ${String(mode)}`);
    }
    const parser = new FrameParser(maxFrameBytes);
    super({ readableObjectMode: true, readableHighWaterMark });
    this.#parser = parser;
    this.mode = mode;
  }

  get maxFrameBytes(): number {
    return this.#parser.maxFrameBytes;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      if (this.mode === 'raw') {
        if (buf.length > 0) this.push({ stream: 'stdout', data: buf } satisfies Frame);
      } else {
        this.#parser.push(buf, this.#onFrame);
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.mode === 'multiplexed') this.#parser.end();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
