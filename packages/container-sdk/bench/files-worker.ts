// One contender of the files bench in one direction, in a process of its own (forked by bench/files.ts). The parent
// sends { go: true } and gets back { ms } for one 100 MiB transfer, timed here; { quit: true } ends the process.
// With contender 'big' it instead runs the 1 GiB round trip once and reports its rates and peak RSS growth.
// Why a process each: in one shared process, the 100 MiB Buffers one contender makes and drops slowed the next
// one's transfers by about a quarter (docs/benchmarks.md), while each `docker cp`, in or out, is a process of its own.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { EngineClient } from '@pocketdock/engine-socket';
import { openContainer } from '@pocketdock/container-sdk';

export interface WorkerSetup {
  contender: 'memory' | 'stream' | 'push-pull' | 'dockerode' | 'big' | 'tree';
  dir: 'in' | 'out';
  socketPath: string;
  name: string;
  id: string;
  work: string;
  src: string;
  bytes: number;
}
/** `maxRssMiB`: the process's peak RSS during the transfer (sampled every 10 ms). */
export type WorkerReply = { ms: number; maxRssMiB: number } | { error: string } | { ready: true } | { inMBps: number; outMBps: number; growthMiB: number };

const MIB = 1024 * 1024;
const setup = JSON.parse(process.env.BENCH_WORKER ?? '{}') as WorkerSetup;
const send = (reply: WorkerReply): void => void process.send!(reply);

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

async function main(): Promise<void> {
  // A tree of 10,000 files on a loaded machine can take the engine longer than the default 30 s to answer.
  const engine = await EngineClient.connect({ socketPath: setup.socketPath, timeoutMs: 600_000 });
  const c = await openContainer(setup.name, { engine });
  const { work, src, bytes } = setup;
  const inMemory = setup.contender === 'memory' && setup.dir === 'in' ? await readFile(src) : undefined;
  const box = new Docker({ socketPath: setup.socketPath }).getContainer(setup.id);
  // `before`: untimed, ahead of each transfer (the tree's destination removed: a pull into an existing directory
  // replaces file by file, and `docker cp` would copy into it instead).
  const transfers: Record<Exclude<WorkerSetup['contender'], 'big'>, { in: () => Promise<unknown>; out: () => Promise<unknown>; before?: () => Promise<unknown> }> = {
    memory: {
      in: () => c.writeFile('/bench/mem.bin', inMemory!),
      out: async () => {
        if ((await c.readFile('/bench/mem.bin', { maxBytes: bytes })).length !== bytes) throw new Error('short read');
      },
    },
    stream: {
      in: () => c.writeFile('/bench/ours.bin', createReadStream(src), { size: bytes }),
      out: () => pipeline(c.readFileStream('/bench/ours.bin'), createWriteStream(join(work, 'ours.out'))),
    },
    'push-pull': {
      in: () => c.push(src, '/bench/pushed.bin'),
      out: () => c.pull('/bench/pushed.bin', join(work, 'pulled.out')),
    },
    tree: {
      in: () => c.push(src, '/bench/tree'),
      out: () => c.pull('/bench/tree-src', join(work, 'tree.out')),
      before: () => (setup.dir === 'out' ? rm(join(work, 'tree.out'), { recursive: true, force: true }) : c.run(['rm', '-rf', '/bench/tree'])),
    },
    dockerode: {
      in: async () => box.putArchive(await tarOf(src, 'dockerode.bin'), { path: '/bench' }),
      out: async () => untarTo(await box.getArchive({ path: '/bench/dockerode.bin' }), join(work, 'dockerode.out')),
    },
  };
  if (setup.contender === 'big') {
    send(await bigRoundTrip(c));
  } else {
    const { [setup.dir]: transfer, before } = transfers[setup.contender];
    const timed = async (): Promise<WorkerReply> => {
      await before?.();
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10); // .rss(): far cheaper than memoryUsage()
      const t0 = performance.now();
      try {
        await transfer();
      } finally {
        clearInterval(sampler);
      }
      const ms = performance.now() - t0;
      return { ms, maxRssMiB: Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024 };
    };
    process.on('message', (msg: { go?: boolean; quit?: boolean }) => {
      if (msg.quit) return void engine.close().then(() => process.disconnect());
      timed().then(send, (err: Error) => send({ error: err.stack ?? String(err) }));
    });
    send({ ready: true });
    return;
  }
  await engine.close();
  process.disconnect();
}

/** 1 GiB through ours, generated lazily and drained: how much does a process doing only this grow? */
async function bigRoundTrip(c: Awaited<ReturnType<typeof openContainer>>): Promise<WorkerReply> {
  const total = setup.bytes;
  const block = randomBytes(MIB);
  const source = (bytes: number): Readable => {
    let sent = 0;
    return new Readable({
      read() {
        if (sent >= bytes) return void this.push(null);
        sent += MIB;
        this.push(block);
      },
    });
  };
  // Warm up the same code paths with 8 MiB first: the growth measured is the transfer's, not the JIT's.
  await c.writeFile('/bench/big.bin', source(8 * MIB), { size: 8 * MIB });
  for await (const chunk of c.readFileStream('/bench/big.bin')) void chunk;
  const big = source(total);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  let t0 = performance.now();
  await c.writeFile('/bench/big.bin', big, { size: total });
  const tIn = performance.now() - t0;
  let got = 0;
  t0 = performance.now();
  for await (const chunk of c.readFileStream('/bench/big.bin')) got += (chunk as Buffer).length;
  const tOut = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (got !== total) throw new Error(`the big file read back ${got} bytes of ${total}`);
  await c.run(['rm', '-f', '/bench/big.bin']);
  return { inMBps: total / 1e6 / (tIn / 1000), outMBps: total / 1e6 / (tOut / 1000), growthMiB: (peak - rss0) / MIB };
}

main().catch((err: Error) => {
  send({ error: err.stack ?? String(err) });
  process.exitCode = 1;
  process.disconnect();
});
