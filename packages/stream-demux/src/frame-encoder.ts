import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { DemuxError } from './errors.js';
import { HEADER_BYTES, MAX_FRAME_SIZE, TYPE_BY_STREAM } from './frame.js';
import type { StreamName } from './frame.js';

function header(stream: StreamName, size: number): Buffer {
  const type = TYPE_BY_STREAM[stream];
  if (type === undefined) {
    throw new DemuxError('DEMUX_BAD_HEADER', `unknown stream ${String(stream)}: use 'stdin', 'stdout' or 'stderr'`);
  }
  if (size > MAX_FRAME_SIZE) {
    throw new DemuxError('DEMUX_FRAME_TOO_LARGE', `a frame holds at most ${MAX_FRAME_SIZE} bytes, got ${size}`);
  }
  const head = Buffer.alloc(HEADER_BYTES);
  head[0] = type;
  head.writeUInt32BE(size, 4);
  return head;
}

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Encodes one frame: the 8-byte header followed by a copy of `data` (strings are UTF-8).
 *
 * @example
 * socket.write(encodeFrame('stdout', 'hello\n'));
 */
export function encodeFrame(stream: StreamName, data: Buffer | Uint8Array | string): Buffer {
  const payload = toBuffer(data);
  return Buffer.concat([header(stream, payload.length), payload], HEADER_BYTES + payload.length);
}

/** What a {@link FrameEncoder} takes: the same shape a FrameDecoder produces. */
export interface FrameInput {
  stream: StreamName;
  data: Buffer | Uint8Array | string;
}

/**
 * The inverse of FrameDecoder: `{ stream, data }` objects in, framed bytes out. The payload is passed on without
 * copying (header and payload leave as two chunks).
 *
 * @example
 * const enc = new FrameEncoder();
 * enc.pipe(socket);
 * enc.write({ stream: 'stderr', data: 'oops\n' });
 */
export class FrameEncoder extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(frame: FrameInput, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const payload = toBuffer(frame.data);
      this.push(header(frame.stream, payload.length));
      if (payload.length > 0) this.push(payload);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
