import { FlowManagerError } from './errors.js';

/** Shortest id prefix accepted for a container. */
export const MIN_ID_PREFIX = 12;

/**
 * The record `ref` names: an exact id, then an exact name, then the one id that starts with `ref` (12+ characters).
 * A name never loses to another container's id prefix; a prefix of several ids is `FM_AMBIGUOUS_ID`; nothing is
 * `FM_CONTAINER_NOT_FOUND`.
 */
export function resolveRef<R extends { id: string; name: string }>(records: ReadonlyMap<string, R>, ref: string): R {
  const exact = records.get(ref);
  if (exact) return exact;
  const matches: R[] = [];
  for (const r of records.values()) {
    if (r.name === ref) return r;
    if (ref.length >= MIN_ID_PREFIX && r.id.startsWith(ref)) matches.push(r);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new FlowManagerError('FM_AMBIGUOUS_ID', `${ref} is the start of ${matches.length} container ids: give more of the id, or the name`, {
      details: { container_id: ref, matches: matches.map((r) => r.id) },
    });
  }
  throw new FlowManagerError('FM_CONTAINER_NOT_FOUND', `no container ${ref} is managed by this flow-manager`, { details: { container_id: ref } });
}
