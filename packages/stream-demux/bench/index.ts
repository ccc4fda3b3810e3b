// stream-demux throughput: ours vs docker-modem's demuxStream (what dockerode users get) vs a copying pass-through
// (the floor), in one run, on the same bytes. Run: npx nx bench @pocketdock/stream-demux
// Options (env): BENCH_MIB (default 256), BENCH_ROUNDS (default 9).
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Modem from 'docker-modem';
import { FrameDecoder, demux } from '@pocketdock/stream-demux';
import type { Frame } from '@pocketdock/stream-demux';
import { makeWorkload } from './workload.js';
import type { Workload } from './workload.js';

const MIB = 1024 * 1024;
const totalMiB = Number(process.env.BENCH_MIB ?? 256);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);

class CountingSink extends Writable {
  bytes = 0;
  constructor(objectMode = false) {
    super({ objectMode });
  }
  override _write(chunk: Buffer | Frame, _e: BufferEncoding, cb: () => void): void {
    this.bytes += Buffer.isBuffer(chunk) ? chunk.length : chunk.data.length;
    cb();
  }
}

type Contender = (w: Workload) => Promise<number>;

const contenders: Record<string, Contender> = {
  // the floor: the same stream plumbing, each chunk copied once, no parsing
  'copy pass-through (floor)': async (w) => {
    const sink = new CountingSink();
    const copy = new Transform({ transform: (chunk: Buffer, _e, cb) => cb(null, Buffer.from(chunk)) });
    await pipeline(Readable.from(w.chunks), copy, sink);
    return sink.bytes;
  },
  'pocketdock demux()': async (w) => {
    const stdout = new CountingSink();
    const stderr = new CountingSink();
    await demux(Readable.from(w.chunks), { stdout, stderr });
    return stdout.bytes + stderr.bytes;
  },
  'pocketdock FrameDecoder': async (w) => {
    const sink = new CountingSink(true);
    await pipeline(Readable.from(w.chunks), new FrameDecoder(), sink);
    return sink.bytes;
  },
  'docker-modem demuxStream': async (w) => {
    const stdout = new CountingSink();
    const stderr = new CountingSink();
    const source = Readable.from(w.chunks);
    new Modem({ socketPath: '/dev/null' }).demuxStream(source, stdout, stderr);
    await new Promise<void>((resolve, reject) => {
      source.once('end', resolve);
      source.once('error', reject);
    });
    return stdout.bytes + stderr.bytes;
  },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const w = makeWorkload(totalMiB * MIB, MIB, 64 * 1024);
  const payload = w.payloadBytes.stdout + w.payloadBytes.stderr;
  console.log(
    `workload: ${(w.totalBytes / MIB).toFixed(1)} MiB framed, ${w.frames} frames (1 B - 1 MiB, log-uniform), ` +
      `${w.chunks.length} chunks (1 B - 128 KiB, mean 64 KiB); ${rounds} rounds, contenders interleaved; node ${process.version}`,
  );
  const mbps: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(contenders)) {
      global.gc?.();
      const t0 = process.hrtime.bigint();
      const bytes = await run(w);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const expected = name.startsWith('copy') ? w.totalBytes : payload;
      if (bytes !== expected) throw new Error(`${name}: delivered ${bytes} bytes, expected ${expected}`);
      mbps[name]!.push(w.totalBytes / 1e6 / s);
    }
  }
  const floor = median(mbps['copy pass-through (floor)']!);
  const modem = median(mbps['docker-modem demuxStream']!);
  console.log('\n| contender | MB/s (median) | min - max | vs docker-modem | vs floor |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, xs] of Object.entries(mbps)) {
    const m = median(xs);
    console.log(
      `| ${name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)} - ${Math.max(...xs).toFixed(0)} | ` +
        `${(m / modem).toFixed(2)}x | ${((m / floor) * 100).toFixed(0)}% |`,
    );
  }
  console.log('\nMB/s = framed input bytes (headers included) / wall time; 1 MB = 10^6 bytes.');
}

await main();
