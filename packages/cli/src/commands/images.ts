import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { PROFILES } from '../profiles.js';
import { startProgress } from '../progress.js';
import { pocketdockImages } from './images-list.js';

/** `pocketdock profiles --json`: one of these per profile. */
export interface ProfileRow {
  name: string;
  image: string;
  description: string;
  slow: boolean;
  /** The id of the image the engine holds under `image`; null when it has none. */
  present: string | null;
}

/** `pocketdock profiles`. */
export async function profiles(ctx: Context): Promise<void> {
  const images = await pocketdockImages(await ctx.engine());
  const rows: ProfileRow[] = PROFILES.map((p) => ({
    name: p.name,
    image: p.image,
    description: p.description,
    slow: p.slow,
    present: images.find((i) => i.tags.includes(p.image))?.id ?? null,
  }));
  if (ctx.out.json) return ctx.out.printJson(rows);
  await ctx.out.table(
    ['PROFILE', 'IMAGE', 'PRESENT', 'WHAT'],
    rows.map((r) => [r.name, r.image, r.present ? r.present.replace(/^sha256:/, '').slice(0, 12) : '-', r.description]),
  );
}

function ioError(err: unknown, what: string): CliError {
  return new CliError('CLI_IO_FAILED', `${what}: ${(err as Error).message}`, undefined, { cause: err });
}

/** `pocketdock export IMAGE -o file.tar[.gz]`: the engine's image archive, gzip-compressed for .gz/.tgz. */
export async function exportImage(ctx: Context, [ref]: unknown[], options: Record<string, unknown>): Promise<void> {
  const file = options.output as string;
  const gzip = /\.(gz|tgz)$/.test(file);
  const engine = await ctx.engine();
  const inspect = await engine.json<{ Id: string; Size: number }>({ path: `/images/${encodeURI(ref as string)}/json` }).catch((err: unknown) => {
    throw new CliError('CLI_INVALID_ARGUMENT', `no image ${ref as string} on the engine`, '`pocketdock status` lists the images pocketdock made', { cause: err });
  });
  const started = performance.now();
  const res = await engine.request({ path: `/images/${encodeURI(ref as string)}/get`, stream: true, timeoutMs: 3_600_000 });
  if (res.status !== 200) {
    res.body.resume();
    throw new CliError('CLI_IO_FAILED', `the engine refused to export ${ref as string}: HTTP ${res.status}`);
  }
  const partial = `${file}.partial-${process.pid}`;
  const progress = await startProgress(ctx.out, `export ${ref as string}`, inspect.Size);
  try {
    await pipeline([res.body, progress.counter(), ...(gzip ? [createGzip()] : []), createWriteStream(partial, { mode: 0o644 })]);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw ioError(err, `export ${ref as string} to ${file}`);
  } finally {
    progress.stop();
  }
  const doc = { image: ref, id: inspect.Id, file, bytes: (await stat(file)).size, durationMs: Math.round(performance.now() - started) };
  if (ctx.out.json) return ctx.out.printJson(doc);
  ctx.out.info(`${ref as string} -> ${file} (${doc.bytes} bytes, ${doc.durationMs} ms)`);
}

/** `file` through `counter`, gunzipped when its first bytes say gzip; a read error ends the stream with it. */
async function readArchive(file: string, counter: Transform): Promise<Readable> {
  const magic = Buffer.alloc(2);
  try {
    const fh = await open(file, 'r');
    try {
      await fh.read(magic, 0, 2, 0);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw ioError(err, `import ${file}`);
  }
  const source = createReadStream(file);
  source.on('error', (err) => counter.destroy(ioError(err, `import ${file}`)));
  source.pipe(counter);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return counter;
  const gunzip = createGunzip();
  counter.on('error', (err) => gunzip.destroy(err));
  return counter.pipe(gunzip);
}

/** `pocketdock import FILE [IMAGE]`: an archive from `export` (docker/podman save), or a root filesystem as IMAGE. */
export async function importImage(ctx: Context, [file, ref]: unknown[]): Promise<void> {
  const sdk = await import('@pocketdock/container-sdk');
  if (ref !== undefined && !sdk.isImageRef(ref)) throw new CliError('CLI_INVALID_ARGUMENT', `import ${ref as string}: not an image reference`, 'use lower case repo[:tag]');
  const engine = await ctx.engine();
  const size = (await stat(file as string).catch((err: unknown) => {
    throw ioError(err, `import ${file as string}`);
  })).size;
  const progress = await startProgress(ctx.out, `import ${file as string}`, size);
  const started = performance.now();
  let images: string[];
  try {
    const stream = await readArchive(file as string, progress.counter());
    if (ref === undefined) images = await sdk.loadImage(stream, { engine });
    else images = [(await sdk.importImage(stream, ref, { engine })).ref];
  } finally {
    progress.stop();
  }
  if (images.length === 0) throw new CliError('CLI_INVALID_ARCHIVE', `${file as string}: the engine loaded no image from it`, 'is it a root filesystem? then name the image: `pocketdock import FILE repo:tag`');
  const doc = { file, images, durationMs: Math.round(performance.now() - started) };
  if (ctx.out.json) return ctx.out.printJson(doc);
  for (const i of images) ctx.out.line(i);
}
