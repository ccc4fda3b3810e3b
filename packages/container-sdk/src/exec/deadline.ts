import { TIMEOUT_EXIT_CODE } from '../exec-types.js';
import type { ExecResult } from '../exec-types.js';

/** What bounds the engine calls that create and start an exec (see `ExecHandle.start`). */
export interface StartBound {
  /** Aborts the calls still under way. */
  signal?: AbortSignal | undefined;
  /** The calls' own timeout (instead of the client's default, 30 s). */
  timeoutMs?: number | undefined;
}

export interface Deadline {
  /** Whether the timeout or the signal fired. */
  expired(): boolean;
  /** Clears the timer and the listener. */
  disarm(): void;
  /** Milliseconds since the deadline was armed. */
  elapsedMs(): number;
  /**
   * The bound for starting the command: aborted when the deadline fires, so creating the exec counts against the
   * run's `timeoutMs` (and never fails on the engine client's shorter default while the run had time left).
   */
  startBound(): StartBound | undefined;
}

/** setTimeout's ceiling. */
const MAX_DELAY_MS = 2_147_483_647;
/** The engine calls' own timeout is a little longer than the deadline, so the deadline (not the call) says "timed out". */
const MARGIN_MS = 1_000;

/**
 * Arms what ends a run early: `timeoutMs` and an AbortSignal both call `onExpire` (once each may fire; the caller
 * makes its kill idempotent). Armed when the run is called: the time to create and start the exec counts.
 */
export function armDeadline(timeoutMs: number | undefined, signal: AbortSignal | undefined, onExpire: () => void): Deadline {
  const armedAt = performance.now();
  const starting = new AbortController();
  let fired = false;
  const expire = (): void => {
    fired = true;
    starting.abort();
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
    elapsedMs: () => performance.now() - armedAt,
    startBound: () => {
      if (timeoutMs === undefined && signal === undefined) return undefined;
      const left = timeoutMs === undefined ? undefined : Math.max(1, Math.ceil(timeoutMs - (performance.now() - armedAt)));
      return { signal: starting.signal, ...(left === undefined ? {} : { timeoutMs: Math.min(left + MARGIN_MS, MAX_DELAY_MS) }) };
    },
  };
}

/** The result of a run whose deadline (or signal) fired before its exec had started: nothing ran, nothing to kill. */
export function neverStarted(deadline: Deadline): ExecResult {
  return { exitCode: TIMEOUT_EXIT_CODE, stdout: '', stderr: '', durationMs: deadline.elapsedMs(), timedOut: true, truncated: false, ok: false };
}
