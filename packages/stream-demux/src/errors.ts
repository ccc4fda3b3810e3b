const BRAND = Symbol.for('pocketdock.DemuxError');

/** Every code a {@link DemuxError} can carry. Listed, with meanings, in the package README. */
export const DEMUX_ERROR_CODES = [
  'DEMUX_BAD_HEADER',
  'DEMUX_TRUNCATED',
  'DEMUX_FRAME_TOO_LARGE',
  'DEMUX_INVALID_OPTIONS',
  'DEMUX_ABORTED',
  'DEMUX_SINK_CLOSED',
] as const;

export type DemuxErrorCode = (typeof DEMUX_ERROR_CODES)[number];

/**
 * The error every stream-demux failure is reported with. Branch on `code`, never on the message.
 *
 * @example
 * decoder.on('error', (err) => { if (DemuxError.is(err) && err.code === 'DEMUX_TRUNCATED') retry(); });
 */
export class DemuxError extends Error {
  override readonly name = 'DemuxError';
  readonly [BRAND] = true;

  constructor(
    readonly code: DemuxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True for a DemuxError from any copy of this package (works across duplicated installs and Jest realms). */
  static is(value: unknown): value is DemuxError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
