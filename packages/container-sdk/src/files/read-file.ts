import { constants, isUtf8 } from 'node:buffer';
import { posix } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import { lazySchema } from '../lazy-schema.js';
import { parseOptions } from '../options.js';
import { containerPath, getArchive } from './archive.js';
import { STREAM_BUFFER_BYTES, discard, drained } from './tar-io.js';
import { TarReader } from './tar-read.js';

export interface ReadFileOptions {
  /**
   * The largest file `readFile` reads into memory (default 64 MiB); a larger one fails with `FILE_TOO_LARGE`
   * before its content is read. Use `readFileStream` for big files.
   */
  maxBytes?: number;
}

/** `readFile`'s default bound on the bytes it holds in memory. */
export const DEFAULT_READ_MAX_BYTES = 64 * 1024 * 1024;

const readFileOptionsSchema = lazySchema((z) => z.strictObject({ maxBytes: z.number().int().min(0).or(z.literal(Infinity)).optional() }));

const MIB = 1024 * 1024;
const shown = (bytes: number): string => (bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`);

/**
 * Streams the content of the file at `path` (symlinks followed, up to 8 hops) into `out`, then ends it. `onSize` is
 * told the file's size (from its tar header) before its first byte, and may refuse it by throwing.
 */
async function streamFileInto(engine: EngineClient, id: string, path: string, out: Writable, hops: number, onSize?: (bytes: number, path: string) => void): Promise<void> {
  const what = `readFile ${path}`;
  const { stat: st, body } = await getArchive(engine, id, path, what);
  if (st?.type === 'directory') {
    discard(body);
    throw new ContainerError('FILE_IS_DIRECTORY', `readFile: ${path} is a directory (use listFiles or pull)`);
  }
  const reader = new TarReader(body, what, (err) => containerError(err, what));
  const stop = (): void => {
    if (!out.writableFinished) reader.close(); // the reader went away: stop downloading
  };
  out.once('close', stop);
  let link: string | undefined;
  try {
    const header = await reader.next();
    if (!header) throw new ContainerError('FILE_NOT_FOUND', `readFile: ${path} came back empty`);
    if (header.type === 'directory') throw new ContainerError('FILE_IS_DIRECTORY', `readFile: ${path} is a directory`);
    if (header.type === 'symlink') {
      if (!isUtf8(header.linkname)) throw new ContainerError('FILE_INVALID_PATH', `readFile: ${path} is a symlink to a name that is not UTF-8 (pull it instead)`);
      link = posix.resolve(posix.dirname(path), header.linkname.toString('utf8'));
    } else {
      onSize?.(header.size, path);
      for await (const chunk of reader.content()) {
        if (out.destroyed) return;
        if (!out.write(chunk)) await drained(out);
      }
    }
  } finally {
    out.removeListener('close', stop);
    reader.close();
  }
  if (out.destroyed) return;
  if (link !== undefined) {
    if (hops >= 8) throw new ContainerError('FILE_NOT_FOUND', `readFile: too many symlinks at ${path}`);
    return streamFileInto(engine, id, link, out, hops + 1, onSize);
  }
  out.end();
}

/**
 * The content of the file at `path`, as a stream: nothing is buffered beyond the stream's own high-water mark.
 * A symlink is followed (up to 8 hops). Errors (`FILE_NOT_FOUND`, `FILE_IS_DIRECTORY`, `CONTAINER_NOT_FOUND`)
 * arrive as the stream's error.
 */
export function readFileStream(engine: EngineClient, id: string, path: string): Readable {
  const target = containerPath(path, 'readFile');
  const out = new PassThrough({ highWaterMark: STREAM_BUFFER_BYTES });
  streamFileInto(engine, id, target, out, 0).catch((err: Error) => out.destroy(err));
  return out;
}

/**
 * The whole content of the file at `path`, at most `maxBytes` (default 64 MiB: a larger file is `FILE_TOO_LARGE`
 * before its content is read). Gathered straight from the archive into one buffer of the announced size.
 */
export async function readFile(engine: EngineClient, id: string, path: string, options: ReadFileOptions = {}): Promise<Buffer> {
  const target = containerPath(path, 'readFile');
  const maxBytes = Math.min(parseOptions(readFileOptionsSchema, options, 'readFile').maxBytes ?? DEFAULT_READ_MAX_BYTES, constants.MAX_LENGTH);
  // The tar header gives the size first, so the content is copied into one buffer of that size as it arrives, while
  // the engine is still sending, instead of kept in chunks and joined at the end: that join was a second full copy
  // after the last byte (~12% of a 100 MiB readFile's CPU profile) and twice the memory at its peak.
  let whole: Buffer | undefined;
  let bytes = 0;
  const collector = new Writable({
    highWaterMark: STREAM_BUFFER_BYTES,
    write(chunk: Buffer, _encoding, callback) {
      // A tar entry never outgrows its header's size (the reader stops there).
      chunk.copy(whole!, bytes);
      bytes += chunk.length;
      callback();
    },
  });
  const onSize = (size: number, at: string): void => {
    if (size > maxBytes) {
      throw new ContainerError('FILE_TOO_LARGE', `readFile: ${at} is ${shown(size)}, over maxBytes (${shown(maxBytes)}): read it with readFileStream, or pass a larger maxBytes`);
    }
    whole = Buffer.allocUnsafe(size);
  };
  await streamFileInto(engine, id, target, collector, 0, onSize);
  return whole ?? Buffer.alloc(0);
}
