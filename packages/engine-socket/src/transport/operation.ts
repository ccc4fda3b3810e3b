import { EngineError } from '../errors.js';
import { toEngineError } from './map-error.js';

/** Most informational (1xx) answers a call accepts before its real answer; no engine sends any. */
export const MAX_INFORMATIONAL_ANSWERS = 16;

type Listener = () => void;

/**
 * The signal undici watches for one operation. undici takes, in place of an AbortSignal, any object with `aborted`,
 * `reason` and EventEmitter-style `on`/`once`/`removeListener` for `'abort'` (it adds one listener per request, and
 * removes it when the body closes). Every call makes one, so this is the least that contract needs: no
 * EventEmitter (its constructor and `once` wrapper cost ~40x this on this machine), one slot for the usual single
 * listener. A listener runs once, at the abort; one added after it never runs (undici checks `aborted` first).
 */
export class OperationSignal {
  aborted = false;
  reason: unknown = undefined;
  #first: Listener | undefined;
  #more: Listener[] | undefined;

  on(_event: 'abort', listener: Listener): this {
    if (this.#first === undefined) this.#first = listener;
    else (this.#more ??= []).push(listener);
    return this;
  }

  once(event: 'abort', listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: Listener): this {
    if (this.#first === listener) {
      this.#first = this.#more?.shift();
    } else if (this.#more !== undefined) {
      const at = this.#more.indexOf(listener);
      if (at !== -1) this.#more.splice(at, 1);
    }
    return this;
  }

  off(event: 'abort', listener: Listener): this {
    return this.removeListener(event, listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.#first;
    const more = this.#more;
    this.#first = undefined;
    this.#more = undefined;
    first?.();
    if (more !== undefined) for (const listener of more) listener();
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
