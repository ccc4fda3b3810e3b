/** The labels a pool puts on its containers, besides container-sdk's own and the caller's. */
export const POOL_LABELS = {
  /** The pool's `name`. */
  pool: 'pocketdock.pool',
  /** A hash of the pool's container configuration: a restarted pool adopts only matching containers. */
  config: 'pocketdock.pool-config',
  /**
   * A random token per create: when a create fails half-way (the engine made the container, the answer was lost),
   * the pool finds what the engine holds for it by this label and removes it.
   */
  create: 'pocketdock.pool-create',
} as const;
