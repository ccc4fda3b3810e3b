// Hand-made archives: what a compromised engine (or a container's own tar) could send. Built with tar-stream where
// it can express the entry, and by hand (a minimal ustar encoder, independent of the code under test) for what it
// cannot: names that are not UTF-8, and headers that lie about their size.
import { Readable } from 'node:stream';
import tar from 'tar-stream';

export interface FixtureEntry {
  /** A string, or exact bytes (sent in a PAX record, as the engines do for names that are not ASCII). */
  name: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  linkname?: string;
  data?: string | Buffer;
  mode?: number;
}

/** The bytes of one entry as tar-stream writes it (without the end-of-archive blocks). */
export async function packedEntry(e: FixtureEntry & { name: string }): Promise<Buffer> {
  const pack = tar.pack();
  const type = e.type ?? 'file';
  const header = { name: e.name, type, ...(e.linkname !== undefined ? { linkname: e.linkname } : {}), ...(e.mode !== undefined ? { mode: e.mode } : {}) };
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    if (type === 'file') pack.entry(header, e.data ?? '', done);
    else pack.entry(header, done);
    pack.finalize();
  });
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024);
}

/** A ustar header block by hand; `sizeField` is written as given (12 bytes: octal text, or base-256 bytes). */
export function rawHeader(o: { name: string; flag: string; sizeField: Buffer | string; mode?: number; linkname?: string }): Buffer {
  const b = Buffer.alloc(512);
  b.write(o.name, 0, 100, 'latin1');
  b.write(`${(o.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  (typeof o.sizeField === 'string' ? Buffer.from(o.sizeField.padEnd(12, '\0'), 'latin1') : o.sizeField).copy(b, 124, 0, 12);
  b.write('00000000000\0', 136, 'latin1');
  b.write(o.flag, 156, 'latin1');
  if (o.linkname) b.write(o.linkname, 157, 100, 'latin1');
  b.write('ustar\u000000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A PAX record `<len> key=value\n` with the value's exact bytes. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** The bytes of one entry, whatever its name. */
export async function entryBytes(e: FixtureEntry): Promise<Buffer> {
  if (typeof e.name === 'string') return packedEntry({ ...e, name: e.name });
  const records = paxRecord('path', e.name);
  const main = await packedEntry({ ...e, name: 'placeholder' });
  return Buffer.concat([rawHeader({ name: 'PaxHeader', flag: 'x', sizeField: `${records.length.toString(8).padStart(11, '0')}\0` }), padded(records), main]);
}

/** A whole archive of `entries`, ended properly. */
export async function archiveOf(entries: FixtureEntry[]): Promise<Buffer> {
  const parts = await Promise.all(entries.map(entryBytes));
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

/** The bytes as a stream, in chunks of `chunk` bytes (the engine's body arrives in pieces). */
export function streamOf(bytes: Buffer, chunk = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
  return Readable.from(pieces, { objectMode: false });
}

/** `archiveOf(entries)` as a stream. */
export async function archive(entries: FixtureEntry[]): Promise<Readable> {
  return streamOf(await archiveOf(entries));
}
