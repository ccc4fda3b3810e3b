import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the flow-manager keeps about a flow beyond its own lifetime (the engine cannot hold it: labels are fixed). */
export interface PersistedFlowState {
  /** Stopped by the flow-manager: after a service restart it still reads `stopped`, not `exited`. */
  stoppedByUs: boolean;
  /** The end of the last run already reported (crashed or exited): a successor reports only later ones. */
  reportedEndMs: number | undefined;
  /** Where the current code came from (update_container changes it). */
  codePath: string | null;
}

const EMPTY: PersistedFlowState = { stoppedByUs: false, reportedEndMs: undefined, codePath: null };

/**
 * Small JSON files in a directory the service owns (`{socketDir}/state`, 0700), each written whole and renamed into
 * place, one write at a time per file: a crash mid-write leaves the previous version.
 */
export class StateStore {
  readonly dir: string;
  readonly #writes = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async readFlow(key: string): Promise<PersistedFlowState> {
    const raw = await this.readJson(`flow-${key}.json`);
    if (typeof raw !== 'object' || raw === null) return { ...EMPTY };
    const o = raw as Record<string, unknown>;
    return {
      stoppedByUs: o['stoppedByUs'] === true,
      reportedEndMs: typeof o['reportedEndMs'] === 'number' ? o['reportedEndMs'] : undefined,
      codePath: typeof o['codePath'] === 'string' ? o['codePath'] : null,
    };
  }

  writeFlow(key: string, state: PersistedFlowState): Promise<void> {
    return this.writeJson(`flow-${key}.json`, state);
  }

  removeFlow(key: string): Promise<void> {
    return this.#serial(`flow-${key}.json`, () => rm(join(this.dir, `flow-${key}.json`), { force: true }));
  }

  /** The parsed file, or undefined when it is missing or unreadable (a fresh start). */
  async readJson(name: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return this.#serial(name, async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = join(this.dir, `.${name}.tmp`);
      await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
      await rename(tmp, join(this.dir, name));
    });
  }

  /** Waits for every write under way. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#writes.values()]);
  }

  #serial(name: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.#writes.get(name) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.#writes.set(name, next);
    void next.finally(() => {
      if (this.#writes.get(name) === next) this.#writes.delete(name);
    }).catch(() => undefined);
    return next;
  }
}
