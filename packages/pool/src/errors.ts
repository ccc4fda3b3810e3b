const BRAND = Symbol.for('pocketdock.PoolError');

/** Every code a {@link PoolError} can carry. Listed, with meanings, in the package README. */
export const POOL_ERROR_CODES = [
  'POOL_INVALID_OPTIONS',
  'POOL_ACQUIRE_TIMEOUT',
  'POOL_ACQUIRE_ABORTED',
  'POOL_EXHAUSTED',
  'POOL_SHUTDOWN',
  'POOL_INVALID_RELEASE',
  'POOL_LEASE_ENDED',
  'POOL_RUN_FAILED',
  'POOL_CREATE_FAILED',
  'POOL_ENGINE_ERROR',
  'POOL_ENGINE_DOWN',
] as const;

export type PoolErrorCode = (typeof POOL_ERROR_CODES)[number];

/**
 * The error every pool failure is reported with. Branch on `code`, never on the message; engine and container
 * failures are the `cause`.
 *
 * @example
 * try { await pool.acquire({ timeoutMs: 100 }); } catch (err) { if (PoolError.is(err) && err.code === 'POOL_ACQUIRE_TIMEOUT') retryLater(); }
 */
export class PoolError extends Error {
  override readonly name = 'PoolError';
  readonly [BRAND] = true;

  constructor(
    readonly code: PoolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a PoolError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is PoolError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
