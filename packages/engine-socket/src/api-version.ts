import { EngineError } from './errors.js';

/** The newest Docker Engine API version this package speaks (Docker 20.10; Podman 4's compat API). */
export const MAX_API_VERSION = '1.41';
/** The oldest engine API version this package accepts (Docker 19.03). */
export const MIN_API_VERSION = '1.40';

function parse(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Orders two `major.minor` API versions: negative, zero or positive. Unparsable versions throw. */
export function compareApiVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) throw new TypeError(`not an API version: ${pa ? b : a}`);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/**
 * The API version to speak: the lower of what we support and what the engine announces (its `API-Version`).
 * An engine older than {@link MIN_API_VERSION} is refused with `ENGINE_UNSUPPORTED_VERSION`.
 *
 * @example
 * negotiateApiVersion('1.43'); // '1.41'
 * negotiateApiVersion('1.40'); // '1.40'
 */
export function negotiateApiVersion(
  engineVersion: string | undefined,
  supported: { min: string; max: string } = { min: MIN_API_VERSION, max: MAX_API_VERSION },
): string {
  if (engineVersion === undefined || parse(engineVersion) === undefined) {
    throw new EngineError(
      'ENGINE_BAD_RESPONSE',
      `the engine announced no usable API version (API-Version: ${String(engineVersion)})`,
    );
  }
  const version = engineVersion.trim().replace(/^v/, '');
  if (compareApiVersions(version, supported.min) < 0) {
    throw new EngineError(
      'ENGINE_UNSUPPORTED_VERSION',
      `the engine speaks API ${version}, older than the oldest supported (${supported.min}); upgrade Docker or Podman`,
    );
  }
  return compareApiVersions(version, supported.max) < 0 ? version : supported.max;
}
