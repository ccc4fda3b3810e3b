import { EventEmitter } from 'node:events';
import { EngineError } from '../errors.js';
import { toEngineError } from './map-error.js';

/** Most informational (1xx) answers a call accepts before its real answer; no engine sends any. */
export const MAX_INFORMATIONAL_ANSWERS = 16;

/**
 * The signal undici watches for one operation. undici accepts an EventEmitter with `aborted`, `reason` and an
 * `'abort'` event in place of an AbortSignal; it costs a fraction of an AbortController, and every call makes one.
 */
export class OperationSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/**
 * One engine operation's cancellation: the caller's `AbortSignal` and the per-request timeout folded into a
 * single signal for undici, and any failure mapped to the `EngineError` that says which of them fired. `finish()`
 * removes the timer and the listener; it runs when the operation (including its body) ends.
 */
export class Operation {
  readonly signal = new OperationSignal();
  readonly #userSignal: AbortSignal | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #finished = false;
  #informational = 0;

  constructor(
    readonly what: string,
    private readonly timeoutMs: number,
    userSignal: AbortSignal | undefined,
  ) {
    this.#userSignal = userSignal;
    if (userSignal?.aborted) {
      throw new EngineError('ENGINE_ABORTED', `${what}: aborted before it started`, { cause: userSignal.reason });
    }
    userSignal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer = setTimeout(this.#onTimeout, timeoutMs);
  }

  readonly #onTimeout = (): void => {
    this.#timedOut = true;
    this.signal.abort(new EngineError('ENGINE_TIMEOUT', this.#timeoutMessage()));
  };

  /**
   * undici's `onInfo`: counts the 1xx answers before the real one. Past {@link MAX_INFORMATIONAL_ANSWERS} the call
   * fails with `ENGINE_BAD_RESPONSE` (an engine that sends them forever would otherwise hold it until its timeout).
   */
  readonly onInfo = (info: { statusCode: number }): void => {
    if (++this.#informational <= MAX_INFORMATIONAL_ANSWERS) return;
    const detail = `more than ${MAX_INFORMATIONAL_ANSWERS} informational (1xx) answers, the last ${info.statusCode}`;
    this.signal.abort(new EngineError('ENGINE_BAD_RESPONSE', `${this.what}: the engine sent invalid HTTP (${detail})`));
  };

  readonly #onAbort = (): void => {
    this.signal.abort(new EngineError('ENGINE_ABORTED', `${this.what}: aborted`, { cause: this.#userSignal?.reason }));
  };

  #timeoutMessage(): string {
    return `${this.what}: no answer within ${this.timeoutMs} ms (timeoutMs)`;
  }

  /** Stops the timeout (the response head arrived on a stream); the caller's signal still applies. */
  stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Ends the operation: no timer, no listener. Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.stopTimer();
    this.#userSignal?.removeEventListener('abort', this.#onAbort);
  }

  /** Maps any failure of this operation to an EngineError, preferring what actually happened (timeout, abort). */
  toError(err: unknown): EngineError {
    if (this.#timedOut) {
      return EngineError.is(err) && err.code === 'ENGINE_TIMEOUT' ? err : new EngineError('ENGINE_TIMEOUT', this.#timeoutMessage(), { cause: err });
    }
    if (this.#userSignal?.aborted && !EngineError.is(err)) {
      return new EngineError('ENGINE_ABORTED', `${this.what}: aborted`, { cause: this.#userSignal.reason });
    }
    return toEngineError(err, this.what);
  }
}
