import { EventEmitter } from 'node:events';
import type { EngineKind } from '@pocketdock/engine-socket';
import type { PoolError } from './errors.js';
import type { PoolEvents, PoolStats } from './pool-events.js';
import type { EngineState } from './engine-member.js';
import { reportPoolError } from './pool-emitter.js';

/** A pool event, with the name of the engine it happened on. */
type OnEngine<F> = F extends (info: infer I) => void ? (info: I & { engine: string }) => void : never;

/** The events of a pool over several engines: a pool's events (each with `engine`), and engines leaving and coming back. */
export interface MultiPoolEvents {
  /** From the engine's pool: `waitedMs` is the wait there (the pool's own `stats()` percentiles include the placement). */
  acquire: OnEngine<PoolEvents['acquire']>;
  release: OnEngine<PoolEvents['release']>;
  create: OnEngine<PoolEvents['create']>;
  destroy: OnEngine<PoolEvents['destroy']>;
  error: PoolEvents['error'];
  /** An engine stopped answering and was taken out: `leases` of its leases ended (`POOL_ENGINE_DOWN`). */
  'engine-down': (info: { engine: string; error: PoolError; leases: number }) => void;
  /** An engine joined (at start, `rejoined: false`) or came back (`rejoined: true`). */
  'engine-up': (info: { engine: string; address: string; rejoined: boolean }) => void;
}

/** One engine in {@link MultiPoolStats}: its state, where it is, its limits, and its pool's counters (0 while out). */
export interface EngineStats extends Omit<PoolStats, 'acquireP50Ms' | 'acquireP99Ms' | 'emptyAcquires' | 'timeouts'> {
  state: EngineState;
  /** engine-socket's address of it (while connected). */
  address: string | undefined;
  /** `'docker'` or `'podman'` (while connected). */
  kind: EngineKind | undefined;
  maxSize: number;
  /** Its share of the total `minIdle` now. */
  minIdle: number;
  /** Times it was taken out. */
  outages: number;
}

/** The counters of a pool over several engines: the totals over the engines in service, and each engine's own. */
export interface MultiPoolStats extends PoolStats {
  engines: Record<string, EngineStats>;
}

/**
 * The events of a pool over several engines, typed ({@link MultiPoolEvents}), and where its background failures go:
 * `onError`, the `error` event, and a process warning when nobody listens to either (as a pool's).
 */
export class MultiPoolEmitter extends EventEmitter {
  constructor(private readonly onError: ((err: Error) => void) | undefined) {
    super();
  }

  override on<E extends keyof MultiPoolEvents>(event: E, listener: MultiPoolEvents[E]): this {
    return super.on(event, listener);
  }

  override once<E extends keyof MultiPoolEvents>(event: E, listener: MultiPoolEvents[E]): this {
    return super.once(event, listener);
  }

  override off<E extends keyof MultiPoolEvents>(event: E, listener: MultiPoolEvents[E]): this {
    return super.off(event, listener);
  }

  /** @internal Reports a background failure. */
  protected report(err: PoolError): void {
    reportPoolError(this, this.onError, err);
  }
}
