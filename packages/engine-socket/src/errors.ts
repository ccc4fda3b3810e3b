const BRAND = Symbol.for('pocketdock.EngineError');

/** Every code an {@link EngineError} can carry. Listed, with meanings, in the package README. */
export const ENGINE_ERROR_CODES = [
  'ENGINE_NOT_FOUND',
  'ENGINE_UNSUPPORTED_HOST',
  'ENGINE_INVALID_CONFIG',
  'ENGINE_INVALID_OPTIONS',
  'ENGINE_CONNECT_FAILED',
  'ENGINE_UNSUPPORTED_VERSION',
  'ENGINE_TIMEOUT',
  'ENGINE_ABORTED',
  'ENGINE_CONNECTION_LOST',
  'ENGINE_API_ERROR',
  'ENGINE_BAD_RESPONSE',
  'ENGINE_RESPONSE_TOO_LARGE',
  'ENGINE_CLOSED',
  'ENGINE_INSECURE_HOST',
  'ENGINE_TLS_CONFIG',
  'ENGINE_TLS_FAILED',
  'ENGINE_SSH_CONFIG',
  'ENGINE_SSH_HOST_UNKNOWN',
  'ENGINE_SSH_HOST_KEY_CHANGED',
  'ENGINE_SSH_AUTH_FAILED',
  'ENGINE_SSH_FAILED',
] as const;

export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** What an `ENGINE_API_ERROR` adds: the engine's answer and the request it answered. */
export interface EngineApiErrorDetails {
  status: number;
  /** The engine's own message (`{"message": ...}` in the body), or the body text. */
  engineMessage: string;
  method: string;
  path: string;
}

export interface EngineErrorOptions {
  cause?: unknown;
  api?: EngineApiErrorDetails;
}

/**
 * The error every engine-socket failure is reported with. Branch on `code`, never on the message.
 *
 * @example
 * try { await client.json({ path: `/containers/${id}/json` }); }
 * catch (err) { if (EngineError.is(err) && err.status === 404) return undefined; throw err; }
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly [BRAND] = true;
  /** HTTP status, for `ENGINE_API_ERROR`. */
  readonly status: number | undefined;
  /** The engine's own message, for `ENGINE_API_ERROR`. */
  readonly engineMessage: string | undefined;
  /** The request's method, for `ENGINE_API_ERROR`. */
  readonly method: string | undefined;
  /** The request's path (as sent, versioned), for `ENGINE_API_ERROR`. */
  readonly path: string | undefined;

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options: EngineErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.api?.status;
    this.engineMessage = options.api?.engineMessage;
    this.method = options.api?.method;
    this.path = options.api?.path;
  }

  /** True for an EngineError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is EngineError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
