const BRAND = Symbol.for('pocketdock.FactoryError');

/** Every code a {@link FactoryError} can carry. Listed, with meanings, in the package README. */
export const FACTORY_ERROR_CODES = ['FACTORY_INVALID_SETTINGS', 'FACTORY_SETTINGS_FILE', 'FACTORY_UNKNOWN_SOCKET_TYPE'] as const;

export type FactoryErrorCode = (typeof FACTORY_ERROR_CODES)[number];

/**
 * The error of the wiring itself (settings, socket types). Errors of the libraries it builds pass through as
 * they are (an ipc `SocketError`, ...). Branch on `code`.
 *
 * @example
 * try { loadSettings(); } catch (err) { if (FactoryError.is(err)) console.error(err.message); }
 */
export class FactoryError extends Error {
  override readonly name = 'FactoryError';
  readonly [BRAND] = true;

  constructor(
    readonly code: FactoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a FactoryError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is FactoryError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
