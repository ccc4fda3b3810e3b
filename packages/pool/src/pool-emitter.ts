import { EventEmitter } from 'node:events';
import type { PoolError } from './errors.js';
import type { PoolEvents } from './pool-events.js';

/**
 * The pool's events, typed ({@link PoolEvents}), and where its background failures go: `onError`, the `error`
 * event, and a process warning when nobody listens to either (never an unhandled `error` event).
 */
export class PoolEmitter extends EventEmitter {
  constructor(private readonly onError: ((err: Error) => void) | undefined) {
    super();
  }

  override on<E extends keyof PoolEvents>(event: E, listener: PoolEvents[E]): this {
    return super.on(event, listener);
  }

  override once<E extends keyof PoolEvents>(event: E, listener: PoolEvents[E]): this {
    return super.once(event, listener);
  }

  override off<E extends keyof PoolEvents>(event: E, listener: PoolEvents[E]): this {
    return super.off(event, listener);
  }

  /** @internal Reports a background failure. */
  protected report(err: PoolError): void {
    reportPoolError(this, this.onError, err);
  }
}

/**
 * Where a pool's background failure goes: `onError`, then the `error` event if anyone listens, else (when there was
 * no `onError` either) a process warning. Shared by {@link PoolEmitter} and the multi-engine pool's emitter.
 */
export function reportPoolError(emitter: EventEmitter, onError: ((err: Error) => void) | undefined, err: PoolError): void {
  try {
    onError?.(err);
  } catch {
    // A throwing onError must not break the pool.
  }
  if (emitter.listenerCount('error') > 0) emitter.emit('error', err);
  else if (!onError) process.emitWarning(err.message, { type: 'PocketdockPoolError', code: err.code });
}
