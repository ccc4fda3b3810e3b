import type { PoolStats } from './pool-events.js';

/** @internal How a pool over several engines steers each engine's `Pool` (see {@link Pool}'s `[LIMITS]`). */
export const LIMITS = Symbol('limits');

/** @internal Reads a pool's counts without its latency percentiles (see {@link Pool}'s `[COUNTS]`). */
export const COUNTS = Symbol('counts');

/** @internal What `[COUNTS]()` gives: the counts of `stats()` that limits and placement need. */
export type PoolCounts = Pick<PoolStats, 'idle' | 'leased' | 'waiting' | 'creating' | 'checking' | 'removing'>;

/** @internal The limits a pool over several engines sets on one engine's pool. */
export interface PoolLimits {
  /** This engine's share of the total `minIdle` (it changes when an engine is taken out or comes back). */
  minIdle?: number;
  /** Places left under the total `maxSize` of every engine: this pool creates only while it is above 0. */
  room?: () => number;
}
