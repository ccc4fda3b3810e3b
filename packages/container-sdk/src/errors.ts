const BRAND = Symbol.for('pocketdock.ContainerError');

/** Every code a {@link ContainerError} can carry. Listed, with meanings, in the package README. */
export const CONTAINER_ERROR_CODES = [
  'CONTAINER_INVALID_OPTIONS',
  'CONTAINER_INVALID_USER',
  'CONTAINER_NAME_CONFLICT',
  'CONTAINER_NOT_FOUND',
  'CONTAINER_NOT_RUNNING',
  'CONTAINER_NOT_MANAGED',
  'CONTAINER_SHUT_DOWN',
  'CONTAINER_ENGINE_ERROR',
  'CONTAINER_WAIT_TIMEOUT',
  'CONTAINER_ABORTED',
  'CONTAINER_EXPIRED',
  'CONTAINER_PAUSED',
  'SNAPSHOT_IN_USE',
  'PROCESS_NOT_FOUND',
  'PROCESS_LOST',
  'PROCESS_RUNNING',
  'IMAGE_NOT_FOUND',
  'IMAGE_INVALID',
  'FILE_NOT_FOUND',
  'FILE_IS_DIRECTORY',
  'FILE_NOT_A_DIRECTORY',
  'FILE_INVALID_PATH',
  'FILE_UNSAFE_ARCHIVE',
  'FILE_INVALID_ARCHIVE',
  'FILE_TOO_LARGE',
  'FILE_SIZE_MISMATCH',
  'FILE_SOURCE_FAILED',
  'FILE_WRITE_FAILED',
  'SESSION_CLOSED',
  'SESSION_PROTOCOL_ERROR',
] as const;

export type ContainerErrorCode = (typeof CONTAINER_ERROR_CODES)[number];

/**
 * The error every container-sdk failure is reported with. Branch on `code`, never on the message. Engine failures
 * that mean something here (a missing or stopped container) get their own code, the rest
 * `CONTAINER_ENGINE_ERROR`, with the engine-socket error as `cause`.
 *
 * @example
 * try {
 *   await c.run('true');
 * } catch (err) {
 *   if (!ContainerError.is(err) || err.code !== 'CONTAINER_NOT_RUNNING') throw err;
 *   c = await resumeContainer(c.name); // a stopped managed container, started again (files kept)
 * }
 */
export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  readonly [BRAND] = true;

  constructor(
    readonly code: ContainerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a ContainerError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is ContainerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
