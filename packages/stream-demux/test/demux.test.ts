import { PassThrough, Readable, Writable } from 'node:stream';
import { DemuxError, demux, encodeFrame } from '../src/index.js';
import { countingSource } from './helpers.js';

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly delayMs = 0, highWaterMark = 16 * 1024) {
    super({ highWaterMark });
  }
  override _write(chunk: Buffer, _e: BufferEncoding, cb: (err?: Error) => void): void {
    this.chunks.push(chunk);
    if (this.delayMs > 0) setTimeout(cb, this.delayMs);
    else cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const framed = (...frames: Array<['stdin' | 'stdout' | 'stderr', string]>): Buffer =>
  Buffer.concat(frames.map(([s, d]) => encodeFrame(s, d)));

describe('demux', () => {
  it('routes stdout and stderr, stdin frames to stdout, and ends both sinks', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    await demux(Readable.from([framed(['stdout', 'a'], ['stderr', 'b'], ['stdin', 'c'], ['stdout', ''])]), { stdout, stderr });
    expect(stdout.text()).toBe('ac');
    expect(stderr.text()).toBe('b');
    expect(stdout.writableFinished && stderr.writableFinished).toBe(true);
  });

  it('accepts one sink for both streams and ends it once', async () => {
    const both = new Collector();
    await demux(Readable.from([framed(['stdout', '1'], ['stderr', '2'], ['stdout', '3'])]), { stdout: both, stderr: both });
    expect(both.text()).toBe('123');
  });

  it('accepts an async iterable source', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    async function* gen(): AsyncGenerator<Buffer> {
      yield framed(['stderr', 'x']);
      await new Promise((r) => setImmediate(r));
      yield framed(['stdout', 'y']);
    }
    await demux(gen(), { stdout, stderr });
    expect([stdout.text(), stderr.text()]).toEqual(['y', 'x']);
  });

  it("passes raw (TTY) bytes to stdout unchanged in mode 'raw'", async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    const bytes = Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x41]);
    await demux(Readable.from([bytes]), { stdout, stderr }, { mode: 'raw' });
    expect(Buffer.concat(stdout.chunks)).toEqual(bytes);
    expect(stderr.chunks).toHaveLength(0);
  });

  it('leaves sinks open with end: false', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    await demux(Readable.from([framed(['stdout', 'a'])]), { stdout, stderr }, { end: false });
    expect(stdout.writableEnded).toBe(false);
    stdout.end();
    stderr.end();
  });

  it('waits on a slow sink (backpressure) without losing or reordering bytes', async () => {
    const { source, pulled } = countingSource(400, 1024);
    const slow = new Collector(1, 1024);
    const done = demux(source, { stdout: slow, stderr: new Collector() });
    await new Promise((r) => setTimeout(r, 40));
    // the source is pulled only as fast as the slow sink drains, not read to the end into memory
    expect(pulled()).toBeLessThan(200);
    await done;
    const got = Buffer.concat(slow.chunks);
    expect(got.length).toBe(400 * 1024);
    for (let i = 0; i < 400; i++) expect(got[i * 1024]).toBe(i % 256);
  });

  it('rejects with the decoder error, destroying the source and the sinks', async () => {
    const source = new PassThrough();
    const stdout = new Collector();
    const stderr = new Collector();
    const done = demux(source, { stdout, stderr });
    source.end(Buffer.from('not framed at all'));
    await expect(done).rejects.toMatchObject({ code: 'DEMUX_BAD_HEADER' });
    expect(source.destroyed && stdout.destroyed && stderr.destroyed).toBe(true);
  });

  it('rejects a truncated stream with DEMUX_TRUNCATED', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    await expect(demux(Readable.from([framed(['stdout', 'abc']).subarray(0, 10)]), { stdout, stderr })).rejects.toMatchObject({
      code: 'DEMUX_TRUNCATED',
    });
  });

  it('passes maxFrameBytes to the decoder', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    await expect(
      demux(Readable.from([framed(['stdout', 'abcdef'])]), { stdout, stderr }, { maxFrameBytes: 5 }),
    ).rejects.toMatchObject({ code: 'DEMUX_FRAME_TOO_LARGE' });
  });

  it('rejects with DEMUX_ABORTED on abort and destroys the source', async () => {
    const source = new PassThrough();
    const stdout = new Collector();
    const stderr = new Collector();
    const ac = new AbortController();
    const done = demux(source, { stdout, stderr }, { signal: ac.signal });
    source.write(framed(['stdout', 'partial']));
    setTimeout(() => ac.abort(new Error('user gave up')), 5);
    const err: unknown = await done.catch((e: unknown) => e);
    expect(DemuxError.is(err) && err.code).toBe('DEMUX_ABORTED');
    expect((err as Error).cause).toEqual(new Error('user gave up'));
    expect(source.destroyed).toBe(true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const source = new PassThrough();
    await expect(
      demux(source, { stdout: new Collector(), stderr: new Collector() }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'DEMUX_ABORTED' });
    expect(source.destroyed).toBe(true);
  });

  it('rejects when a sink fails, and destroys the source', async () => {
    const source = new PassThrough();
    const stdout = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
    const done = demux(source, { stdout, stderr: new Collector() });
    source.write(framed(['stdout', 'x']));
    await expect(done).rejects.toThrow('disk full');
    expect(source.destroyed).toBe(true);
  });

  it('rejects with DEMUX_SINK_CLOSED when a sink closes while demux waits on it', async () => {
    const source = new PassThrough();
    const stuck = new Writable({ highWaterMark: 1, write: () => undefined });
    const done = demux(source, { stdout: stuck, stderr: new Collector() }, { end: false });
    source.write(framed(['stdout', 'xx']));
    source.write(framed(['stdout', 'yy']));
    setTimeout(() => stuck.destroy(), 5);
    await expect(done).rejects.toMatchObject({ code: 'DEMUX_SINK_CLOSED' });
  });

  it('rejects an unknown mode with DEMUX_INVALID_OPTIONS', async () => {
    await expect(
      demux(Readable.from([]), { stdout: new Collector(), stderr: new Collector() }, { mode: 'tty' as 'raw' }),
    ).rejects.toMatchObject({ code: 'DEMUX_INVALID_OPTIONS' });
  });

  it('rejects when the source fails', async () => {
    const source = new PassThrough();
    const done = demux(source, { stdout: new Collector(), stderr: new Collector() });
    source.destroy(new Error('connection reset'));
    await expect(done).rejects.toThrow('connection reset');
  });
});
