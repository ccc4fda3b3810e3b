import type { SettingsIssue } from './settings/sources.js';

const BRAND = Symbol.for('pocketdock.FactoryError');

/** Every code a {@link FactoryError} can carry. Listed, with meanings, in the package README. */
export const FACTORY_ERROR_CODES = [
  'FACTORY_INVALID_SETTINGS',
  'FACTORY_UNKNOWN_SOCKET_TYPE',
  'FACTORY_UNKNOWN_POOL',
  'FACTORY_CLOSED',
  'FACTORY_CLOSE_FAILED',
] as const;

export type FactoryErrorCode = (typeof FACTORY_ERROR_CODES)[number];

/**
 * The error of the wiring itself (settings, socket types, the instance's lifecycle). Errors of the libraries it
 * builds pass through as they are (an ipc `SocketError`, a `PoolError`...). Branch on `code`.
 *
 * @example
 * try { loadSettings(); } catch (err) { if (FactoryError.is(err)) for (const i of err.issues) console.error(i.key, i.source); }
 */
export class FactoryError extends Error {
  override readonly name = 'FactoryError';
  readonly [BRAND] = true;
  /** For `FACTORY_INVALID_SETTINGS`: each problem, with its key and where it came from (never a value). */
  readonly issues: readonly SettingsIssue[];

  constructor(
    readonly code: FactoryErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly SettingsIssue[] },
  ) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }

  /** True for a FactoryError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is FactoryError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
