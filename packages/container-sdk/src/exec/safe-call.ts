/**
 * Calls a user callback; an exception in it never breaks the stream or the other callbacks. It is reported as a
 * process warning (`process.on('warning')`, type `PocketdockCallbackError`), the Node way for a library to surface
 * a problem it cannot throw. safeCall itself never throws.
 */
export function safeCall<A extends unknown[]>(
  report: ((err: unknown) => void) | undefined,
  fn: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (!fn) return;
  const onError = (err: unknown): void => {
    try {
      (report ?? warnCallbackError)(err);
    } catch {
      // A broken reporter must not break the caller either.
    }
  };
  try {
    const out = fn(...args);
    if (out instanceof Promise) out.catch(onError);
  } catch (err) {
    onError(err);
  }
}

/** The default report of a callback's exception: a process warning of type `PocketdockCallbackError`. */
export function warnCallbackError(err: unknown): void {
  // A string, not the Error itself: an Error from another realm (a Jest sandbox, a vm context) is refused by
  // emitWarning with ERR_INVALID_ARG_TYPE, which would escape into the stream that called us.
  const message = err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err) ? String((err as Error).message) : String(err);
  try {
    process.emitWarning(message, { type: 'PocketdockCallbackError', code: 'CONTAINER_CALLBACK_THREW', detail: (err as Error)?.stack });
  } catch {
    // Never let reporting break the caller.
  }
}
