import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { IdleList } from './idle-list.js';
import { POOL_LABELS } from './labels.js';
import { LatencyWindow } from './latency.js';
import { Fleet } from './fleet.js';
import type { Lease, LeaseOwner } from './lease.js';
import { LeaseBook } from './lease-book.js';
import { ensureNetwork, removeNetwork } from './network.js';
import { configHash } from './options.js';
import type { ResolvedPoolOptions } from './options.js';
import type { AcquireOptions, DestroyReason, PoolStats } from './pool-events.js';
import { PoolEmitter } from './pool-emitter.js';
import { COUNTS, LIMITS } from './pool-limits.js';
import type { PoolCounts, PoolLimits } from './pool-limits.js';
import type { PooledContainer as Pooled } from './pooled.js';
import { recover, sweep } from './recovery.js';
import { RefillLoop } from './refill-loop.js';
import { ReleaseChecks } from './release-checks.js';
import type { CheckOutcome } from './release-checks.js';
import { Semaphore } from './semaphore.js';
import { TaskSet } from './task-set.js';
import { WaitQueue } from './wait-queue.js';

/** @internal The start-up step `createPool` runs (recovery, first fill). */
export const START = Symbol('start');

/**
 * Pre-warmed, reusable sandbox containers. Build one with {@link createPool}. Hands out {@link Lease}s: idle
 * containers most-recently-used first, new ones while below `maxSize`, otherwise strictly first come, first
 * served. A released container is checked and reset in the background and handed out again only once that
 * passed. Every engine call it makes goes through one `maxConcurrentEngineOps` semaphore.
 */
export class Pool extends PoolEmitter implements LeaseOwner, AsyncDisposable {
  readonly #opts: ResolvedPoolOptions;
  readonly #engine: EngineClient;
  readonly #ownsEngine: boolean;
  readonly #sem: Semaphore;
  readonly #hash: string;
  readonly #fleet: Fleet;
  readonly #refill: RefillLoop;
  readonly #idle = new IdleList();
  readonly #leases = new LeaseBook();
  readonly #waiters = new WaitQueue<Lease>();
  readonly #inflight = new TaskSet();
  readonly #checks = new ReleaseChecks(this.#inflight, (outcome) => this.#checked(outcome));
  readonly #latency = new LatencyWindow();
  #emptyAcquires = 0;
  #timeouts = 0;
  #closing: Promise<void> | undefined;
  #room: () => number = () => Infinity;

