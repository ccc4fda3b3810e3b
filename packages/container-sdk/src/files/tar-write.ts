/** One entry to write; names are bytes, sent exactly (a name need not be UTF-8). */
export interface TarEntry {
  name: Buffer;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: Date;
  size?: number;
  linkname?: Buffer;
}

const BLOCK = 512;
/** The end of an archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);
const MAX_OCTAL_SIZE = 0o77777777777;
const FLAGS = { file: '0', directory: '5', symlink: '2' } as const;

const ascii = (b: Buffer): boolean => b.every((c) => c > 0 && c < 0x80);

function octal(block: Buffer, at: number, width: number, value: number): void {
  block.write(`${Math.max(0, Math.floor(value)).toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

/** Splits an ASCII name into ustar's prefix (<= 155 bytes) and name (<= 100) at a `/`; undefined if it cannot. */
function split(name: Buffer): [Buffer, Buffer] | undefined {
  if (name.length <= 100) return [Buffer.alloc(0), name];
  for (let i = Math.min(name.length - 1, 155); i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return [name.subarray(0, i), name.subarray(i + 1)];
  }
  return undefined;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

function block(name: Buffer, prefix: Buffer, flag: string, mode: number, size: number, mtime: Date, linkname: Buffer): Buffer {
  const b = Buffer.alloc(BLOCK);
  name.copy(b, 0, 0, 100);
  octal(b, 100, 8, mode & 0o7777);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, size);
  octal(b, 136, 12, mtime.getTime() / 1000);
  b.write(flag, 156, 'latin1');
  linkname.copy(b, 157, 0, 100);
  b.write('ustar\u000000', 257, 'latin1');
  prefix.copy(b, 345, 0, 155);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/**
 * The header of `entry`: one ustar block, preceded by a PAX header when a name is not plain ASCII that fits, or the
 * size is over 8 GiB. PAX records carry the names' exact bytes (Go's reader, both engines', takes them as they are).
 */
export function tarHeader(entry: TarEntry): Buffer {
  const size = entry.type === 'file' ? (entry.size ?? 0) : 0;
  const name = entry.type === 'directory' && entry.name[entry.name.length - 1] !== 0x2f ? Buffer.concat([entry.name, Buffer.from('/')]) : entry.name;
  const linkname = entry.linkname ?? Buffer.alloc(0);
  const records: Buffer[] = [];
  const parts = ascii(name) ? split(name) : undefined;
  if (!parts) records.push(paxRecord('path', name));
  if (linkname.length > 100 || !ascii(linkname)) records.push(paxRecord('linkpath', linkname));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord('size', Buffer.from(String(size))));
  const [prefix, short] = parts ?? [Buffer.alloc(0), Buffer.from('pax-named')];
  const main = block(short, prefix, FLAGS[entry.type], entry.mode, size > MAX_OCTAL_SIZE ? 0 : size, entry.mtime, records.length > 0 && !(linkname.length <= 100 && ascii(linkname)) ? Buffer.alloc(0) : linkname);
  if (records.length === 0) return main;
  const data = Buffer.concat(records);
  const paxHeader = block(Buffer.from('PaxHeader'), Buffer.alloc(0), 'x', 0o644, data.length, entry.mtime, Buffer.alloc(0));
  return Buffer.concat([paxHeader, data, padding(data.length), main]);
}

/** The zero bytes that bring `size` bytes of content to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
