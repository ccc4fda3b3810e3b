import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { EngineClient, EngineResponse } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import { decodePathStat } from './path-stat.js';
import type { PathStat } from './path-stat.js';

/** An absolute, normalised container path. */
export function containerPath(path: string, what: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0')) {
    throw new ContainerError('FILE_INVALID_PATH', `${what}: the container path must be absolute, got ${JSON.stringify(path)}`);
  }
  return posix.normalize(path);
}

/** The archive endpoint's 404 means the path or the container is missing: ask which. */
async function notFound(engine: EngineClient, id: string, path: string): Promise<ContainerError> {
  try {
    await engine.json({ path: `/containers/${id}/json` });
  } catch (err) {
    const e = containerError(err, 'inspect container');
    if (e.code === 'CONTAINER_NOT_FOUND') return e;
  }
  return new ContainerError('FILE_NOT_FOUND', `no such file or directory in container ${id.slice(0, 12)}: ${path}`);
}

async function expectOk(res: EngineResponse, engine: EngineClient, id: string, path: string, what: string): Promise<void> {
  if (res.status >= 200 && res.status < 300) return;
  const chunks: Buffer[] = [];
  let held = 0;
  for await (const c of res.body) {
    if (held < 64 * 1024) chunks.push(c as Buffer);
    held += (c as Buffer).length;
  }
  if (res.status === 404) throw await notFound(engine, id, path);
  const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // not JSON: keep the text
  }
  if (res.status === 409 || /not running|state improper/i.test(message)) {
    throw new ContainerError('CONTAINER_NOT_RUNNING', `${what}: ${message}`);
  }
  if (res.status === 400 && /not a directory/i.test(message)) throw new ContainerError('FILE_NOT_A_DIRECTORY', `${what}: ${message}`);
  throw new ContainerError('CONTAINER_ENGINE_ERROR', `${what}: HTTP ${res.status}: ${message}`);
}

/**
 * PUTs the tar archive `archive` yields, extracted at `/` in the container (entry names are absolute paths without
 * the leading `/`). If `archive` fails (a source that errors, or is not the size it said), the upload is aborted:
 * the connection is cut mid-body, so the engine drops the archive and lets go of the container at once, and that
 * failure is what is thrown, once the request has ended. If the engine fails first, `archive` is closed (its
 * `finally` blocks run).
 */
export async function upload(engine: EngineClient, id: string, path: string, what: string, archive: AsyncIterable<Buffer>): Promise<void> {
  let failure: Error | undefined;
  const guarded = (async function* () {
    try {
      yield* archive;
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      throw failure;
    }
  })();
  const body = Readable.from(guarded, { objectMode: false });
  body.on('error', () => undefined); // reported through the request (and `failure`), not as an unheard 'error'
  let res: EngineResponse;
  try {
    res = await engine.request({ method: 'PUT', path: `/containers/${id}/archive`, query: { path: '/' }, body, headers: { 'content-type': 'application/x-tar' } });
  } catch (err) {
    body.destroy();
    throw failure ?? containerError(err, what);
  }
  try {
    await expectOk(res, engine, id, path, what);
  } catch (err) {
    body.destroy();
    throw failure ?? err;
  }
  res.body.resume();
  if (failure) throw failure;
}

/** GETs a path as a tar stream (identity encoding), with its stat from the header. */
export async function getArchive(engine: EngineClient, id: string, path: string, what: string): Promise<{ stat: PathStat | undefined; body: Readable }> {
  let res: EngineResponse;
  try {
    res = await engine.request({ path: `/containers/${id}/archive`, query: { path }, headers: { 'accept-encoding': 'identity' }, stream: true });
  } catch (err) {
    throw containerError(err, what);
  }
  await expectOk(res, engine, id, path, what);
  return { stat: decodePathStat(res.headers['x-docker-container-path-stat']), body: res.body };
}
