import { ContainerError } from '../errors.js';

/** One archive entry's header, names as the exact bytes the archive holds (a name need not be UTF-8). */
export interface TarHeader {
  name: Buffer;
  linkname: Buffer;
  type: 'file' | 'link' | 'symlink' | 'directory' | 'device' | 'fifo' | 'other';
  /** Permission bits with setuid/setgid/sticky (0o7777 at most). */
  mode: number;
  /** Content bytes (0 for the types that carry none: links, directories, devices, fifos). */
  size: number;
  mtime: Date;
}

/** The bound on one metadata record (a PAX header, a GNU long name): far beyond any real one. */
export const MAX_META_BYTES = 1024 * 1024;
export const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const HEADER_ONLY = new Set(['link', 'symlink', 'directory', 'device', 'fifo']);
const TYPES: Record<string, TarHeader['type']> = { '0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'device', '4': 'device', '5': 'directory', '6': 'fifo' };

export function invalid(what: string, detail: string): ContainerError {
  return new ContainerError('FILE_INVALID_ARCHIVE', `${what}: the engine sent a malformed archive: ${detail}`);
}

/** A NUL-terminated field. */
export function field(block: Buffer, start: number, length: number): Buffer {
  const end = block.indexOf(0, start);
  return Buffer.from(block.subarray(start, end === -1 || end > start + length ? start + length : end));
}

/** An octal number (space or NUL padded) or a base-256 one (first byte 0x80, or 0xff when negative); -1 if malformed. */
function number(block: Buffer, start: number, length: number): number {
  const raw = block.subarray(start, start + length);
  if (raw[0]! & 0x80) {
    if (raw[0]! & 0x40) return -1; // negative
    let n = raw[0]! & 0x3f;
    for (let i = 1; i < raw.length; i++) n = n * 256 + raw[i]!;
    return Number.isSafeInteger(n) ? n : -1;
  }
  const text = raw.toString('latin1').replace(/^[ \0]+/, '').replace(/[ \0]+$/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return -1;
  const n = parseInt(text, 8);
  return Number.isSafeInteger(n) ? n : -1;
}

function checksumOk(block: Buffer): boolean {
  const stored = number(block, 148, 8);
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += block[i]!;
    signed += block[i]! > 127 ? block[i]! - 256 : block[i]!;
  }
  return stored === unsigned || stored === signed;
}

/** PAX records (`<len> <key>=<value>\n`), values as bytes. */
export function paxRecords(data: Buffer, what: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // padding some writers leave
    const space = data.indexOf(0x20, at);
    const digits = space === -1 ? '' : data.toString('latin1', at, space);
    const len = Number(digits);
    if (!/^\d{1,8}$/.test(digits) || len <= space - at + 1 || at + len > data.length || data[at + len - 1] !== 0x0a) {
      throw invalid(what, 'a PAX record is malformed');
    }
    const record = data.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw invalid(what, 'a PAX record has no key');
    out.set(record.toString('latin1', 0, eq), Buffer.from(record.subarray(eq + 1)));
    at += len;
  }
  return out;
}

function decimal(value: Buffer | undefined, what: string, key: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.toString('latin1');
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw invalid(what, `PAX ${key} is not a size: ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/** One header block as it stands, before PAX and GNU long names apply. */
export interface RawHeader {
  flag: string;
  name: Buffer;
  linkname: Buffer;
  mode: number;
  size: number;
  mtime: number;
}

/**
 * Decodes one 512-byte header block: `'end'` for a zero block (the end of the archive), else its fields, the
 * checksum verified and every number checked (`FILE_INVALID_ARCHIVE` otherwise). Pure: the reader's core.
 */
export function decodeHeader(block: Buffer, what: string): RawHeader | 'end' {
  if (block.length !== BLOCK) throw invalid(what, 'a header block is short');
  if (block.equals(ZERO_BLOCK)) return 'end';
  if (!checksumOk(block)) throw invalid(what, 'a header checksum does not match');
  const size = number(block, 124, 12);
  if (size < 0) throw invalid(what, 'a header has a malformed or negative size');
  const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
  const shortName = field(block, 0, 100);
  const prefix = ustar ? field(block, 345, 155) : Buffer.alloc(0);
  const mode = number(block, 100, 8);
  return {
    flag: String.fromCharCode(block[156]!),
    name: prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), shortName]) : shortName,
    linkname: field(block, 157, 100),
    mode: mode < 0 ? 0 : mode & 0o7777,
    size,
    mtime: number(block, 136, 12),
  };
}

/** The entry a header describes once the PAX records and GNU long names before it apply. */
export function applyMeta(raw: RawHeader, pax: Map<string, Buffer> | undefined, longName: Buffer | undefined, longLink: Buffer | undefined, what: string): TarHeader {
  const name = pax?.get('path') ?? longName ?? raw.name;
  const linkname = pax?.get('linkpath') ?? longLink ?? raw.linkname;
  if (name.includes(0) || linkname.includes(0)) throw invalid(what, 'a name contains a NUL byte');
  const type = raw.flag === '\0' ? (name[name.length - 1] === 0x2f ? 'directory' : 'file') : (TYPES[raw.flag] ?? 'other');
  if ((type === 'symlink' || type === 'link') && linkname.length === 0) throw invalid(what, `a ${type} without a target`);
  const declared = decimal(pax?.get('size'), what, 'size') ?? raw.size;
  const seconds = pax?.has('mtime') ? Number(pax.get('mtime')!.toString('latin1')) : raw.mtime;
  return {
    name,
    linkname,
    type,
    mode: raw.mode,
    size: HEADER_ONLY.has(type) ? 0 : declared,
    mtime: new Date(Number.isFinite(seconds) && seconds >= 0 && seconds < 8.64e12 ? seconds * 1000 : 0),
  };
}
