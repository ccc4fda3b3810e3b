import { SocketError, TimeoutError } from './errors.js';

/** How long an operation may wait: `timeoutMs` (default: as long as it takes) and an AbortSignal. */
export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * `promise`, or `IPC_TIMEOUT` after `timeoutMs`, or `IPC_ABORTED` when `signal` fires; the timer and the listener
 * are removed whichever comes first. `what` names the operation in the error message.
 */
export function waitWithin<T>(promise: Promise<T>, options: WaitOptions, what: string): Promise<T> {
  const { timeoutMs = Infinity, signal } = options;
  if (signal?.aborted) return Promise.reject(new SocketError('IPC_ABORTED', `${what} was aborted`, { cause: signal.reason }));
  if (!Number.isFinite(timeoutMs) && signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => finish(() => reject(new SocketError('IPC_ABORTED', `${what} was aborted`, { cause: signal?.reason })));
    const finish = (then: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      then();
    };
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => finish(() => reject(new TimeoutError('IPC_TIMEOUT', `${what} took longer than ${timeoutMs} ms`))), timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (err: Error) => finish(() => reject(err)),
    );
  });
}
