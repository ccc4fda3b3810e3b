import type { DestroyReason } from './pool-events.js';
import type { PooledContainer } from './pooled.js';
import type { TaskSet } from './task-set.js';

/** How the check of a released container ended: `reason` says why it is removed; none means it can be reused. */
export interface CheckOutcome {
  pooled: PooledContainer;
  reason: DestroyReason | undefined;
  /** From the release to this outcome. */
  checkMs: number;
}

/**
 * The containers of released leases, being checked and reset in the background (the releaser does not wait).
 * Each check ends in exactly one outcome, passed to `done`: its own, or `cancelAll`'s when that came first. A
 * container is in here until then, so it is never handed out before its check passed.
 */
export class ReleaseChecks {
  readonly #running = new Map<PooledContainer, number>(); // container -> when it was released

  constructor(
    private readonly tasks: TaskSet,
    private readonly done: (outcome: CheckOutcome) => void,
  ) {}

  get size(): number {
    return this.#running.size;
  }

  /**
   * Starts the check of a released container on the next turn of the event loop. With `retire` (max uses,
   * lifetime, shutdown) there is no check: the outcome is that reason. Either way the outcome comes later than the
   * releaser's own code that follows `release()`.
   */
  start(pooled: PooledContainer, retire: DestroyReason | undefined): void {
    this.#running.set(pooled, performance.now());
    const task = (async () => {
      let ok = false;
      try {
        // Start on the next turn of the event loop: the releaser's code runs on first, and release() costs it only
        // this bookkeeping, never the check's first write to the engine socket.
        await new Promise((resolve) => setImmediate(resolve));
        // cleanLeases 'wipe': the wipe (kill, empty, verify) instead of the check; a tainted container is replaced.
        if (retire === undefined && this.#running.has(pooled)) ok = pooled.wipe ? !pooled.tainted && (await pooled.wipe.run()) : await pooled.reset();
      } finally {
        this.#finish(pooled, retire ?? (ok ? undefined : pooled.tainted ? 'tainted' : 'failed-check'));
      }
    })();
    this.tasks.add(task);
  }

  /** Ends every running check now with `reason` (each check still runs on, and its own outcome is dropped). */
  cancelAll(reason: DestroyReason): void {
    for (const pooled of [...this.#running.keys()]) this.#finish(pooled, reason);
  }

  #finish(pooled: PooledContainer, reason: DestroyReason | undefined): void {
    const releasedAt = this.#running.get(pooled);
    if (releasedAt === undefined) return; // cancelled: the outcome was given already
    this.#running.delete(pooled);
    this.done({ pooled, reason, checkMs: performance.now() - releasedAt });
  }
}
