/** The events a pool emits, with their listener signatures. */
export interface PoolEvents {
  /** A lease was handed out (`waitedMs`: how long the caller waited). */
  acquire: (info: { containerId: string; waitedMs: number }) => void;
  /** A lease came back and its container is idle again (or handed to a waiter). */
  release: (info: { containerId: string }) => void;
  /** A container was created (or adopted, with `adopted: true`). */
  create: (info: { containerId: string; adopted: boolean }) => void;
  /** A container was removed, and why. */
  destroy: (info: { containerId: string; reason: DestroyReason }) => void;
  /** A background failure (refill, reset, removal). Also passed to `onError`. */
  error: (err: Error) => void;
}

export type DestroyReason = 'failed-check' | 'tainted' | 'max-uses' | 'max-lifetime' | 'max-idle' | 'idle-timeout' | 'lease-destroy' | 'shutdown' | 'recovery';

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
  /** Being checked and reset after a release, or removed. */
  returning: number;
  created: number;
  destroyed: number;
  acquireP50Ms: number;
  acquireP99Ms: number;
  /** Acquires that found no idle container and had to wait. */
  emptyAcquires: number;
  timeouts: number;
}
