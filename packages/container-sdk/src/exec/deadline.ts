/**
 * Arms what ends a run early: `timeoutMs` and an AbortSignal both call `onExpire` (once each may fire; the caller
 * makes its kill idempotent). `expired()` says whether either fired; `disarm()` clears the timer and the listener.
 */
export function armDeadline(timeoutMs: number | undefined, signal: AbortSignal | undefined, onExpire: () => void): { expired(): boolean; disarm(): void } {
  let fired = false;
  const expire = (): void => {
    fired = true;
    onExpire();
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(expire, timeoutMs);
  signal?.addEventListener('abort', expire, { once: true });
  if (signal?.aborted) expire();
  return {
    expired: () => fired,
    disarm: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', expire);
    },
  };
}
