import { EngineError } from '@pocketdock/engine-socket';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { imageName } from '../engine-names.js';
import { ContainerError } from '../errors.js';
import { splitRef } from '../image-ref.js';
import { LABELS } from '../labels.js';
import { lazySchema } from '../lazy-schema.js';
import { engineOptionsSchema, parseOptions } from '../options.js';
import { withEngine } from '../with-engine.js';
import type { EngineOptions } from '../with-engine.js';

/** Labels on snapshot images (besides `pocketdock.image=true`). */
export const SNAPSHOT_LABELS = {
  snapshot: 'pocketdock.snapshot',
  /** The name of the container it was taken from. */
  source: 'pocketdock.snapshot-of',
  /** `fork`: made by `fork()` and removed with the fork; `user`: made by `snapshot()`, yours to remove. */
  kind: 'pocketdock.snapshot-kind',
  createdAt: 'pocketdock.snapshot-created-at',
} as const;

/** A snapshot image, as `listSnapshots()` reports it. */
export interface SnapshotInfo {
  id: string;
  refs: string[];
  source: string;
  kind: 'fork' | 'user';
  project: string | undefined;
  createdAt: Date;
  labels: Record<string, string>;
}

export interface CommitSpec {
  ref: string;
  source: string;
  kind: 'fork' | 'user';
  project?: string | undefined;
  labels?: Record<string, string> | undefined;
}

const labelText = (v: string): string => JSON.stringify(v);

/**
 * Commits the container's file system to image `ref` (the engine pauses it for the commit, then it runs on), with
 * the snapshot labels and the container's identity labels blanked (containers made from the image inherit them).
 */
export async function commitSnapshot(engine: EngineClient, containerId: string, spec: CommitSpec): Promise<string> {
  const { repo, tag } = splitRef(spec.ref);
  const labels: Record<string, string> = {
    ...spec.labels,
    [LABELS.image]: 'true',
    [SNAPSHOT_LABELS.snapshot]: 'true',
    [SNAPSHOT_LABELS.source]: spec.source,
    [SNAPSHOT_LABELS.kind]: spec.kind,
    [SNAPSHOT_LABELS.createdAt]: new Date().toISOString(),
    ...(spec.project ? { [LABELS.project]: spec.project } : {}),
  };
  const changes = [
    ...Object.entries(labels).map(([k, v]) => `LABEL ${k}=${labelText(v)}`),
    ...[LABELS.managed, LABELS.instance, LABELS.persist, LABELS.createdAt].map((l) => `LABEL ${l}=""`),
  ];
  try {
    // Podman wants a JSON body (the container config to merge), even an empty one.
    const res = await engine.json<{ Id: string }>({ method: 'POST', path: '/commit', query: { container: containerId, repo, tag, pause: true, changes }, body: {} });
    // Docker answers `sha256:<hex>`, Podman the bare hex: the image list says `sha256:` on both.
    return res.Id.startsWith('sha256:') ? res.Id : `sha256:${res.Id}`;
  } catch (err) {
    throw containerError(err, `snapshot as ${spec.ref}`);
  }
}

const listOptions = lazySchema((z) => engineOptionsSchema(z, { project: z.string().min(1).optional(), source: z.string().min(1).optional() }));
const removeOptions = lazySchema((z) => engineOptionsSchema(z, { force: z.boolean().optional() }));

interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  Created: number;
  Labels?: Record<string, string> | null;
}

/**
 * The snapshot images (label `pocketdock.snapshot=true`): from `snapshot()` and `fork()`; with `project` or `source`
 * (a container name), only those.
 *
 * @example
 * for (const s of await listSnapshots({ source: 'tutor-1' })) await removeSnapshot(s.id);
 */
