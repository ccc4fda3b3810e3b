import { Readable } from 'node:stream';
import { FrameDecoder, FrameParser } from '../src/index.js';
import type { Frame, FrameDecoderOptions } from '../src/index.js';

/** Frames a byte buffer the obvious way: the reference the decoder is compared with. */
export function referenceDecode(bytes: Buffer): Frame[] {
  const names = ['stdin', 'stdout', 'stderr'] as const;
  const frames: Frame[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const size = bytes.readUInt32BE(pos + 4);
    frames.push({ stream: names[bytes[pos]!]!, data: Buffer.from(bytes.subarray(pos + 8, pos + 8 + size)) });
    pos += 8 + size;
  }
  return frames;
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, in range). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

/** Runs chunks through a FrameDecoder; resolves with the frames or rejects with its error. */
export function decodeChunks(chunks: Buffer[], options?: FrameDecoderOptions): Promise<Frame[]> {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder(options);
  return new Promise((resolve, reject) => {
    decoder.on('data', (frame: Frame) => frames.push(frame));
    decoder.once('error', reject);
    decoder.once('end', () => resolve(frames));
    for (const chunk of chunks) decoder.write(chunk);
    decoder.end();
  });
}

/** A lazy source of `count` stdout frames of `size` bytes that counts how many were pulled from it. */
export function countingSource(count: number, size: number): { source: Readable; pulled: () => number } {
  let pulled = 0;
  function* frames(): Generator<Buffer> {
    for (let i = 0; i < count; i++) {
      pulled++;
      yield Buffer.concat([header(1, size), Buffer.alloc(size, i % 256)]);
    }
  }
  return { source: Readable.from(frames(), { objectMode: false }), pulled: () => pulled };
}

export function header(type: number, size: number): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(size, 4);
  return h;
}

/** Runs chunks through a FrameParser (synchronous, no streams): the frames, and the error if one was thrown. */
export function parseSync(chunks: Buffer[], maxFrameBytes?: number): { frames: Frame[]; error: unknown } {
  const frames: Frame[] = [];
  const parser = new FrameParser(maxFrameBytes);
  const onFrame = (frame: Frame): void => {
    frames.push(frame);
  };
  try {
    for (const chunk of chunks) parser.push(chunk, onFrame);
    parser.end();
    return { frames, error: null };
  } catch (error) {
    return { frames, error };
  }
}
