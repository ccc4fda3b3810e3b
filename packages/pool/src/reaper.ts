import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { POOL_LABELS } from './labels.js';
import { listPoolContainers, removeById } from './recovery.js';
import type { Semaphore } from './semaphore.js';

/** What the reaper tells its pool. */
export interface ReaperHooks {
  /** A round ended: `err` when it could not finish (the engine is away); what is left is retried with backoff. */
  roundEnded(err: PoolError | undefined): void;
  /** The first failed round after a good one (not every retry: the engine may be away for a while). */
  report(err: PoolError): void;
}

/** Timing of the reaper's retries: `intervalMs * 2^failures`, at most `maxBackoffMs`. */
export interface ReaperTiming {
  intervalMs: number;
  maxBackoffMs: number;
}

/**
 * The pool's containers that a fault left on the engine, removed as soon as the engine answers again: whatever a
 * failed create made (found by its `pocketdock.pool-create` token: created, or started, and the answer lost; or our
 * removal after a failed start failed too) and each container whose removal failed (by id). Each one counts against
 * `maxSize` (`pending`) until the engine confirmed it gone, so the engine never holds more than `maxSize` of the
 * pool's containers, faults included. One round at a time; a failed round is retried with backoff (no hot loop
 * while the engine is away), and `nudge()` brings the next round forward.
 */
export class Reaper {
  readonly #tokens = new Set<string>();
  readonly #ids = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failures = 0;

  constructor(
    private readonly engine: EngineClient,
    private readonly sem: Semaphore,
    private readonly poolName: string,
    private readonly timing: ReaperTiming,
    private readonly hooks: ReaperHooks,
  ) {}

  /** Containers (or failed creates) still to remove: each holds a place under `maxSize`. */
  get pending(): number {
    return this.#tokens.size + this.#ids.size;
  }

  /** A create failed: whatever the engine holds with its `token` is removed. Once stopped: left to the sweep. */
  afterFailedCreate(token: string): void {
    if (this.#stopped) return;
    this.#tokens.add(token);
    this.nudge();
  }

  /** Removing container `id` failed: it is removed again. Once stopped: left to the sweep. */
  afterFailedRemove(id: string): void {
    if (this.#stopped) return;
    this.#ids.add(id);
    this.nudge();
  }

  /** Runs a round now (backoff or not), unless one runs, nothing is pending, or the reaper was stopped. */
  nudge(): void {
    if (this.#stopped || this.#running || this.pending === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = this.#round().finally(() => {
      this.#running = undefined;
    });
  }

  /**
   * No more rounds; resolves once a running one ended. What is still pending is dropped (the shutdown's sweep of
   * everything labelled with the pool's name removes it).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#tokens.clear();
    this.#ids.clear();
  }

  async #round(): Promise<void> {
    const tokens = new Set(this.#tokens);
    const ids = [...this.#ids];
    let error: PoolError | undefined;
    try {
      if (tokens.size > 0) {
        for (const c of await listPoolContainers(this.engine, this.sem, this.poolName)) {
          const token = c.Labels?.[POOL_LABELS.create];
          if (token !== undefined && tokens.has(token)) await removeById(this.engine, this.sem, c.Id);
        }
        for (const token of tokens) this.#tokens.delete(token);
      }
      for (const id of ids) {
        await removeById(this.engine, this.sem, id);
        this.#ids.delete(id);
      }
      this.#failures = 0;
    } catch (err) {
      this.#failures++;
      const what = `pool ${this.poolName}: removing ${this.pending} container(s) left by failed creates or removals failed`;
      error = new PoolError('POOL_ENGINE_ERROR', `${what}: ${(err as Error).message}; retried with backoff`, { cause: err });
      if (this.#failures === 1) this.hooks.report(error);
    }
    if (!this.#stopped && this.pending > 0) {
      const { intervalMs, maxBackoffMs } = this.timing;
      // Left over after a good round: added meanwhile, go on now. After a failed one: back off.
      const delayMs = error ? Math.min(intervalMs * 2 ** this.#failures, maxBackoffMs) : 0;
      this.#timer = setTimeout(() => this.nudge(), delayMs);
    }
    this.hooks.roundEnded(error);
  }
}
