import { ContainerError } from './errors.js';

// The reference grammar both engines parse (github.com/distribution/reference): [domain[:port]/]path[:tag][@digest],
// path components lowercase; a first component is a domain only with a '.' or a port, or as `localhost` (else
// `UPPER/x` would pass as a registry; both engines refuse it). Checked here so a malformed one is IMAGE_INVALID on
// both engines, before any engine call.
const alnum = '[a-z0-9]+';
const component = `${alnum}(?:(?:[._]|__|-+)${alnum})*`;
const domainPart = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:localhost(?::[0-9]+)?|${domainPart}(?:\\.${domainPart})+(?::[0-9]+)?|${domainPart}:[0-9]+|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(?:${domain}/)?${component}(?:/${component})*(?::${tag})?(?:@${digest})?$`);
const MAX_NAME = 255;

/** True when `ref` is a well-formed image reference (`busybox`, `repo/name:tag`, `host:5000/x@sha256:...`, an image id). */
export function isImageRef(ref: unknown): ref is string {
  if (typeof ref !== 'string' || !REFERENCE.test(ref)) return false;
  const name = ref.replace(/@.*$/, '').replace(/:[\w][\w.-]*$/, '');
  return name.length <= MAX_NAME;
}

/** Throws `IMAGE_INVALID` (naming `what`) unless `ref` is a well-formed image reference. */
export function assertImageRef(ref: unknown, what: string): asserts ref is string {
  if (!isImageRef(ref)) {
    throw new ContainerError('IMAGE_INVALID', `${what}: not an image reference: ${JSON.stringify(ref)} (expected e.g. "name", "repo/name:tag", "registry:5000/name@sha256:...", lowercase)`);
  }
}

/** 'repo/name:tag' -> { repo, tag }; a ':' before the last '/' is a registry port, not a tag. Malformed -> `IMAGE_INVALID`. */
export function splitRef(ref: string): { repo: string; tag: string } {
  assertImageRef(ref, 'image reference');
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
