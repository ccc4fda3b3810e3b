import type { Readable } from 'node:stream';
import { EngineError } from '@pocketdock/engine-socket';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from './engine-errors.js';
import { imageName } from './engine-names.js';
import { ContainerError } from './errors.js';
import { splitRef } from './image-ref.js';
import { LABELS } from './labels.js';
import { lazySchema } from './lazy-schema.js';
import { engineOptionsSchema, fn, parseOptions } from './options.js';
import { withEngine } from './with-engine.js';
import type { EngineOptions } from './with-engine.js';

/** One progress event of a pull, as the engine streams it. */
export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

const importOptions = lazySchema((z) => engineOptionsSchema(z, { cmd: z.array(z.string()).min(1).optional() }));
const loadOptions = lazySchema((z) => engineOptionsSchema(z, {}));
const ensureOptions = lazySchema((z) => engineOptionsSchema(z, { onProgress: fn(z).optional() }));
const removeOptions = lazySchema((z) => engineOptionsSchema(z, { force: z.boolean().optional() }));

async function inspectImage(engine: EngineClient, ref: string): Promise<{ Id: string } | undefined> {
  try {
    return await engine.json<{ Id: string }>({ path: `/images/${encodeURI(ref)}/json` });
  } catch (err) {
    if (EngineError.is(err) && err.status === 404) return undefined;
    throw containerError(err, `inspect image ${ref}`);
  }
}

/** Reads a newline-delimited JSON answer, throwing IMAGE_INVALID on an `error` line. */
async function progress(engine: EngineClient, options: Parameters<EngineClient['jsonLines']>[0], what: string, onEvent?: (e: PullProgress) => void): Promise<PullProgress[]> {
  const events: PullProgress[] = [];
  for await (const event of await engine.jsonLines<PullProgress & { errorDetail?: { message?: string }; stream?: string }>(options)) {
    if (event.error || event.errorDetail?.message) throw new ContainerError('IMAGE_INVALID', `${what}: ${event.error ?? event.errorDetail?.message}`);
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

/**
 * Makes an image from a root filesystem tarball (no registry needed): `tar -C rootfs -c .` as a stream. The image
 * is labelled `pocketdock.image=true` and tagged `ref`. Returns its id.
 *
 * @example
 * await importImage(createReadStream('rootfs.tar'), 'pocketdock/busybox:test');
 */
export async function importImage(rootfsTar: Readable, ref: string, options: EngineOptions & { cmd?: string[] } = {}): Promise<{ id: string; ref: string }> {
  parseOptions(importOptions, options, 'importImage');
  const { repo, tag } = splitRef(ref);
  return await withEngine(options, async (engine) => {
    const changes = [`LABEL ${LABELS.image}=true`, ...(options.cmd ? [`CMD ${JSON.stringify(options.cmd)}`] : [])];
    let events: PullProgress[];
    try {
      // Imported without a name, then tagged: Podman's compat import ignores `tag` (and qualifies the repo).
      events = await progress(engine, { method: 'POST', path: '/images/create', query: { fromSrc: '-', changes }, body: rootfsTar, headers: { 'content-type': 'application/x-tar' } }, `import ${ref}`);
    } catch (err) {
      throw containerError(err, `import ${ref}`);
    }
    const id = events.map((e) => e.status ?? e.id ?? '').find((s) => /^sha256:[0-9a-f]{64}$/.test(s));
    if (!id) throw new ContainerError('IMAGE_INVALID', `import ${ref}: the engine did not report an image id`);
    // Podman answers the tag call with a body that is not JSON: check the status only.
    try {
      const tagged = await engine.request({ method: 'POST', path: `/images/${id}/tag`, query: { repo, tag } });
      tagged.body.resume();
      if (tagged.status < 200 || tagged.status > 299) throw new ContainerError('IMAGE_INVALID', `tag ${id} as ${ref}: HTTP ${tagged.status}`);
    } catch (err) {
      // Never leave the imported image behind, named or not, when the call as a whole failed.
      await engine.json({ method: 'DELETE', path: `/images/${id}`, query: { force: true } }).catch(() => undefined);
      throw containerError(err, `tag ${id} as ${ref}`);
    }
    return { id, ref };
  });
}

/** Loads an image archive (`docker save` / `podman save` format). Returns the references it loaded. */
export async function loadImage(imageTar: Readable, options: EngineOptions = {}): Promise<string[]> {
  parseOptions(loadOptions, options, 'loadImage');
  return await withEngine(options, async (engine) => {
    let events: Array<PullProgress & { stream?: string }>;
    try {
      events = await progress(engine, { method: 'POST', path: '/images/load', body: imageTar, headers: { 'content-type': 'application/x-tar' } }, 'load image');
    } catch (err) {
      throw containerError(err, 'load image');
    }
    return events.flatMap((e) => [...(e.stream ?? '').matchAll(/Loaded image(?: ID)?: (\S+)/g)].map((m) => imageName(m[1]!)));
  });
}

/**
 * Makes sure the engine has `ref`: present -> nothing to do; missing -> pulled, with progress events. When it cannot
 * be had (no registry here, or it does not exist) -> `IMAGE_NOT_FOUND`, saying so.
 */
export async function ensureImage(ref: string, options: EngineOptions & { onProgress?: (e: PullProgress) => void } = {}): Promise<{ pulled: boolean; id: string }> {
  parseOptions(ensureOptions, options, 'ensureImage');
  const { repo, tag } = splitRef(ref);
  return await withEngine(options, async (engine) => {
    const present = await inspectImage(engine, ref);
    if (present) return { pulled: false, id: present.Id };
    try {
      await progress(engine, { method: 'POST', path: '/images/create', query: { fromImage: repo, tag }, timeoutMs: 600_000 }, `pull ${ref}`, options.onProgress);
    } catch (err) {
      const why = EngineError.is(err) ? (err.engineMessage ?? err.message) : (err as Error).message;
      throw new ContainerError('IMAGE_NOT_FOUND', `image ${ref} is not in the engine and could not be pulled (${why}); without a registry, build it with importImage or loadImage`, { cause: err });
    }
    const pulled = await inspectImage(engine, ref);
    if (!pulled) throw new ContainerError('IMAGE_NOT_FOUND', `image ${ref}: the pull finished but the engine does not have it`);
    return { pulled: true, id: pulled.Id };
  });
}

/** Removes an image (`force`: even when containers use it). Missing -> `IMAGE_NOT_FOUND`. */
export async function removeImage(ref: string, options: EngineOptions & { force?: boolean } = {}): Promise<void> {
  parseOptions(removeOptions, options, 'removeImage');
  splitRef(ref);
  return await withEngine(options, async (engine) => {
    // Podman names local images localhost/<name>, and its DELETE does not resolve short names the way inspect does.
    const candidates = engine.engine === 'podman' && !ref.startsWith('localhost/') && !/^[^/]+[.:][^/]*\//.test(ref) ? [ref, `localhost/${ref}`] : [ref];
    for (const candidate of candidates) {
      try {
        await engine.json({ method: 'DELETE', path: `/images/${encodeURI(candidate)}`, query: { force: options.force ?? false } });
        return;
      } catch (err) {
        if (!(EngineError.is(err) && err.status === 404)) throw containerError(err, `remove image ${ref}`);
      }
    }
    throw new ContainerError('IMAGE_NOT_FOUND', `remove image: no image ${ref}`);
  });
}
