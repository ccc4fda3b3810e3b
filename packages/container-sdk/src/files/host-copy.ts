import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import { lazySchema } from '../lazy-schema.js';
import type { Zod } from '../lazy-schema.js';
import { parseOptions } from '../options.js';
import { containerPath, getArchive, upload } from './archive.js';
import { extractTo, hostDestination } from './extract.js';
import { HostDir } from './host-dir.js';
import { FILE_PIECE_BYTES } from './tar-io.js';
import { TAR_END, tarHeader } from './tar-write.js';
import { streamedEntry } from './write-file.js';
import { countedArchive, countedBody } from './copy-progress.js';
import type { CopyProgress } from './copy-progress.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

export interface PushOptions {
  /** Bytes sent so far (see {@link CopyProgress}); costs nothing when absent. */
  onProgress?: CopyProgress;
}

export interface PullOptions {
  /** Keep setuid, setgid and sticky bits on what is pulled (default: cleared). */
  preserveSpecialBits?: boolean;
  /** Bytes received so far (see {@link CopyProgress}); costs nothing when absent. */
  onProgress?: CopyProgress;
}

const onProgress = (z: Zod) => z.custom<CopyProgress>((v) => typeof v === 'function', { message: 'must be a function' }).optional();
const pushOptionsSchema = lazySchema((z) => z.strictObject({ onProgress: onProgress(z) }));
const pullOptionsSchema = lazySchema((z) => z.strictObject({ preserveSpecialBits: z.boolean().optional(), onProgress: onProgress(z) }));

