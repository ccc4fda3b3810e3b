const BRAND = Symbol.for('pocketdock.FlowManagerError');

/** The design's error types: what kind of thing failed, for clients that branch coarsely. */
export type ErrorType = 'engine_error' | 'socket_error' | 'validation_error' | 'system_error';

/** Every code a {@link FlowManagerError} carries, with its error type (listed in the README). */
export const FLOW_MANAGER_ERROR_TYPES = {
  FM_INVALID_OPTIONS: 'validation_error',
  FM_INVALID_PAYLOAD: 'validation_error',
  FM_PATH_NOT_ALLOWED: 'validation_error',
  FM_CONTAINER_LIMIT: 'validation_error',
  FM_CONTAINER_NOT_FOUND: 'validation_error',
  FM_AMBIGUOUS_ID: 'validation_error',
  FM_NOT_UPDATABLE: 'validation_error',
  FM_UNKNOWN_EVENT: 'validation_error',
  FM_ENGINE_ERROR: 'engine_error',
  FM_IMAGE_NOT_FOUND: 'engine_error',
  FM_CONTAINER_NOT_RUNNING: 'engine_error',
  FM_NAME_IN_USE: 'engine_error',
  FM_SOCKET_ERROR: 'socket_error',
  FM_FLOW_NOT_CONNECTED: 'socket_error',
  FM_FLOW_TIMEOUT: 'socket_error',
  FM_FLOW_FAILED: 'socket_error',
  FM_UPDATE_FAILED: 'socket_error',
  FM_UNAUTHORIZED: 'validation_error',
  FM_TOO_MANY_CLIENTS: 'system_error',
  FM_NO_TOKEN: 'system_error',
  FM_SHUTTING_DOWN: 'system_error',
  FM_INTERNAL: 'system_error',
  FM_CREATE_TIMEOUT: 'system_error',
  FM_LIVE_LIMIT: 'validation_error',
  FM_TERMINAL_NOT_FOUND: 'validation_error',
  FM_CLUSTER_UNAVAILABLE: 'system_error',
} as const satisfies Record<string, ErrorType>;

export type FlowManagerErrorCode = keyof typeof FLOW_MANAGER_ERROR_TYPES;
export const FLOW_MANAGER_ERROR_CODES = Object.keys(FLOW_MANAGER_ERROR_TYPES) as FlowManagerErrorCode[];

/** The error of @pocketdock/flow-manager; branch on `code` (or coarsely on `errorType`). */
export class FlowManagerError extends Error {
  readonly code: FlowManagerErrorCode;
  /** Structured facts for the client (never secrets): which field, which path, which limit. */
  readonly details: Record<string, unknown>;

  constructor(code: FlowManagerErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowManagerError';
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  get errorType(): ErrorType {
    return FLOW_MANAGER_ERROR_TYPES[this.code];
  }

  /** True for a FlowManagerError from any copy of this package. */
  static is(value: unknown): value is FlowManagerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** `FM_INVALID_PAYLOAD` listing each zod issue (`details.issues` names the fields). */
export function payloadError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): FlowManagerError {
  const text = issues.map((i) => `${i.path.map(String).join('.') || '(payload)'}: ${i.message}`).join('; ');
  return new FlowManagerError('FM_INVALID_PAYLOAD', `invalid payload: ${text}`, {
    details: { issues: issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })) },
  });
}