  /** @internal Use {@link createPool}. */
  constructor(opts: ResolvedPoolOptions, engine: EngineClient, ownsEngine: boolean) {
    super(opts.onError);
    this.#opts = opts;
    this.#engine = engine;
    this.#ownsEngine = ownsEngine;
    this.#sem = new Semaphore(opts.maxConcurrentEngineOps);
    this.#hash = configHash(opts);
    this.#fleet = new Fleet(opts, engine, this.#sem, this.#hash, {
      destroyed: (pooled, reason) => this.emit('destroy', { containerId: pooled.container.id, reason }),
      report: (err) => this.report(err),
      cleaned: (err) => this.#cleaned(err),
    });
    this.#refill = new RefillLoop(() => this.#refillRound(), opts.refillIntervalMs, opts.maxBackoffMs);
  }

  /** The pool's `name`, and the configuration hash on its containers' `pocketdock.pool-config` label. */
  get name(): string {
    return this.#opts.name;
  }

  get configHash(): string {
    return this.#hash;
  }

  /** @internal A pool over several engines: this engine's share of `minIdle`, and the room left under the total `maxSize`. */
  [LIMITS](limits: PoolLimits): void {
    if (limits.room) this.#room = limits.room;
    if (limits.minIdle === undefined) return; // set before START: no refill round of its own yet
    this.#opts.minIdle = limits.minIdle;
    this.#changed();
  }

  /** @internal `stats()` without the percentiles (no sort): read on every placement of a pool over several engines. */
  [COUNTS](): PoolCounts {
    return { idle: this.#idle.length, leased: this.#leases.size, waiting: this.#waiters.length, creating: this.#fleet.creating, checking: this.#checks.size, removing: this.#fleet.removing };
  }

  /** @internal The network (a failure throws), recovery, then a first fill to `minIdle` (failures go to `onError` and the refill backs off). */
  async [START](): Promise<void> {
    const { network } = this.#opts;
    if (network) {
      await ensureNetwork(this.#engine, this.#sem, network, { ...this.#opts.labels, [POOL_LABELS.pool]: this.name });
    }
    try {
      // Clean leases: a container left by an earlier pool may have been out on a lease, so none is adopted.
      const adoptable = this.#opts.cleanLeases ? 0 : Math.min(this.#opts.maxIdle, this.#room());
      const { adopted } = await recover(this.#engine, this.#sem, this.#opts.name, this.#hash, adoptable);
      for (const pooled of await Promise.all(adopted.map((c) => this.#fleet.adopt(c)))) {
        if (!pooled) continue;
        this.emit('create', { containerId: pooled.container.id, adopted: true });
        this.#idle.push(pooled);
      }
    } catch (err) {
      this.report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: recovery failed: ${(err as Error).message}`, { cause: err }));
    }
    await this.#refill.run();
  }

  /**
   * Lends a container. `POOL_ACQUIRE_TIMEOUT` past `timeoutMs`, `POOL_ACQUIRE_ABORTED` when `signal` fires,
   * `POOL_EXHAUSTED` when `maxWaiting` callers already wait, `POOL_SHUTDOWN` once shutdown began.
   *
   * @example
   * await using lease = await pool.acquire({ timeoutMs: 5000 });
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    if (this.#closing) throw new PoolError('POOL_SHUTDOWN', `pool ${this.name} is shutting down: no new acquires`);
    const { signal } = options;
    if (signal?.aborted) throw new PoolError('POOL_ACQUIRE_ABORTED', `acquire from pool ${this.name} was aborted`, { cause: signal.reason });
    const t0 = performance.now();
    const idle = this.#waiters.length === 0 ? this.#takeIdle() : undefined;
    let lease: Lease;
    if (idle) {
      lease = this.#leases.lend(idle, this);
    } else {
      this.#emptyAcquires++;
      if (this.#waiters.length >= this.#opts.maxWaiting) {
        throw new PoolError('POOL_EXHAUSTED', `pool ${this.name}: ${this.#waiters.length} callers already wait (maxWaiting); retry later or raise maxSize`);
      }
      const timeoutMs = options.timeoutMs ?? this.#opts.acquireTimeoutMs;
      const waiting = this.#waiters.wait({
        timeoutMs,
        signal,
        onTimeout: () => {
          this.#timeouts++;
          return new PoolError('POOL_ACQUIRE_TIMEOUT', `no container from pool ${this.name} within ${timeoutMs} ms (maxSize ${this.#opts.maxSize} all in use)`);
        },
        onAbort: (reason) => new PoolError('POOL_ACQUIRE_ABORTED', `acquire from pool ${this.name} was aborted`, { cause: reason }),
      });
      this.#dispatch();
      lease = await waiting;
    }
    const waitedMs = performance.now() - t0;
    this.#latency.add(waitedMs);
    this.emit('acquire', { containerId: lease.containerId, waitedMs }); // not lease.container: that counts as the lease's use
    return lease;
  }

  /**
   * Gives a lease back (what `lease.release()` does): resolves at once, the lease closed. The container is checked
   * and reset in the background; the `release` event says how that ended. A lease not out from this pool (released
   * already, or another pool's) -> `POOL_INVALID_RELEASE`.
   */
  release(lease: Lease): Promise<void> {
    return this.#giveBack(lease, false);
  }

  /** @internal What `lease.destroy()` does: resolves once the container is removed. */
  destroyLease(lease: Lease): Promise<void> {
    return this.#giveBack(lease, true);
  }

  /** @internal */
  isLeased(lease: Lease): boolean {
    return this.#leases.has(lease);
  }

  stats(): PoolStats {
    return {
      idle: this.#idle.length,
      leased: this.#leases.size,
      waiting: this.#waiters.length,
      creating: this.#fleet.creating,
      checking: this.#checks.size,
      removing: this.#fleet.removing,
      created: this.#fleet.created,
      destroyed: this.#fleet.destroyed,
      acquireP50Ms: this.#latency.percentile(50),
      acquireP99Ms: this.#latency.percentile(99),
      emptyAcquires: this.#emptyAcquires,
      timeouts: this.#timeouts,
    };
  }

  /**
   * Stops refill and new acquires (waiters get `POOL_SHUTDOWN`), cancels running release checks (their containers
   * are removed), waits for leases to come back until `signal` fires (then destroys them anyway), removes every
   * container with the pool's name label (force), and closes the engine client if the pool opened it. Idempotent.
   */
  shutdown(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closing ??= this.#close(options.signal);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /** Every container that counts against `maxSize`. */
  #total(): number {
    return this.#idle.length + this.#leases.size + this.#fleet.creating + this.#checks.size + this.#fleet.removing;
  }

  #takeIdle(): Pooled | undefined {
    return this.#idle.take((expired) => this.#discard(expired, 'max-lifetime'));
  }

  /** Idle containers to waiters, oldest waiter first; then creates for the waiters still uncovered. */
  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const p = this.#takeIdle();
      if (!p) break;
      this.#waiters.deliver(this.#leases.lend(p, this));
    }
    while (!this.#closing && this.#waiters.length > this.#fleet.creating && this.#total() < this.#opts.maxSize && this.#room() > 0) void this.#spawn(); // tracked; failures are reported inside
    // Places held by what a fault left on the engine: try to free them now rather than after the reaper's backoff.
    if (this.#waiters.length > this.#fleet.creating && this.#fleet.reaper.pending > 0) this.#fleet.reaper.nudge();
  }

  /**
   * A reaper round ended. Good: places under `maxSize` were freed, serve the waiters. Failed: the engine is still
   * away, so a waiter no running create covers would only wait out its timeout: it fails now, as when its create fails.
   */
  #cleaned(err: PoolError | undefined): void {
    if (!err) return this.#changed();
    const message = `pool ${this.name}: no container can be created while places under maxSize wait for the engine to remove what a fault left`;
    while (this.#waiters.length > this.#fleet.creating) this.#waiters.failFirst(new PoolError('POOL_CREATE_FAILED', `${message}: ${err.message}`, { cause: err }));
  }

  /** A container that is ready (created, or checked after a release): to the oldest waiter, else idle (above `maxIdle`: removed). */
  #offer(pooled: Pooled): void {
    if (this.#closing) return this.#discard(pooled, 'shutdown');
    if (this.#waiters.length > 0) return void this.#waiters.deliver(this.#leases.lend(pooled, this));
    if (this.#idle.length >= this.#opts.maxIdle) return this.#discard(pooled, 'max-idle');
    this.#idle.push(pooled);
  }

  /** Starts one create; resolves true when it succeeded. Its container is offered whatever happened to the acquire that asked for it. */
  #spawn(): Promise<boolean> {
    const task = this.#fleet
      .create()
      .then(
        (pooled) => {
          this.emit('create', { containerId: pooled.container.id, adopted: false });
          this.#offer(pooled);
          return true;
        },
        (err: PoolError) => {
          this.report(err);
          // An acquire that counted on this create would otherwise wait out its timeout: fail the oldest now.
          if (this.#waiters.length > this.#fleet.creating) this.#waiters.failFirst(err);
          return false;
        },
      )
      .finally(() => this.#changed());
    this.#inflight.add(task);
    return task;
  }

  #giveBack(lease: Lease, destroy: boolean): Promise<void> {
    const pooled = this.#leases.close(lease); // from here on a second release is refused
    if (pooled === 'revoked') return Promise.resolve(); // destroyed by a forced shutdown: nothing left to do
    if (!pooled) return Promise.reject(new PoolError('POOL_INVALID_RELEASE', `this lease is not out from pool ${this.name} (released twice, or another pool's)`));
    if (destroy) return this.#remove(pooled, 'lease-destroy');
    this.#checks.start(pooled, this.#retireReason(pooled));
    return Promise.resolve();
  }

  #retireReason(pooled: Pooled): DestroyReason | undefined {
    if (this.#closing) return 'shutdown';
    // Clean leases: a container serves one lease only; the refill replaces it (ahead of demand with minIdle).
    if (this.#opts.cleanLeases === 'replace') return 'clean-lease';
    if (this.#opts.maxUses !== undefined && pooled.uses >= this.#opts.maxUses) return 'max-uses';
    if (pooled.expiresAt <= Date.now()) return 'max-lifetime';
    return undefined;
  }

  /** A release check ended: the container goes to the oldest waiter or idle, or is removed (also when idle is full). */
  #checked({ pooled, reason, checkMs }: CheckOutcome): void {
    const full = this.#waiters.length === 0 && this.#idle.length >= this.#opts.maxIdle;
    const why = reason ?? (this.#closing ? 'shutdown' : full ? 'max-idle' : undefined);
    this.emit('release', { containerId: pooled.container.id, reused: why === undefined, ...(why ? { reason: why } : {}), checkMs });
    if (why) return void this.#remove(pooled, why);
    this.#offer(pooled);
    this.#changed();
  }

  /** Removes a lease's container, counted against `maxSize` until it is gone. */
  #remove(pooled: Pooled, reason: DestroyReason): Promise<void> {
    const task = this.#fleet.destroy(pooled, reason).finally(() => this.#changed());
    this.#inflight.add(task);
    return task;
  }

  /** Removes a container in the background (tracked: shutdown waits for it), counted against `maxSize` until it is gone. */
  #discard(pooled: Pooled, reason: DestroyReason): void {
    void this.#remove(pooled, reason);
  }

  /** After any change of counts: serve waiters, top up. */
  #changed(): void {
    if (this.#closing) return;
    this.#dispatch();
    // A round now only when it could create: below minIdle AND below maxSize (not a timer per change of a busy pool).
    if (this.#idle.length + this.#fleet.creating < this.#opts.minIdle && this.#total() < this.#opts.maxSize && this.#room() > 0) this.#refill.kick();
  }

  /** One refill round: trim, then top up to `minIdle`; false when a create failed (the loop backs off). */
  async #refillRound(): Promise<boolean> {
    if (this.#closing) return true;
    const { idleTimeoutMs, minIdle, maxSize } = this.#opts;
    this.#idle.trim(idleTimeoutMs, minIdle, (p, reason) => this.#discard(p, reason));
    const want = Math.min(minIdle - this.#idle.length - this.#fleet.creating, maxSize - this.#total(), this.#room());
    const results = await Promise.all(Array.from({ length: Math.max(0, want) }, () => this.#spawn()));
    return !results.includes(false);
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    this.#refill.stop();
    this.#waiters.failAll(new PoolError('POOL_SHUTDOWN', `pool ${this.name} is shutting down`));
    this.#checks.cancelAll('shutdown'); // no use finishing them: their containers are removed
    await this.#leases.empty(signal);
    for (const pooled of this.#leases.revokeAll()) this.#discard(pooled, 'shutdown');
    for (const p of this.#idle.takeAll()) this.#discard(p, 'shutdown');
    await this.#inflight.settled();
    await this.#fleet.reaper.stop(); // what it still holds is labelled with the pool's name: the sweep removes it
    await sweep(this.#engine, this.#sem, this.name).catch((err: PoolError) => this.report(err)); // the net under it all
    const { network } = this.#opts;
    if (network?.remove) await removeNetwork(this.#engine, this.#sem, network.name, this.name).catch((err: PoolError) => this.report(err));
    if (this.#ownsEngine) await this.#engine.close();
  }
}