function sourceFailed(err: unknown, path: string, what: string): ContainerError {
  if (ContainerError.is(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new ContainerError('FILE_SOURCE_FAILED', `${what}: cannot read ${path}${code ? ` (${code})` : ''}: ${(err as Error).message}`, { cause: err });
}

/**
 * The archive entries of `name` in `dir` (a file, symlink or directory, recursively), named `archiveName`: names as
 * bytes (any name the host has, UTF-8 or not), every directory and file opened without following a symlink
 * relative to its parent's handle. A file is sent as the size it had when opened: one that shrinks meanwhile
 * fails with `FILE_SIZE_MISMATCH`, one that grows is sent as it was. Sockets, fifos and devices are skipped.
 */
async function* entries(dir: HostDir, name: Buffer, archiveName: Buffer, what: string): AsyncGenerator<Buffer> {
  const shown = dir.shown(name);
  let st;
  try {
    st = await lstat(dir.at(name));
  } catch (err) {
    throw sourceFailed(err, shown, what);
  }
  const base = { name: archiveName, mode: st.mode & 0o7777, mtime: st.mtime };
  if (st.isSymbolicLink()) {
    let target: Buffer;
    try {
      target = await readlink(dir.at(name), { encoding: 'buffer' });
    } catch (err) {
      throw sourceFailed(err, shown, what);
    }
    yield tarHeader({ ...base, type: 'symlink', linkname: target });
  } else if (st.isDirectory()) {
    const child = await dir.child(name).catch((err: unknown) => Promise.reject(sourceFailed(err, shown, what)));
    if (!('dir' in child)) throw new ContainerError('FILE_SOURCE_FAILED', `${what}: ${shown} changed while it was being read`);
    try {
      yield tarHeader({ ...base, type: 'directory' });
      const names = await readdir(child.dir.at(Buffer.alloc(0)), { encoding: 'buffer' }).catch((err: unknown) => Promise.reject(sourceFailed(err, shown, what)));
      for (const n of names.sort((a, b) => Buffer.compare(a, b))) yield* entries(child.dir, n, Buffer.concat([archiveName, Buffer.from('/'), n]), what);
    } finally {
      await child.dir.close();
    }
  } else if (st.isFile()) {
    yield* fileEntry(dir, name, base, what);
  }
}

async function* nothing(): AsyncGenerator<Buffer> {
  // an empty file: no content to read
}

async function* fileEntry(dir: HostDir, name: Buffer, base: { name: Buffer; mode: number; mtime: Date }, what: string): AsyncGenerator<Buffer> {
  const shown = dir.shown(name);
  // O_NOFOLLOW: a symlink swapped in since the lstat is not read through; O_NONBLOCK: nor does a fifo hang us.
  const file = await open(dir.at(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch((err: unknown) => Promise.reject(sourceFailed(err, shown, what)));
  try {
    const st = await file.stat();
    if (!st.isFile()) throw new ContainerError('FILE_SOURCE_FAILED', `${what}: ${shown} changed while it was being read`);
    const content = st.size === 0 ? nothing() : file.createReadStream({ start: 0, end: st.size - 1, highWaterMark: FILE_PIECE_BYTES, autoClose: false });
    yield* streamedEntry(tarHeader({ ...base, type: 'file', size: st.size }), st.size, content, what, `host file ${shown}`);
  } finally {
    await file.close();
  }
}

async function* archiveOf(parent: HostDir, name: Buffer, archiveName: Buffer, what: string): AsyncGenerator<Buffer> {
  yield* entries(parent, name, archiveName, what);
  yield TAR_END;
}

/**
 * Copies a host file or directory (recursively; modes kept, symlinks as symlinks) to `containerDest`, the full path
 * it will have in the container. Streamed: one file at a time, never held in memory. Any failure aborts the upload
 * at once (`FILE_SOURCE_FAILED`, `FILE_SIZE_MISMATCH`): the engine lets go of the container.
 */
export async function push(engine: EngineClient, id: string, hostSrc: string, containerDest: string, options: PushOptions = {}): Promise<void> {
  const dest = containerPath(containerDest, 'push');
  const opts = parseOptions(pushOptionsSchema, options, 'push');
  if (dest === '/') throw new ContainerError('FILE_INVALID_PATH', 'push: give the full destination path, not /');
  if (typeof hostSrc !== 'string' || hostSrc === '' || hostSrc.includes('\0')) {
    throw new ContainerError('FILE_INVALID_PATH', `push: the host source must be a path, got ${JSON.stringify(hostSrc)}`);
  }
  const what = `push ${hostSrc} -> ${dest}`;
  const src = resolve(hostSrc);
  const parent = await HostDir.open(dirname(src)).catch((err: unknown) => Promise.reject(sourceFailed(err, src, what)));
  try {
    const name = Buffer.from(basename(src));
    const st = await lstat(parent.at(name)).catch((err: unknown) => Promise.reject(sourceFailed(err, src, what))); // before the upload starts
    const archive = archiveOf(parent, name, Buffer.from(dest.slice(1)), what);
    await upload(engine, id, dest, what, opts.onProgress ? countedArchive(archive, opts.onProgress, st.isFile() ? st.size : undefined) : archive);
  } finally {
    await parent.close();
  }
}

/**
 * Copies a container file or directory (recursively; modes, symlinks and hard links kept) to `hostDest`, the full
 * path it will have on the host. Never writes through a symlink at or below `hostDest` (see `extractTo`).
 */
export async function pull(engine: EngineClient, id: string, containerSrc: string, hostDest: string, options: PullOptions = {}): Promise<void> {
  const src = containerPath(containerSrc, 'pull');
  const what = `pull ${src}`;
  const opts = parseOptions(pullOptionsSchema, options, 'pull');
  hostDestination(hostDest, what);
  const { stat: st, body } = await getArchive(engine, id, src, what);
  const input = opts.onProgress ? countedBody(body, opts.onProgress, st?.type === 'file' ? st.size : undefined) : body;
  if (!(await extractTo(input, hostDest, { preserveSpecialBits: opts.preserveSpecialBits ?? false, what }))) {
    throw new ContainerError('FILE_NOT_FOUND', `pull: ${src} came back empty`);
  }
}
