import { CliError, EXIT } from './errors.js';
import type { Output } from './output.js';

/** What to do, by error code, when the error itself carries no hint. */
const HINTS: Record<string, string> = {
  ENGINE_NOT_FOUND: 'start Docker or Podman, or pass --socket <path>; `pocketdock engines` shows what was tried',
  ENGINE_CONNECT_FAILED: 'is the engine running? `pocketdock engines` shows what answers',
  CONTAINER_ENGINE_ERROR: 'is the engine running? `pocketdock engines` shows what answers',
  CONTAINER_NOT_FOUND: '`pocketdock list` shows the containers pocketdock manages',
  CONTAINER_NOT_MANAGED: 'pocketdock only touches containers it created (label pocketdock.managed=true)',
  CONTAINER_NAME_CONFLICT: 'choose another --name, or `pocketdock shutdown <name>` first',
  IMAGE_NOT_FOUND: 'import or build the image first (no registry is used by default)',
  IMAGE_INVALID: 'image references are lower case: repo[:tag]',
  FACTORY_INVALID_SETTINGS: 'fix each setting named above, in the layer named with it; then `pocketdock config` shows them all',
  CLI_USAGE: 'add --help to the command for its usage and an example',
};

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'CLI_INTERNAL';
}

/**
 * Prints an error on stderr as `pocketdock: error CODE: message` and a `hint:` line, and returns the exit status:
 * 2 for usage errors, 125 for every other error of ours.
 */
export function reportError(err: unknown, out: Output): number {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const hint = (CliError.is(err) ? err.hint : undefined) ?? HINTS[code];
  const head = out.paint('red', `pocketdock: error ${code}:`, out.stderr);
  out.stderr.write(`${head} ${message}\n`);
  if (hint) out.stderr.write(`  hint: ${hint}\n`);
  if (out.verboseOn && err instanceof Error) {
    let cause: unknown = err.cause;
    while (cause instanceof Error) {
      out.stderr.write(`  cause: ${codeOf(cause)}: ${cause.message}\n`);
      cause = cause.cause;
    }
  }
  return code === 'CLI_USAGE' || code === 'CLI_INVALID_ARGUMENT' ? EXIT.usage : EXIT.error;
}
