import { EngineMember } from './engine-member.js';
import type { MemberHooks } from './engine-member.js';
import { PoolError } from './errors.js';
import { LatencyWindow } from './latency.js';
import type { Lease } from './lease.js';
import { EngineLeases } from './multi-lease.js';
import { parseMultiPoolOptions } from './multi-options.js';
import type { MultiPoolOptions, ResolvedMultiOptions } from './multi-options.js';
import { MultiPoolEmitter } from './multi-pool-events.js';
import type { EngineStats, MultiPoolStats } from './multi-pool-events.js';
import { idleShares } from './placement.js';
import type { EngineLoad, PlacementNeed } from './placement.js';
import type { AcquireOptions } from './pool-events.js';
import { WaitQueue } from './wait-queue.js';

interface Placement {
  member: EngineMember;
  need: PlacementNeed;
}

/** Codes of an engine's acquire that another engine may serve instead: its create failed, or its pool was taken down. */
const RETRY_ELSEWHERE = new Set(['POOL_CREATE_FAILED', 'POOL_SHUTDOWN', 'POOL_ENGINE_ERROR']);

/**
 * One pool over several engines (Docker, Podman, local or remote): each engine has its own {@link Pool}; this one
 * places each acquire by its placement policy (least loaded by default), keeps `maxSize` and `minIdle` as totals
 * (and per engine), takes an engine that stops answering out of service (its leases end with `POOL_ENGINE_DOWN`,
 * its share of `minIdle` goes to the others) and brings it back when it answers again. Its leases are the same
 * {@link Lease}s as a single pool's. Build one with `createPool({ engines: [...] })`.
 */
export class MultiEnginePool extends MultiPoolEmitter implements AsyncDisposable {
  readonly #opts: ResolvedMultiOptions;
  readonly #members: EngineMember[];
  readonly #leases: EngineLeases;
  readonly #waiters = new WaitQueue<Placement>();
  readonly #latency = new LatencyWindow();
  #shares: number[];
  #emptyAcquires = 0;
  #timeouts = 0;
  #dispatchQueued = false;
  #closing: Promise<void> | undefined;
  #started = false;

