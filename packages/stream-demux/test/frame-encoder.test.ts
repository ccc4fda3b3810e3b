import { Readable } from 'node:stream';
import { DemuxError, FrameEncoder, encodeFrame } from '../src/index.js';
import type { StreamName } from '../src/index.js';
import { thrown } from '@pocketdock/testkit';

describe('encodeFrame', () => {
  it('writes the 8-byte header, then the payload', () => {
    expect(encodeFrame('stderr', 'hi')).toEqual(Buffer.from([2, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]));
    expect(encodeFrame('stdin', Buffer.alloc(0))).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]));
    expect(encodeFrame('stdout', new Uint8Array([0xff]))).toEqual(Buffer.from([1, 0, 0, 0, 0, 0, 0, 1, 0xff]));
  });

  it('encodes strings as UTF-8 and sizes by bytes, not characters', () => {
    const frame = encodeFrame('stdout', 'é');
    expect(frame.readUInt32BE(4)).toBe(2);
  });

  it('copies the payload', () => {
    const data = Buffer.from('abc');
    const frame = encodeFrame('stdout', data);
    data[0] = 0x7a;
    expect(frame.subarray(8).toString()).toBe('abc');
  });

  it('rejects an unknown stream name with DEMUX_BAD_HEADER', () => {
    expect(thrown(() => encodeFrame('stdlog' as StreamName, 'x'))).toMatchObject({ code: 'DEMUX_BAD_HEADER' });
  });
});

describe('FrameEncoder', () => {
  it('frames each object', async () => {
    const out: Buffer[] = [];
    const src = Readable.from([
      { stream: 'stdout' as const, data: 'a' },
      { stream: 'stderr' as const, data: Buffer.from('bc') },
      { stream: 'stdout' as const, data: '' },
    ]);
    for await (const chunk of src.pipe(new FrameEncoder())) out.push(chunk as Buffer);
    expect(Buffer.concat(out)).toEqual(
      Buffer.concat([encodeFrame('stdout', 'a'), encodeFrame('stderr', 'bc'), encodeFrame('stdout', '')]),
    );
  });

  it('fails the stream on a bad object', async () => {
    const enc = new FrameEncoder();
    const failed = new Promise((resolve) => enc.once('error', resolve));
    enc.write({ stream: 'nope', data: 'x' });
    const err = await failed;
    expect(DemuxError.is(err)).toBe(true);
  });
});
