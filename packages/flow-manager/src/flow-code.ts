import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FlowManagerError } from './errors.js';

/**
 * The flows' code, in directories the service owns: `{root}/{key}/current` is bind-mounted read-only into the flow
 * container (at its working directory), so new code never goes into a user's volume. An update stages the new code
 * in `next`, swaps it in while the container is stopped (`current` -> `prev`, `next` -> `current`; the engine
 * resolves a bind's source again at every start), and either drops `prev` (it worked) or swaps it back.
 */
export class FlowCode {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The directory mounted into the container. */
  currentOf(key: string): string {
    return join(this.#dir(key), 'current');
  }

  /** Copies `source` (a directory, or a file kept under its own name) as the first code of a new flow. */
  async install(key: string, source: string): Promise<void> {
    await this.stage(key, source);
    await rename(join(this.#dir(key), 'next'), this.currentOf(key));
  }

  /** Copies `source` to `next` (a fresh directory: files the new code does not have do not linger). */
  async stage(key: string, source: string): Promise<void> {
    const next = join(this.#dir(key), 'next');
    await rm(next, { recursive: true, force: true });
    await mkdir(next, { recursive: true, mode: 0o755 });
    try {
      const file = (await stat(source)).isFile();
      // Symlinks are copied as links: they resolve inside the container, never to host files outside the roots.
      await cp(source, file ? join(next, basename(source)) : next, { recursive: true, verbatimSymlinks: true, force: true, preserveTimestamps: true });
    } catch (cause) {
      await rm(next, { recursive: true, force: true });
      throw new FlowManagerError('FM_INVALID_PAYLOAD', `code_path: cannot copy ${source}: ${(cause as Error).message}`, { cause, details: { field: 'code_path' } });
    }
  }

  /** `current` -> `prev`, `next` -> `current` (the container is stopped). */
  async swapIn(key: string): Promise<void> {
    const dir = this.#dir(key);
    await rm(join(dir, 'prev'), { recursive: true, force: true });
    await rename(this.currentOf(key), join(dir, 'prev'));
    await rename(join(dir, 'next'), this.currentOf(key));
  }

  /** The update took: the previous code goes. */
  async commit(key: string): Promise<void> {
    await rm(join(this.#dir(key), 'prev'), { recursive: true, force: true });
  }

  /** The update failed: the previous code comes back (the container is stopped). */
  async rollback(key: string): Promise<void> {
    const dir = this.#dir(key);
    await rm(join(dir, 'failed'), { recursive: true, force: true });
    await rename(this.currentOf(key), join(dir, 'failed'));
    await rename(join(dir, 'prev'), this.currentOf(key));
    await rm(join(dir, 'failed'), { recursive: true, force: true });
  }

  async remove(key: string): Promise<void> {
    await rm(this.#dir(key), { recursive: true, force: true });
  }

  #dir(key: string): string {
    if (!/^[a-f0-9]{8,64}$/.test(key)) throw new FlowManagerError('FM_INTERNAL', `bad flow key ${key}`);
    return join(this.root, key);
  }
}
