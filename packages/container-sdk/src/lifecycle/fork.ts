import { randomBytes } from 'node:crypto';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { Container } from '../container.js';
import { INTERNALS } from '../container.js';
import { createNewContainer } from '../create-container.js';
import type { NewContainerOptions } from '../create-container.js';
import type { ResolvedCreateOptions } from '../options.js';
import { commitSnapshot, removeSnapshotImage } from './snapshots.js';

/** Overrides for a fork: any `createNewContainer` option but the engine (a fork is on its parent's engine). */
export type ForkOptions = Omit<NewContainerOptions, 'engine' | 'socketPath' | 'image'>;

/**
 * Commits `parent` to a fork snapshot (`pocketdock-fork/<name>:<random>`, kind `fork`), creates a sandbox from it
 * with the parent's options (not its `name`, nor its callbacks) and `overrides`, and hands the snapshot to the fork,
 * which removes it on shutdown. A failed create removes the snapshot at once.
 */
export async function forkContainer(
  parent: Container,
  id: string,
  name: string,
  options: ResolvedCreateOptions,
  ownsEngine: boolean,
  overrides: ForkOptions,
): Promise<Container> {
  const engine: EngineClient = parent.engine;
  const ref = `pocketdock-fork/${name.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[._-]+/, '') || 'sandbox'}:${randomBytes(6).toString('hex')}`;
  const imageId = await commitSnapshot(engine, id, { ref, source: name, kind: 'fork', project: options.project });
  const { name: _name, engine: _engine, socketPath, image: _image, ...inherited } = options;
  try {
    const child = await createNewContainer({
      ...inherited,
      // The parent's own client is closed with it: a fork that shares it only when the caller gave it.
      ...(ownsEngine ? { socketPath: socketPath ?? engine.socketPath } : { engine }),
      ...overrides,
      image: ref,
    });
    child[INTERNALS].forkSnapshot = imageId;
    return child;
  } catch (err) {
    await removeSnapshotImage(engine, imageId, true).catch(() => undefined);
    throw err;
  }
}
