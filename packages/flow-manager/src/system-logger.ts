import { pino } from 'pino';
import type { DestinationStream, Logger, LevelWithSilent } from 'pino';

/** Structured JSON logs of the service (pino). */
export type SystemLogger = Logger;

/** Fields never written, wherever they appear: environment values and credentials. */
export const REDACTED_PATHS = ['environment', '*.environment', 'env', '*.env', 'token', '*.token', 'auth', '*.auth', 'headers.authorization', '*.headers.authorization'];

/**
 * A pino logger writing JSON lines to `destination` (stderr by default, so stdout stays for the service's one
 * "listening on" line), with {@link REDACTED_PATHS} censored.
 *
 * @example
 * const log = createSystemLogger({ level: 'debug' });
 * log.info({ container_id: id }, 'container created');
 */
export function createSystemLogger(options: { level?: LevelWithSilent; destination?: DestinationStream } = {}): SystemLogger {
  return pino(
    {
      name: 'flow-manager',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
