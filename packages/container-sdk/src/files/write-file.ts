import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import { lazySchema } from '../lazy-schema.js';
import { parseOptions } from '../options.js';
import { containerPath, upload } from './archive.js';
import { FILE_PIECE_BYTES, coalesce } from './tar-io.js';
import { TAR_END, padding, tarHeader } from './tar-write.js';

export interface WriteFileOptions {
  /** Permission bits of the new file; default 0o644. */
  mode?: number;
  /**
   * The exact size of a Readable `data`, when known: it then streams straight through (otherwise it is spooled to a
   * temp file first: a tar header needs the size). A stream that turns out longer or shorter fails the write with
   * `FILE_SIZE_MISMATCH`.
   */
  size?: number;
}

const writeFileOptionsSchema = lazySchema((z) =>
  z.strictObject({
    mode: z.number().int().min(0).max(0o7777).optional(),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
);

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function' && Symbol.asyncIterator in value;
}

/**
 * `size` bytes from `source` as the content of the entry `header` starts, then the end of the archive. A source
 * that errors is `FILE_SOURCE_FAILED`; one that is longer or shorter than `size` is `FILE_SIZE_MISMATCH`, raised
 * before a byte beyond `size` is sent. Leaving early (the engine failed) destroys the source.
 */
export async function* streamedEntry(header: Buffer, size: number, source: AsyncIterable<unknown>, what: string, describe = 'the data stream'): AsyncGenerator<Buffer> {
  yield header;
  let sent = 0;
  try {
    for await (const piece of coalesce(source)) {
      if (sent + piece.length > size) {
        throw new ContainerError('FILE_SIZE_MISMATCH', `${what}: ${describe} is longer than the size given (${size} bytes); nothing past it was sent and the write was aborted`);
      }
      sent += piece.length;
      yield piece;
    }
  } catch (err) {
    if (ContainerError.is(err)) throw err;
    throw new ContainerError('FILE_SOURCE_FAILED', `${what}: ${describe} failed: ${(err as Error)?.message ?? String(err)}; the write was aborted`, { cause: err });
  }
  if (sent !== size) {
    throw new ContainerError('FILE_SIZE_MISMATCH', `${what}: ${describe} ended after ${sent} bytes, not the ${size} given; the write was aborted`);
  }
  yield padding(size);
}

async function* wholeArchive(entry: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* entry;
  yield TAR_END;
}

function bufferEntry(header: Buffer, data: Buffer): Buffer[] {
  return data.length > 0 ? [header, data, padding(data.length)] : [header];
}

/** Writes a stream of unknown size to `file`; returns its size. */
async function spool(data: Readable, file: string, what: string): Promise<number> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: FILE_PIECE_BYTES });
  let first: 'source' | 'spool' | undefined; // pipeline destroys both with the first error: which one had it
  data.once('error', () => (first ??= 'source'));
  out.once('error', () => (first ??= 'spool'));
  try {
    await pipeline(data, out);
  } catch (err) {
    if (first !== 'spool') throw new ContainerError('FILE_SOURCE_FAILED', `${what}: the data stream failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    throw new ContainerError('FILE_WRITE_FAILED', `${what}: spooling the stream (of unknown size) to a temp file failed: ${(err as Error).message}`, { cause: err });
  }
  return (await stat(file)).size;
}

/**
 * Writes `data` to `path` in the container, creating missing parent directories. Streams: a Readable of known
 * `size` goes straight through; one of unknown size is spooled to a temp file first (a tar header needs the size).
 * A Readable is consumed, or destroyed when the write fails. A failed write may leave a partial file in the
 * container (the engine extracts as the bytes arrive).
 */
export async function writeFile(engine: EngineClient, id: string, path: string, data: string | Buffer | Uint8Array | Readable, options: WriteFileOptions = {}): Promise<void> {
  const stream = isReadable(data) ? data : undefined;
  stream?.pause(); // until the upload reads it: a 'data' listener (progress) must not see it flow away meanwhile
  let spoolDir: string | undefined;
  let spooled: Readable | undefined;
  try {
    const target = containerPath(path, 'writeFile');
    if (target === '/') throw new ContainerError('FILE_INVALID_PATH', 'writeFile: cannot write to /');
    const what = `writeFile ${target}`;
    const opts = parseOptions(writeFileOptionsSchema, options, 'writeFile');
    const entry = { name: Buffer.from(target.slice(1)), type: 'file' as const, mode: opts.mode ?? 0o644, mtime: new Date() };
    if (!stream) {
      if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
        throw new ContainerError('CONTAINER_INVALID_OPTIONS', `${what}: data must be a string, a Buffer (or Uint8Array) or a Readable`);
      }
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      await upload(engine, id, target, what, wholeArchive(bufferEntry(tarHeader({ ...entry, size: bytes.length }), bytes)));
      return;
    }
    let source: AsyncIterable<unknown> = stream;
    let size = opts.size;
    if (size === undefined) {
      spoolDir = await mkdtemp(join(tmpdir(), 'pocketdock-spool-'));
      const file = join(spoolDir, 'data');
      size = await spool(stream, file, what);
      source = spooled = createReadStream(file, { highWaterMark: FILE_PIECE_BYTES });
    }
    await upload(engine, id, target, what, wholeArchive(streamedEntry(tarHeader({ ...entry, size }), size, source, what)));
  } catch (err) {
    stream?.destroy();
    throw err;
  } finally {
    spooled?.destroy();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }
}
