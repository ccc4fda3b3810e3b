import * as fs from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { HostDir } from './host-dir.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/**
 * A file at most this big is read whole from the archive and written in the background while the extraction reads
 * on (see {@link WriteQueue}); a bigger one is streamed to disk in pieces, alone.
 */
export const SMALL_FILE_BYTES = 256 * 1024;

/**
 * Small files being written at once. Each file costs a few file-system calls (open, write, utimes, close; chmod where
 * the umask changed the mode), each a round trip through libuv's thread pool; one after the other (with a temp name,
 * unlink and rename each), a tree of 10,000 small files was ~3x slower than `docker cp`, the process idle three
 * quarters of the time (docs/benchmarks.md). Bounded by count and by bytes held.
 */
export class WriteQueue {
  readonly #jobs = new Set<Promise<void>>();
  #bytes = 0;
  #failure: Error | undefined;
  #room: (() => void) | undefined;

  constructor(
    private readonly maxJobs = 32,
    private readonly maxBytes = 8 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.#jobs.size;
  }

  /** Starts `job` (holding `bytes`) once there is room; the first failure of any job is thrown here, or by `drain`. */
  async add(job: () => Promise<void>, bytes: number): Promise<void> {
    while (this.#failure === undefined && this.#jobs.size > 0 && (this.#jobs.size >= this.maxJobs || this.#bytes + bytes > this.maxBytes)) {
      await new Promise<void>((resolve) => (this.#room = resolve));
    }
    if (this.#failure !== undefined) throw this.#failure;
    this.#bytes += bytes;
    const run = job().then(
      () => undefined,
      (err: unknown) => void (this.#failure ??= err instanceof Error ? err : new Error(String(err))),
    );
    const tracked = run.finally(() => {
      this.#jobs.delete(tracked);
      this.#bytes -= bytes;
      const room = this.#room;
      this.#room = undefined;
      room?.();
    });
    this.#jobs.add(tracked);
  }

  /** Resolves once every job ended; throws the first failure. */
  async drain(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.all(this.#jobs);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for every job, failures ignored (for cleanup after an error). */
  async settle(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.all(this.#jobs);
  }
}

/**
 * The process's umask as one extraction learns it from the files it makes (`fstat` of a file made with a mode that
 * has a bit not seen before): a file made with its final mode then needs no `chmod` when the umask leaves that mode
 * as it is (0o644 and 0o755 under the usual 022). Learnt per extraction: a umask can change while a process runs.
 */
export class CreateMask {
  #known = 0; // the permission bits files were made with so far: the umask is known for these only
  #umask = 0;

  /** Whether a file made with `mode` has exactly `mode`; undefined while a bit of it was never seen. */
  keeps(mode: number): boolean | undefined {
    return (mode & ~this.#known) !== 0 ? undefined : (mode & ~this.#umask) === mode;
  }

  learn(asked: number, got: number): void {
    this.#known |= asked;
    this.#umask |= asked & ~got & 0o777;
  }
}

/** One fs call as a promise: the callback API, no FileHandle (a FileHandle per file cost GC time on a big tree). */
function call<T>(fn: (done: (err: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/**
 * Writes `data` to a new file `name` in `dir` (`O_EXCL | O_NOFOLLOW`: never through anything already there), then
 * sets its mode and times. Returns false, having written nothing, when something is already there. On a failure
 * after it was made, the partial file is removed. With `mask`, the file is made with its final permission bits (the
 * caller knows nobody else can reach it while it is written) and the `chmod` is skipped when they came out right.
 */
export async function writeSmallFile(dir: HostDir, name: Buffer, data: Buffer, mode: number, mtime: Date, mask?: CreateMask): Promise<boolean> {
  const path = dir.at(name);
  const direct = mask !== undefined && (mode & 0o7000) === 0;
  let fd: number;
  try {
    fd = await call<number>((done) => fs.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, direct ? mode : 0o600, done));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    try {
      for (let at = 0; at < data.length; ) at += await call<number>((done) => fs.write(fd, data, at, data.length - at, null, done));
      let keeps = direct ? mask.keeps(mode) : false;
      if (keeps === undefined) {
        const got = (await call<fs.Stats>((done) => fs.fstat(fd, done))).mode & 0o7777;
        mask!.learn(mode, got);
        keeps = got === mode;
      }
      if (!keeps) await call<void>((done) => fs.fchmod(fd, mode, done));
      await call<void>((done) => fs.futimes(fd, mtime, mtime, done));
    } finally {
      await call<void>((done) => fs.close(fd, done));
    }
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return true;
}
