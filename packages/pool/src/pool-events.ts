/** The events a pool emits, with their listener signatures. */
export interface PoolEvents {
  /** A lease was handed out (`waitedMs`: how long the caller waited). */
  acquire: (info: { containerId: string; waitedMs: number }) => void;
  /**
   * The check of a released lease's container ended (`release()` resolved before it): see {@link ReleaseInfo}.
   * Subscribe before releasing: with nothing to check (maxUses, lifetime, shutdown) it comes on the next turn of
   * the event loop.
   */
  release: (info: ReleaseInfo) => void;
  /** A container was created (or adopted, with `adopted: true`). */
  create: (info: { containerId: string; adopted: boolean }) => void;
  /** A container was removed, and why. */
  destroy: (info: { containerId: string; reason: DestroyReason }) => void;
  /** A background failure (refill, reset, removal). Also passed to `onError`. */
  error: (err: Error) => void;
}

/** What the `release` event says about a released lease's container. */
export interface ReleaseInfo {
  containerId: string;
  /** It passed the check and was reset: it is idle again, or goes to the longest waiter right after this event. */
  reused: boolean;
  /** When not reused, why it is removed (a `destroy` event follows once it is gone). */
  reason?: DestroyReason;
  /** From `release()` to this outcome. */
  checkMs: number;
}

export type DestroyReason = 'failed-check' | 'tainted' | 'max-uses' | 'max-lifetime' | 'max-idle' | 'idle-timeout' | 'lease-destroy' | 'shutdown' | 'recovery' | 'clean-lease';

/** Options of {@link Pool.acquire}. */
export interface AcquireOptions {
  /** How long to wait for a container; default the pool's `acquireTimeoutMs`. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A snapshot of the pool's counters, from {@link Pool.stats}. */
export interface PoolStats {
  idle: number;
  leased: number;
  waiting: number;
  creating: number;
  /** Released, being checked and reset in the background: not yet idle (counted in `maxSize`). */
  checking: number;
  /**
   * Containers being removed (counted in `maxSize`): released, destroyed or discarded ones, and what a fault left on
   * the engine (a create or a removal that failed) until the engine confirmed it gone.
   */
  removing: number;
  created: number;
  destroyed: number;
  acquireP50Ms: number;
  acquireP99Ms: number;
  /** Acquires that found no idle container and had to wait. */
  emptyAcquires: number;
  timeouts: number;
}
