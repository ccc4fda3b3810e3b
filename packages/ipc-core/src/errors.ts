const BRAND = Symbol.for('pocketdock.SocketError');

/** Every code a {@link SocketError} can carry, across ipc-core and its transports. Listed in the README. */
export const IPC_ERROR_CODES = [
  'IPC_INVALID_OPTIONS',
  'IPC_INVALID_EVENT_NAME',
  'IPC_INVALID_MESSAGE',
  'IPC_BAD_FRAME',
  'IPC_FRAME_TOO_LARGE',
  'IPC_TRUNCATED_FRAME',
  'IPC_MAX_CONNECTIONS',
  'IPC_UNKNOWN_CLIENT',
  'IPC_CLIENT_SEND_NOT_ALLOWED',
  'IPC_SLOW_CONSUMER',
  'IPC_SEND_BUFFER_FULL',
  'IPC_NOT_RUNNING',
  'IPC_ALREADY_RUNNING',
  'IPC_NOT_CONNECTED',
  'IPC_CONNECTION_FAILED',
  'IPC_CONNECTION_LOST',
  'IPC_RECONNECT_FAILED',
  'IPC_TIMEOUT',
  'IPC_ABORTED',
  'IPC_ADDRESS_IN_USE',
  'IPC_PATH_TRAVERSAL',
  'IPC_PATH_TOO_LONG',
  'IPC_INSECURE_SOCKET_DIR',
  'IPC_SOCKET_OWNER_MISMATCH',
  'IPC_NO_FREE_PORT',
  'IPC_COMMAND_TOO_LARGE',
  'IPC_COMMAND_FAILED',
  'IPC_REPLY_TOO_LARGE',
] as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

/**
 * The base of every ipc failure. Branch on `code`, never on the message; the subclasses
 * ({@link ConnectionError}, {@link MessageError}, {@link ValidationError}, {@link TimeoutError},
 * {@link MaxConnectionsError}) only group the codes.
 *
 * @example
 * client.on('error', (err) => { if (SocketError.is(err) && err.code === 'IPC_RECONNECT_FAILED') exit(1); });
 */
export class SocketError extends Error {
  override readonly name: string = 'SocketError';
  readonly [BRAND] = true;

  constructor(
    readonly code: IpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a SocketError (any subclass) from any copy of this package (duplicated installs, Jest realms). */
  static is(value: unknown): value is SocketError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

function isNamed(value: unknown, name: string): boolean {
  return SocketError.is(value) && value.name === name;
}

/** Connecting, listening, or a connection that went away: `IPC_CONNECTION_*`, `IPC_ADDRESS_IN_USE`, ... */
export class ConnectionError extends SocketError {
  override readonly name: string = 'ConnectionError';
  static override is(value: unknown): value is ConnectionError {
    return isNamed(value, 'ConnectionError');
  }
}

/** A frame or message that cannot be carried: bad bytes, too large, a full buffer. */
export class MessageError extends SocketError {
  override readonly name: string = 'MessageError';
  static override is(value: unknown): value is MessageError {
    return isNamed(value, 'MessageError');
  }
}

/** Input that fails a schema: options, event names, decoded messages. `cause` is the ZodError when there is one. */
export class ValidationError extends SocketError {
  override readonly name: string = 'ValidationError';
  static override is(value: unknown): value is ValidationError {
    return isNamed(value, 'ValidationError');
  }
}

/** An operation that waited longer than its `timeoutMs`. */
export class TimeoutError extends SocketError {
  override readonly name: string = 'TimeoutError';
  static override is(value: unknown): value is TimeoutError {
    return isNamed(value, 'TimeoutError');
  }
}

/** The server refused this client: it already serves `maxConnections`. */
export class MaxConnectionsError extends SocketError {
  override readonly name: string = 'MaxConnectionsError';
  static override is(value: unknown): value is MaxConnectionsError {
    return isNamed(value, 'MaxConnectionsError');
  }
}
