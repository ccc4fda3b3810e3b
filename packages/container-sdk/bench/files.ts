// Files: 100 MiB in and out of a container, ours vs the CLI's cp vs dockerode's putArchive/getArchive, and the
// peak memory growth of a 1 GiB round trip. Every contender reads from / writes to a host file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_FILE_MIB ?? 100);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI: Record<string, string[]> = { docker: ['docker', '--host', 'unix:///var/run/docker.sock'], podman: ['podman'] };

async function tarOf(file: string, name: string): Promise<Readable> {
  const pack = tar.pack();
  const size = (await stat(file)).size;
  const entry = pack.entry({ name, size, mode: 0o644 });
  void pipeline(createReadStream(file), entry as unknown as NodeJS.WritableStream).then(() => pack.finalize());
  return Readable.from(pack);
}

async function untarTo(stream: NodeJS.ReadableStream, file: string): Promise<void> {
  const extract = tar.extract();
  const feeding = pipeline(stream as Readable, extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer>>) await pipeline(Readable.from(entry), createWriteStream(file));
  await feeding;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchFiles(engines: string[], sockets: Record<string, string>): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pocketdock-bench-'));
  const src = join(work, 'src.bin');
  await writeFile(src, randomBytes(SIZE_MIB * MIB));
  const rows: string[] = [];
  try {
    for (const engine of engines) {
      const socketPath = sockets[engine]!;
      const docker = new Docker({ socketPath });
      const c: Container = await createNewContainer({ socketPath, labels: { 'pocketdock.bench': 'container-sdk' } });
      const box = docker.getContainer(c.id);
      const cli = CLI[engine]!;
      const inMemory = await readFile(src);
      const contenders: Record<string, { in: () => Promise<unknown>; out: () => Promise<unknown> }> = {
        'pocketdock writeFile/readFile (Buffer in memory)': {
          in: () => c.writeFile('/bench/mem.bin', inMemory),
          out: async () => {
            if ((await c.readFile('/bench/mem.bin')).length !== SIZE_MIB * MIB) throw new Error('short read');
          },
        },
        'pocketdock writeFile(stream)/readFileStream (host file)': {
          in: () => c.writeFile('/bench/ours.bin', createReadStream(src), { size: SIZE_MIB * MIB }),
          out: () => pipeline(c.readFileStream('/bench/ours.bin'), createWriteStream(join(work, 'ours.out'))),
        },
        'pocketdock push/pull (host file)': {
          in: () => c.push(src, '/bench/pushed.bin'),
          out: () => c.pull('/bench/pushed.bin', join(work, 'pulled.out')),
        },
        [`${engine} cp (CLI)`]: {
          in: () => run(cli[0]!, [...cli.slice(1), 'cp', src, `${c.id}:/bench/cli.bin`]),
          out: () => run(cli[0]!, [...cli.slice(1), 'cp', `${c.id}:/bench/cli.bin`, join(work, 'cli.out')]),
        },
        dockerode: {
          in: async () => box.putArchive(await tarOf(src, 'dockerode.bin'), { path: '/bench' }),
          out: async () => untarTo(await box.getArchive({ path: '/bench/dockerode.bin' }), join(work, 'dockerode.out')),
        },
      };
      await c.run(['mkdir', '-p', '/bench']);
      // First, before the 100 MiB rounds grow the heap: 1 GiB through ours, generated lazily and drained: how much does this process grow?
      const block = randomBytes(MIB);
      let sent = 0;
      const big = new Readable({
        read() {
          if (sent >= BIG_MIB * MIB) return void this.push(null);
          sent += MIB;
          this.push(block);
        },
      });
      global.gc?.();
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const tIn = await timed(() => c.writeFile('/bench/big.bin', big, { size: BIG_MIB * MIB }));
      let got = 0;
      const tOut = await timed(async () => {
        for await (const chunk of c.readFileStream('/bench/big.bin')) got += (chunk as Buffer).length;
      });
      clearInterval(sampler);
      if (got !== BIG_MIB * MIB) throw new Error(`1 GiB read back ${got} bytes`);
      rows.push(
        `| ${engine} | pocketdock, ${BIG_MIB} MiB in + out | ${((BIG_MIB * MIB) / 1e6 / (tIn / 1000)).toFixed(0)} | ${((BIG_MIB * MIB) / 1e6 / (tOut / 1000)).toFixed(0)} | peak RSS growth ${((peak - rss0) / MIB).toFixed(1)} MiB |`,
      );
      const mbps: Record<string, { in: number[]; out: number[] }> = {};
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, fns] of Object.entries(contenders)) {
          mbps[name] ??= { in: [], out: [] };
          mbps[name].in.push((SIZE_MIB * MIB) / 1e6 / ((await timed(fns.in)) / 1000));
          mbps[name].out.push((SIZE_MIB * MIB) / 1e6 / ((await timed(fns.out)) / 1000));
        }
      }
      for (const [name, m] of Object.entries(mbps)) {
        rows.push(`| ${engine} | ${name} | ${median(m.in).toFixed(0)} (${Math.min(...m.in).toFixed(0)} - ${Math.max(...m.in).toFixed(0)}) | ${median(m.out).toFixed(0)} (${Math.min(...m.out).toFixed(0)} - ${Math.max(...m.out).toFixed(0)}) |`);
      }

      await c.shutdown();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\nfiles: ${SIZE_MIB} MiB of random bytes in and out of a container (host file, or a Buffer where marked); ${ROUNDS} rounds interleaved; MB/s median (min - max), 1 MB = 10^6 B\n`);
  console.log('| engine | contender | in (MB/s) | out (MB/s) | |');
  console.log('|---|---|---:|---:|---|');
  for (const r of rows) console.log(r);
}
