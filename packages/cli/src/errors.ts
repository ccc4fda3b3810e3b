const BRAND = Symbol.for('pocketdock.CliError');

/** Every code a {@link CliError} can carry. Listed, with meanings, in the package README. */
export const CLI_ERROR_CODES = [
  'CLI_USAGE',
  'CLI_CONTAINER_STOPPED',
  'CLI_NOT_A_TTY',
  'CLI_INVALID_ARGUMENT',
  'CLI_FILE_EXISTS',
  'CLI_TOOLS_NOT_FOUND',
  'CLI_BUILD_FAILED',
  'CLI_UNKNOWN_PROFILE',
  'CLI_INVALID_ARCHIVE',
  'CLI_IO_FAILED',
] as const;

export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/**
 * An error of the command line itself (bad arguments, a stopped container, no terminal). Errors of the libraries
 * (`ContainerError`, `EngineError`, `FactoryError`) are printed with their own code.
 *
 * @example
 * throw new CliError('CLI_NOT_A_TTY', 'the input is not a terminal', 'drop -t, or run it from a terminal');
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly [BRAND] = true;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** What to do about it; printed after the message. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a CliError from any copy of this package. */
  static is(value: unknown): value is CliError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** The exit statuses of `pocketdock` itself (a `run` or `shell` otherwise exits with its command's status). */
export const EXIT = {
  ok: 0,
  /** `doctor`: a check failed. */
  checkFailed: 1,
  /** Bad usage: an unknown command or option, a missing argument. */
  usage: 2,
  /** `run --timeout` ran out (as coreutils `timeout`). */
  timeout: 124,
  /** An error of pocketdock's (engine, container, settings): the code is printed on stderr. */
  error: 125,
  /** Interrupted by SIGINT while waiting. */
  interrupted: 130,
} as const;
