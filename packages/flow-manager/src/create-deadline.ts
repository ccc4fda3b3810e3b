import { FlowManagerError } from './errors.js';

/** What a request's deadline watches: the requesting client going away. */
interface Requester {
  once(event: 'disconnect', listener: () => void): unknown;
}

/** The requests under way per requester: one `disconnect` listener each, however many creates it has going. */
const underWay = new WeakMap<Requester, Set<() => void>>();

function onGone(requester: Requester, gone: () => void): () => void {
  let set = underWay.get(requester);
  if (set === undefined) {
    const fresh = new Set<() => void>();
    set = fresh;
    underWay.set(requester, fresh);
    requester.once('disconnect', () => {
      underWay.delete(requester);
      for (const fn of [...fresh]) fn();
    });
  }
  set.add(gone);
  const mine = set;
  return () => void mine.delete(gone);
}

/**
 * Runs `fn` with a signal that aborts when the requester disconnects or `timeoutMs` (its own deadline) passes,
 * with `FM_CREATE_TIMEOUT`: a create nobody waits for any more is undone instead of leaving a container behind.
 */
export async function withRequesterDeadline<T>(requester: Requester, timeoutMs: number | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const forget = onGone(requester, () => abort.abort(new FlowManagerError('FM_CREATE_TIMEOUT', 'create_container: the client disconnected before the container was ready; it was removed again')));
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => abort.abort(new FlowManagerError('FM_CREATE_TIMEOUT', `create_container: not ready within the client's timeout_ms (${timeoutMs} ms); the container was removed again`, { details: { timeout_ms: timeoutMs } })),
          timeoutMs,
        );
  try {
    return await fn(abort.signal);
  } finally {
    clearTimeout(timer);
    forget();
  }
}
