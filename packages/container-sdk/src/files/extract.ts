import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import { HostDir } from './host-dir.js';
import { TreeWalker, keyOf, linkOrCopy, replaceAt, symlinkAt, writeNewFile } from './host-tree.js';
import type { Made } from './host-tree.js';
import { CreateMask, SMALL_FILE_BYTES, WriteQueue, writeSmallFile } from './host-writes.js';
import { TarReader } from './tar-read.js';
import { MAX_NAME_BYTES, below, components } from './tar-names.js';
import type { TarHeader } from './tar-read.js';

export interface ExtractOptions {
  /** Keep setuid, setgid and sticky bits (default: cleared). */
  preserveSpecialBits?: boolean;
  /** Names the operation in errors (default `'pull'`). */
  what?: string;
  /** Reach names by path, as where `/proc` is missing (for tests). */
  byPath?: boolean;
}

/** A failure on the host side (the file system's errno error) as a coded error; coded ones pass through. */
function hostError(err: unknown, what: string): ContainerError {
  if (ContainerError.is(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new ContainerError('FILE_WRITE_FAILED', `${what}: writing on the host failed${code ? ` (${code})` : ''}: ${(err as Error).message}`, { cause: err });
}

/** `hostDest` resolved; `FILE_INVALID_PATH` unless it is a path other than `/`. */
export function hostDestination(hostDest: string, what: string): string {
  if (typeof hostDest !== 'string' || hostDest === '' || hostDest.includes('\0') || resolve(hostDest) === '/') {
    throw new ContainerError('FILE_INVALID_PATH', `${what}: the host destination must be the item's full new path (not /), got ${JSON.stringify(hostDest)}`);
  }
  return resolve(hostDest);
}

/**
 * Extracts a tar stream whose first entry is the copied item itself to `hostDest` (the item's full new path on the
 * host). Returns false when the archive held nothing. Never follows a symlink at or below `hostDest`: each
 * directory is opened without following, relative to its parent's open handle; a symlink (or file) in the place
 * of a directory is replaced by one, and files and symlinks are made under a temp name and renamed into place.
 * Refuses (`FILE_UNSAFE_ARCHIVE`) absolute names, `..`, names outside the item, an entry through a symlink or file
 * the same archive made, a name given twice, and hard links to anything but a file the archive already made.
 * Setuid/setgid/sticky bits are cleared unless `preserveSpecialBits`; ownership is never copied. Exported for
 * tests: a real engine cannot be made to send a hostile archive.
 */
export async function extractTo(body: Readable, hostDest: string, options: ExtractOptions = {}): Promise<boolean> {
  const what = options.what ?? 'pull';
  let dest: string;
  try {
    dest = hostDestination(hostDest, what);
  } catch (err) {
    body.on('error', () => undefined).destroy();
    throw err;
  }
  const extraction = new Extraction(body, dest, options.preserveSpecialBits ? 0o7777 : 0o777, what, options.byPath ?? false);
  try {
    return await extraction.run();
  } catch (err) {
    throw hostError(err, what);
  } finally {
    await extraction.close();
  }
}

class Extraction {
  readonly #reader: TarReader;
  readonly #dest: string;
  readonly #item: Buffer;
  readonly #mask: number;
  readonly #what: string;
  readonly #made = new Map<string, Made>();
  #root: Buffer[] = [];
  #base: HostDir | undefined;
  #walker: TreeWalker | undefined;
  readonly #byPath: boolean;
  /** Small files being written while the archive is read on, all in the directory `#writesIn` names. */
  readonly #writes = new WriteQueue();
  #writesIn = '';
  readonly #created = new CreateMask();

  constructor(body: Readable, dest: string, mask: number, what: string, byPath: boolean) {
    this.#byPath = byPath;
    this.#reader = new TarReader(body, what, (err) => containerError(err, `${what}: download`));
    this.#dest = dest;
    this.#item = Buffer.from(basename(dest));
    this.#mask = mask;
    this.#what = what;
  }

  async run(): Promise<boolean> {
    const first = await this.#reader.next();
    if (!first) return false;
    const root = components(first.name);
    if (!root || root.length === 0) throw this.#refuse(first.name, 'it is not a relative name');
    this.#root = root;
    await mkdir(dirname(this.#dest), { recursive: true });
    this.#base = await HostDir.open(dirname(this.#dest), this.#byPath);
    this.#walker = new TreeWalker(this.#base, this.#made, this.#what);
    for (let header: TarHeader | undefined = first; header; header = await this.#reader.next()) {
      if (header.name.length > MAX_NAME_BYTES) throw this.#refuse(header.name, `its name is longer than ${MAX_NAME_BYTES} bytes`);
      const rel = below(root, header.name);
      if (!rel) throw this.#refuse(header.name, `it would land outside ${this.#dest}`);
      const parts = [this.#item, ...rel];
      const key = keyOf(parts);
      if (this.#made.has(key)) throw this.#refuse(header.name, 'it appears twice');
      // Anything but a small file may change the walk's open directories, or link to a file: the writes end first.
      const small = header.type === 'file' && header.size <= SMALL_FILE_BYTES;
      if (!small) await this.#writes.drain();
      this.#made.set(key, small ? await this.#placeSmall(header, parts) : await this.#place(header, parts));
    }
    await this.#writes.drain();
    const walker = this.#walker;
    this.#walker = undefined;
    await walker.close(); // directory modes are set as the walk leaves them
    return true;
  }

  async close(): Promise<void> {
    this.#reader.close();
    await this.#writes.settle(); // before their directories are closed
    await this.#walker?.close().catch(() => undefined);
    await this.#base?.close();
  }

  #refuse(name: Buffer, why: string): ContainerError {
    return new ContainerError('FILE_UNSAFE_ARCHIVE', `${this.#what}: refusing archive entry ${JSON.stringify(name.toString().slice(0, 200))}: ${why}`);
  }

  async #place(header: TarHeader, parts: Buffer[]): Promise<Made> {
    const walker = this.#walker!;
    const name = parts[parts.length - 1]!;
    const mode = header.mode & this.#mask;
    if (header.type === 'directory') {
      await walker.dir(parts);
      walker.setMode(mode);
      return 'dir';
    }
    const dir = await walker.dir(parts.slice(0, -1));
    if (header.type === 'file') {
      await replaceAt(dir, name, this.#what, (temp) => writeNewFile(dir, temp, this.#reader.content(), mode, header.mtime));
      return 'file';
    }
    if (header.type === 'symlink') {
      await replaceAt(dir, name, this.#what, (temp) => symlinkAt(dir, temp, header.linkname));
      return 'symlink';
    }
    if (header.type === 'link') {
      await this.#hardLink(header, dir, name);
      return 'file';
    }
    return 'skipped'; // devices, fifos and unknown types are not recreated on the host
  }

  /**
   * A small file: its content read whole, then written in the background (see `WriteQueue`) while the next entries
   * are read. Made in place when its directory is one this extraction made (nothing else can be there: `O_EXCL`
   * says if something is after all), else under a temp name and put in place, as a big file is.
   */
  async #placeSmall(header: TarHeader, parts: Buffer[]): Promise<Made> {
    const parent = parts.slice(0, -1);
    const where = keyOf(parent);
    if (where !== this.#writesIn) await this.#writes.drain(); // the walk may leave the directory they write in
    this.#writesIn = where;
    const data = Buffer.allocUnsafe(header.size);
    let at = 0;
    for await (const chunk of this.#reader.content()) at += chunk.copy(data, at);
    const walker = this.#walker!;
    const dir = await walker.dir(parent);
    const inPlace = walker.made(parent);
    const name = parts[parts.length - 1]!;
    const mode = header.mode & this.#mask;
    const what = this.#what;
    const created = this.#created;
    await this.#writes.add(async () => {
      if (inPlace && (await writeSmallFile(dir, name, data, mode, header.mtime, created))) return;
      await replaceAt(dir, name, what, async (temp) => {
        if (!(await writeSmallFile(dir, temp, data, mode, header.mtime))) throw new ContainerError('FILE_WRITE_FAILED', `${what}: ${dir.shown(temp)} exists already`);
      });
    }, data.length);
    return 'file';
  }

  /** A hard link to a file this archive made: recreated as a hard link (a copy where the file system cannot link). */
  async #hardLink(header: TarHeader, dir: HostDir, name: Buffer): Promise<void> {
    const target = below(this.#root, header.linkname);
    const parts = target && target.length > 0 ? [this.#item, ...target] : undefined;
    if (!parts || this.#made.get(keyOf(parts)) !== 'file') {
      throw this.#refuse(header.name, `it is a hard link to ${JSON.stringify(header.linkname.toString().slice(0, 200))}, not to a file of this archive`);
    }
    const sourceDir = await this.#walker!.open(parts.slice(0, -1));
    if (!sourceDir) throw this.#refuse(header.name, 'the file it links to is gone');
    try {
      await replaceAt(dir, name, this.#what, (temp) => linkOrCopy(sourceDir, parts[parts.length - 1]!, dir, temp));
    } finally {
      await sourceDir.close();
    }
  }
}
