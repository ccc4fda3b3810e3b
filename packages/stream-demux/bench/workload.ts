import { randomBytes } from 'node:crypto';

/** A deterministic PRNG (mulberry32), so every contender and every run sees the same workload. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  /** The framed bytes, cut at random points. */
  chunks: Buffer[];
  totalBytes: number;
  payloadBytes: { stdout: number; stderr: number };
  frames: number;
}

/**
 * At least `minBytes` of framed data: frame sizes log-uniform from 1 B to `maxFrame`, stdout or stderr at random,
 * cut into chunks of uniformly random size from 1 B to 2 * `meanChunk` (mean `meanChunk`).
 */
export function makeWorkload(minBytes: number, maxFrame: number, meanChunk: number, seed = 42): Workload {
  const rand = prng(seed);
  const noise = randomBytes(maxFrame);
  const parts: Buffer[] = [];
  const payloadBytes = { stdout: 0, stderr: 0 };
  let total = 0;
  let frames = 0;
  while (total < minBytes) {
    const size = Math.min(maxFrame, Math.floor(Math.exp(rand() * Math.log(maxFrame + 1))));
    const stream = rand() < 0.5 ? 'stdout' : 'stderr';
    const head = Buffer.alloc(8);
    head[0] = stream === 'stdout' ? 1 : 2;
    head.writeUInt32BE(size, 4);
    parts.push(head, noise.subarray(0, size));
    payloadBytes[stream] += size;
    total += 8 + size;
    frames++;
  }
  const all = Buffer.concat(parts, total);
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < all.length; ) {
    const len = 1 + Math.floor(rand() * 2 * meanChunk);
    chunks.push(all.subarray(pos, pos + len));
    pos += len;
  }
  return { chunks, totalBytes: total, payloadBytes, frames };
}