  /** @internal Use `createPool({ engines })`. */
  constructor(opts: ResolvedMultiOptions) {
    super(opts.onError);
    this.#opts = opts;
    this.#leases = new EngineLeases(opts.name);
    const hooks: MemberHooks = {
      up: (m, rejoined) => this.#up(m, rejoined),
      down: (m, err) => this.#down(m, err),
      event: (m, event, info) => {
        this.emit(event, { ...info, engine: m.name }); // acquire: `waitedMs` is the wait in that engine's pool
        this.#queueDispatch();
      },
      report: (err) => this.report(err),
      room: () => this.#room(),
      poolOptions: (m) => ({ ...opts.pool, name: m.poolName(opts.name), maxSize: m.spec.maxSize, maxIdle: m.spec.maxIdle, minIdle: this.#shares[m.index] ?? 0 }),
    };
    const timing = { ...opts, maxBackoffMs: opts.maxBackoffMs };
    this.#members = opts.engines.map((e, i) => new EngineMember(e, i, timing, hooks));
    this.#shares = this.#computeShares(true);
  }

  get name(): string {
    return this.#opts.name;
  }

  /** The engines' names, in `engines` order. */
  get engines(): string[] {
    return this.#members.map((m) => m.name);
  }

  /** @internal Connects every engine; fails only when none answers (the others are reconnected with backoff). */
  async start(): Promise<void> {
    try {
      await Promise.all(this.#members.map((m) => m.start()));
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    this.#started = true;
    if (this.#members.some((m) => m.state === 'up')) return this.#rebalance();
    const detail = this.#members.map((m) => `${m.name}: ${m.lastError?.message ?? 'no answer'}`).join('; ');
    await this.shutdown();
    throw new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: no engine answered (${detail})`, { cause: new AggregateError(this.#members.map((m) => m.lastError)) });
  }

  /**
   * Lends a container from one of the engines: an idle one where the policy picks among those that have one, else a
   * new one where it picks among those with room, else waits (strict FIFO) for the next. Errors as a pool's
   * `acquire`; a create that failed on one engine is tried on another first.
   *
   * @example
   * await using lease = await pool.acquire({ timeoutMs: 5000 });
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    if (this.#closing) throw new PoolError('POOL_SHUTDOWN', `pool ${this.name} is shutting down: no new acquires`);
    const { signal } = options;
    if (signal?.aborted) throw new PoolError('POOL_ACQUIRE_ABORTED', `acquire from pool ${this.name} was aborted`, { cause: signal.reason });
    const t0 = performance.now();
    const timeoutMs = options.timeoutMs ?? this.#opts.acquireTimeoutMs;
    let last: PoolError | undefined;
    for (let attempt = 0; attempt <= this.#members.length; attempt++) {
      const now = this.#waiters.length === 0 ? this.#place() : undefined;
      const placed = now ?? (await this.#wait(t0, timeoutMs, signal, attempt === 0));
      if (attempt === 0 && (!now || placed.need === 'create')) this.#emptyAcquires++;
      const pool = placed.member.pool;
      if (!pool) continue; // taken out between the placement and now
      const leftMs = Math.max(1, Math.ceil(t0 + timeoutMs - performance.now()));
      try {
        const inner = await pool.acquire({ timeoutMs: leftMs, ...(signal ? { signal } : {}) });
        if (placed.member.pool !== pool) continue; // its engine went away meanwhile: the lease was revoked
        this.#latency.add(performance.now() - t0);
        // No `acquire` event of its own: the engine's pool sent one (passed on with `engine`); reading
        // inner.container here would count as the lease touching its container.
        return this.#leases.wrap(placed.member, inner);
      } catch (err) {
        if (this.#closing || !PoolError.is(err) || !RETRY_ELSEWHERE.has(err.code)) throw err;
        last = err;
        const again = (): void => this.#queueDispatch(); // the engine cleared (or taken out): serve waiters
        void placed.member.check().then(again, again);
      }
    }
    throw last ?? new PoolError('POOL_CREATE_FAILED', `pool ${this.name}: the engines chosen for this acquire went out of service one after another; retry`);
  }

  /** What `lease.release()` does. A lease not out from this pool -> `POOL_INVALID_RELEASE`; one whose engine was taken out: a no-op. */
  release(lease: Lease): Promise<void> {
    return this.#leases.release(lease);
  }

  /** The totals over the engines in service, and each engine's counters (`engines`, by name). */
  stats(): MultiPoolStats {
    const engines: Record<string, EngineStats> = {};
    const sum = { idle: 0, leased: 0, waiting: this.#waiters.length, creating: 0, checking: 0, removing: 0, created: 0, destroyed: 0 };
    for (const m of this.#members) {
      const s = m.stats();
      const counts = { idle: s?.idle ?? 0, leased: s?.leased ?? 0, waiting: s?.waiting ?? 0, creating: s?.creating ?? 0, checking: s?.checking ?? 0, removing: s?.removing ?? 0, created: s?.created ?? 0, destroyed: s?.destroyed ?? 0 };
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) sum[k] += counts[k];
      engines[m.name] = { ...counts, state: m.state, address: m.address, kind: m.kind, maxSize: m.spec.maxSize, minIdle: this.#shares[m.index] ?? 0, outages: m.outages };
    }
    const window = { acquireP50Ms: this.#latency.percentile(50), acquireP99Ms: this.#latency.percentile(99), emptyAcquires: this.#emptyAcquires, timeouts: this.#timeouts };
    return { ...sum, ...window, engines };
  }

  /** Shuts every engine's pool down (as a pool's `shutdown`, `signal` for all), waiters get `POOL_SHUTDOWN`. Idempotent. */
  shutdown(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closing ??= (async () => {
      this.#waiters.failAll(new PoolError('POOL_SHUTDOWN', `pool ${this.name} is shutting down`));
      await Promise.all(
        this.#members.map(async (m) => {
          await m.shutdown(options.signal);
          this.#leases.revokeAll(m); // what a forced shutdown took from their holders
        }),
      );
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** Places left under the total `maxSize` (engines in service only). */
  #room(): number {
    return this.#opts.maxSize - this.#members.reduce((sum, m) => sum + m.total(), 0);
  }

  /** Containers counted against the total on engines that are not candidates (joining, or under suspicion). */
  #outside(loads: readonly EngineLoad[]): number {
    let n = 0;
    for (const m of this.#members) if (!loads.some((l) => l.index === m.index)) n += m.total();
    return n;
  }

  #load(m: EngineMember): EngineLoad & { waiting: number } {
    const s = m.counts()!;
    const total = s.idle + s.leased + s.creating + s.checking + s.removing + m.reservedCreate;
    return { engine: m.name, index: m.index, idle: s.idle - m.reservedIdle, busy: s.leased + s.creating + s.checking + m.reservedCreate, total, maxSize: m.spec.maxSize, waiting: s.waiting };
  }

  /** Where the next lease comes from, by the policy: an engine with an idle container, else one with room; undefined: wait. */
  #place(): Placement | undefined {
    const loads = this.#members.filter((m) => m.available).map((m) => this.#load(m));
    const pick = (candidates: EngineLoad[], need: PlacementNeed): Placement | undefined => {
      if (candidates.length === 0) return undefined;
      const chosen = this.#opts.placement.choose(candidates, need);
      const member = chosen && candidates.includes(chosen) ? this.#members[chosen.index] : undefined;
      return member ? { member, need } : undefined;
    };
    const idle = loads.filter((l) => l.idle > 0 && l.waiting === 0);
    if (idle.length > 0) return pick(idle, 'idle');
    const room = this.#opts.maxSize - loads.reduce((sum, l) => sum + l.total, 0) - this.#outside(loads);
    return room > 0 ? pick(loads.filter((l) => l.total < l.maxSize), 'create') : undefined;
  }

  /** Waits in the FIFO queue for a placement; the placement is reserved until the waiter calls the engine's pool. */
  async #wait(t0: number, timeoutMs: number, signal: AbortSignal | undefined, first: boolean): Promise<Placement> {
    if (first && this.#waiters.length >= this.#opts.maxWaiting) {
      throw new PoolError('POOL_EXHAUSTED', `pool ${this.name}: ${this.#waiters.length} callers already wait (maxWaiting); retry later or raise maxSize`);
    }
    const placed = await this.#waiters.wait({
      timeoutMs: Math.max(1, t0 + timeoutMs - performance.now()),
      signal,
      onTimeout: () => {
        this.#timeouts++;
        return new PoolError('POOL_ACQUIRE_TIMEOUT', `no container from pool ${this.name} within ${timeoutMs} ms (maxSize ${this.#opts.maxSize} all in use, or no engine in service)`);
      },
      onAbort: (reason) => new PoolError('POOL_ACQUIRE_ABORTED', `acquire from pool ${this.name} was aborted`, { cause: reason }),
    });
    if (placed.need === 'idle') placed.member.reservedIdle--;
    else placed.member.reservedCreate--;
    return placed;
  }

  #queueDispatch(): void {
    if (this.#dispatchQueued) return;
    this.#dispatchQueued = true;
    // After the event that asked for it: a released container becomes idle right after its pool's `release` event.
    queueMicrotask(() => {
      this.#dispatchQueued = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (!this.#closing && this.#waiters.length > 0) {
      const placed = this.#place();
      if (!placed) break;
      if (placed.need === 'idle') placed.member.reservedIdle++;
      else placed.member.reservedCreate++;
      this.#waiters.deliver(placed);
    }
  }

  #computeShares(initial = false): number[] {
    const engines = this.#members.map((m) => ({ minIdle: m.spec.minIdle, cap: Math.min(m.spec.maxIdle, m.spec.maxSize), up: initial || m.state === 'up' }));
    return idleShares(engines, this.#opts.minIdle);
  }

  /** Engines joined or left: each one's share of `minIdle` anew, and the room under the total `maxSize`. */
  #rebalance(): void {
    this.#shares = this.#computeShares();
    for (const m of this.#members) m.setLimits(this.#shares[m.index] ?? 0, () => this.#room());
    this.#queueDispatch();
  }

  #up(member: EngineMember, rejoined: boolean): void {
    this.emit('engine-up', { engine: member.name, address: member.address ?? '', rejoined });
    if (this.#started) this.#rebalance(); // at start: once all engines answered or not
  }

  #down(member: EngineMember, err: PoolError): void {
    const leases = this.#leases.endAll(member, err);
    this.report(err);
    this.emit('engine-down', { engine: member.name, error: err, leases });
    this.#rebalance();
  }
}

/** Builds and starts a pool over several engines (what `createPool` does when given `engines`). */
export async function createMultiEnginePool(options: MultiPoolOptions): Promise<MultiEnginePool> {
  const pool = new MultiEnginePool(parseMultiPoolOptions(options));
  await pool.start();
  return pool;
}
