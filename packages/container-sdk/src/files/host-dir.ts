import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = constants;

/** What is at a name inside a directory, when a directory was wanted there. */
export type ChildDir = { dir: HostDir } | { missing: true } | { blocked: true };

/**
 * An open host directory. Names inside it are reached through the open directory itself (on Linux, as
 * `/proc/self/fd/<fd>/<name>`: the kernel resolves that against the directory this handle holds, like `openat`),
 * so swapping one of its ancestors for a symlink, or moving it, changes nothing: an extraction through it can never
 * be sent elsewhere. Child directories are opened with `O_NOFOLLOW`: a symlink is reported, never followed.
 * Where `/proc` is missing (not Linux) names are reached by path instead, each directory checked as it is opened:
 * the same rules, but a concurrent swap between the check and the use is not excluded there.
 */
export class HostDir {
  readonly #handle: FileHandle;
  /** The path it was opened by (for messages, and for the fallback). */
  readonly path: Buffer;
  readonly #prefix: Buffer;

  private constructor(handle: FileHandle, path: Buffer, viaProc: boolean) {
    this.#handle = handle;
    this.path = path;
    this.#prefix = viaProc ? Buffer.from(`/proc/self/fd/${handle.fd}/`) : Buffer.concat([path, Buffer.from(path[path.length - 1] === 0x2f ? '' : '/')]);
  }

  /**
   * Opens the directory at `path` (symlinks in it followed: a path the caller gave is the caller's). `byPath`: reach
   * names by path even where `/proc` works (what happens without it; for tests).
   */
  static async open(path: string, byPath = false): Promise<HostDir> {
    const handle = await open(path, O_RDONLY | O_DIRECTORY);
    try {
      return new HostDir(handle, Buffer.from(path), !byPath && (await procWorks(handle)));
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The path that reaches `name` inside this directory. */
  at(name: Buffer): Buffer {
    return Buffer.concat([this.#prefix, name]);
  }

  /** The path of `name` inside it, for messages. */
  shown(name: Buffer): string {
    return Buffer.concat([this.path, Buffer.from('/'), name]).toString('utf8');
  }

  /** The directory at `name` inside this one, never through a symlink: `missing`, or `blocked` by something else. */
  async child(name: Buffer): Promise<ChildDir> {
    let handle: FileHandle;
    try {
      handle = await open(this.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { missing: true };
      if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EMLINK' || code === 'EFTYPE') return { blocked: true };
      throw err;
    }
    const viaProc = this.#prefix.subarray(0, 14).toString('latin1') === '/proc/self/fd/';
    return { dir: new HostDir(handle, Buffer.concat([this.path, Buffer.from('/'), name]), viaProc) };
  }

  /** Sets the permission bits on the directory itself (fchmod: no path involved). */
  chmod(mode: number): Promise<void> {
    return this.#handle.chmod(mode);
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** Whether `/proc/self/fd/<fd>` reaches this very directory here (Linux with /proc mounted). */
async function procWorks(handle: FileHandle): Promise<boolean> {
  try {
    const [mine, seen] = await Promise.all([handle.stat({ bigint: true }), stat(`/proc/self/fd/${handle.fd}`, { bigint: true })]);
    return mine.dev === seen.dev && mine.ino === seen.ino;
  } catch {
    return false;
  }
}