export async function listSnapshots(options: EngineOptions & { project?: string; source?: string } = {}): Promise<SnapshotInfo[]> {
  parseOptions(listOptions, options, 'listSnapshots');
  return withEngine(options, async (engine) => {
    let list: ImageSummary[];
    try {
      list = await engine.json<ImageSummary[]>({ path: '/images/json', query: { filters: { label: [`${SNAPSHOT_LABELS.snapshot}=true`] } } });
    } catch (err) {
      throw containerError(err, 'list snapshots');
    }
    return list
      .filter((i) => i.Labels?.[SNAPSHOT_LABELS.snapshot] === 'true')
      .map((i) => {
        const labels = i.Labels ?? {};
        return {
          id: i.Id,
          refs: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map(imageName),
          source: labels[SNAPSHOT_LABELS.source] ?? '',
          kind: labels[SNAPSHOT_LABELS.kind] === 'fork' ? ('fork' as const) : ('user' as const),
          project: labels[LABELS.project] || undefined,
          createdAt: new Date(i.Created * 1000),
          labels,
        };
      })
      .filter((s) => (!options.project || s.project === options.project) && (!options.source || s.source === options.source));
  });
}

/**
 * Removes a snapshot image by ref or id (every tag of it). Only snapshot images: anything else is `IMAGE_NOT_FOUND`.
 * Still used by a container -> `SNAPSHOT_IN_USE` unless `force` (the engine then only untags it while in use).
 */
export async function removeSnapshot(refOrId: string, options: EngineOptions & { force?: boolean } = {}): Promise<void> {
  parseOptions(removeOptions, options, 'removeSnapshot');
  if (!/^(sha256:)?[0-9a-f]{12,64}$/.test(refOrId)) splitRef(refOrId);
  return withEngine(options, (engine) => removeSnapshotImage(engine, refOrId, options.force ?? false));
}

/** @internal removeSnapshot on an open engine client. */
export async function removeSnapshotImage(engine: EngineClient, refOrId: string, force: boolean): Promise<void> {
  let image: { Id: string; Config?: { Labels?: Record<string, string> | null } };
  try {
    image = await engine.json({ path: `/images/${encodeURI(refOrId)}/json` });
  } catch (err) {
    if (EngineError.is(err) && err.status === 404) throw new ContainerError('IMAGE_NOT_FOUND', `remove snapshot: no image ${refOrId}`, { cause: err });
    throw containerError(err, `remove snapshot ${refOrId}`);
  }
  if (image.Config?.Labels?.[SNAPSHOT_LABELS.snapshot] !== 'true') {
    throw new ContainerError('IMAGE_NOT_FOUND', `remove snapshot: ${refOrId} is not a pocketdock snapshot (use removeImage)`);
  }
  try {
    await engine.json({ method: 'DELETE', path: `/images/${image.Id}`, query: { force } });
  } catch (err) {
    if (EngineError.is(err) && err.status === 404) return;
    if (EngineError.is(err) && (err.status === 409 || /in use|being used|has dependent/i.test(err.engineMessage ?? ''))) {
      throw new ContainerError('SNAPSHOT_IN_USE', `remove snapshot ${refOrId}: a container still uses it (remove that first, or pass force)`, { cause: err });
    }
    throw containerError(err, `remove snapshot ${refOrId}`);
  }
}

/**
 * Removes the fork snapshots no container uses any more (a fork whose owner died before `shutdown()` leaves its
 * snapshot behind); with `project`, only that project's. Returns the ids it removed. User snapshots are left alone.
 */
export async function pruneSnapshots(options: EngineOptions & { project?: string } = {}): Promise<string[]> {
  parseOptions(listOptions, options, 'pruneSnapshots');
  return withEngine(options, async (engine) => {
    const removed: string[] = [];
    for (const s of await listSnapshots({ engine, ...(options.project ? { project: options.project } : {}) })) {
      if (s.kind !== 'fork') continue;
      try {
        await removeSnapshotImage(engine, s.id, false);
        removed.push(s.id);
      } catch (err) {
        if (!(ContainerError.is(err) && (err.code === 'SNAPSHOT_IN_USE' || err.code === 'IMAGE_NOT_FOUND'))) throw err;
      }
    }
    return removed;
  });
}
