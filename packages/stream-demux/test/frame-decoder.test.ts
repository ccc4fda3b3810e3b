import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { DemuxError, FrameDecoder, encodeFrame } from '../src/index.js';
import type { Frame } from '../src/index.js';
import { thrown } from '@pocketdock/testkit';
import { decodeChunks, header, splitAt } from './helpers.js';

const text = (frames: Frame[]): string[] => frames.map((f) => `${f.stream}:${f.data.toString()}`);

async function failure(chunks: Buffer[], options?: ConstructorParameters<typeof FrameDecoder>[0]): Promise<DemuxError> {
  const err: unknown = await decodeChunks(chunks, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!DemuxError.is(err)) throw new Error(`expected a DemuxError, got ${String(err)}`);
  return err;
}

describe('FrameDecoder', () => {
  it('decodes stdin, stdout and stderr frames', async () => {
    const bytes = Buffer.concat([encodeFrame('stdout', 'out'), encodeFrame('stderr', 'err'), encodeFrame('stdin', 'in')]);
    expect(text(await decodeChunks([bytes]))).toEqual(['stdout:out', 'stderr:err', 'stdin:in']);
  });

  it('decodes many frames from one chunk without copying their payloads', async () => {
    const bytes = Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeFrame(i % 2 ? 'stderr' : 'stdout', `#${i}`)));
    const frames = await decodeChunks([bytes]);
    expect(frames).toHaveLength(100);
    expect(frames[99]!.data.toString()).toBe('#99');
    expect(frames[0]!.data.buffer).toBe(bytes.buffer);
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 9, 12])('handles a stream split every %i byte(s)', async (step) => {
    const bytes = Buffer.concat([encodeFrame('stdout', 'hello'), encodeFrame('stderr', ''), encodeFrame('stderr', 'world!')]);
    const cuts = Array.from({ length: Math.ceil(bytes.length / step) }, (_, i) => i * step);
    expect(text(await decodeChunks(splitAt(bytes, cuts)))).toEqual(['stdout:hello', 'stderr:', 'stderr:world!']);
  });

  it('handles a header split at every position', async () => {
    const bytes = Buffer.concat([encodeFrame('stderr', 'abc'), encodeFrame('stdout', 'defg')]);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(text(await decodeChunks(splitAt(bytes, [cut])))).toEqual(['stderr:abc', 'stdout:defg']);
    }
  });

  it('emits zero-length frames with empty data', async () => {
    const frames = await decodeChunks([header(1, 0), header(2, 0)]);
    expect(frames.map((f) => [f.stream, f.data.length])).toEqual([
      ['stdout', 0],
      ['stderr', 0],
    ]);
  });

  it('ends cleanly on empty input', async () => {
    expect(await decodeChunks([])).toEqual([]);
  });

  it.each([
    ['type 3', header(3, 1)],
    ['type 255', header(255, 1)],
    ['a nonzero padding byte', Buffer.from([1, 0, 1, 0, 0, 0, 0, 1])],
    ['plain text (a TTY stream)', Buffer.from('hello world\n')],
  ])('rejects %s with DEMUX_BAD_HEADER', async (_label, bytes) => {
    const err = await failure([bytes]);
    expect(err.code).toBe('DEMUX_BAD_HEADER');
    expect(err.message).toMatch(/at byte 0/);
  });

  it('reports the offset of a bad header after good frames', async () => {
    const err = await failure([encodeFrame('stdout', 'ok'), Buffer.from('garbage!')]);
    expect(err.message).toMatch(/at byte 10/);
  });

  it.each([
    ['inside a header', [header(1, 4).subarray(0, 3)], /inside a frame header \(3 of 8/],
    ['after a header', [header(1, 4)], /inside a stdout payload \(0 of 4/],
    ['inside a payload', [header(2, 4), Buffer.from('ab')], /inside a stderr payload \(2 of 4/],
  ])('rejects input ending %s with DEMUX_TRUNCATED', async (_label, chunks, message) => {
    const err = await failure(chunks);
    expect(err.code).toBe('DEMUX_TRUNCATED');
    expect(err.message).toMatch(message);
  });

  it('applies maxFrameBytes at, below and above the bound', async () => {
    const at = await decodeChunks([encodeFrame('stdout', Buffer.alloc(16))], { maxFrameBytes: 16 });
    expect(at[0]!.data).toHaveLength(16);
    const below = await decodeChunks([encodeFrame('stdout', Buffer.alloc(15))], { maxFrameBytes: 16 });
    expect(below[0]!.data).toHaveLength(15);
    const above = await failure([header(1, 17)], { maxFrameBytes: 16 });
    expect(above.code).toBe('DEMUX_FRAME_TOO_LARGE');
  });

  it('refuses a 4 GiB header under the default limit before buffering anything', async () => {
    const err = await failure([header(1, 0xffffffff)]);
    expect(err.code).toBe('DEMUX_FRAME_TOO_LARGE');
  });

  it.each([-1, 1.5, 2 ** 32, Number.NaN, '10'])('rejects maxFrameBytes %p with DEMUX_INVALID_OPTIONS', (value) => {
    expect(thrown(() => new FrameDecoder({ maxFrameBytes: value as number }))).toMatchObject({ code: 'DEMUX_INVALID_OPTIONS' });
  });

  it('rejects an unknown mode', () => {
    expect(thrown(() => new FrameDecoder({ mode: 'tty' as 'raw' }))).toMatchObject({ code: 'DEMUX_INVALID_OPTIONS' });
  });

  it('passes raw (TTY) bytes through as stdout frames', async () => {
    const frames = await decodeChunks([Buffer.from([1, 0, 0, 0]), Buffer.from('plain')], { mode: 'raw' });
    expect(Buffer.concat(frames.map((f) => f.data))).toEqual(Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('plain')]));
    expect(new Set(frames.map((f) => f.stream))).toEqual(new Set(['stdout']));
  });

  it('respects backpressure: holds input back while its frames are not consumed', () => {
    const decoder = new FrameDecoder({ readableHighWaterMark: 4 });
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      accepted++;
      if (!decoder.write(encodeFrame('stdout', Buffer.alloc(1024)))) break;
    }
    expect(accepted).toBeLessThan(100);
    expect(decoder.readableLength).toBeLessThanOrEqual(4);
    decoder.destroy();
  });

  it('delivers everything to a slow consumer', async () => {
    const frames: Buffer[] = [];
    const chunks = Array.from({ length: 200 }, (_, i) => encodeFrame('stdout', String(i)));
    await pipeline(
      Readable.from(chunks),
      new FrameDecoder({ readableHighWaterMark: 1 }),
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(frame: Frame, _e, cb) {
          frames.push(frame.data);
          setImmediate(cb);
        },
      }),
    );
    expect(frames.map(String)).toEqual(chunks.map((_, i) => String(i)));
  });
});
