import { EventEmitter } from 'node:events';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { LatencyWindow } from './latency.js';
import { Lease } from './lease.js';
import type { LeaseOwner } from './lease.js';
import { configHash } from './options.js';
import type { ResolvedPoolOptions } from './options.js';
import type { AcquireOptions, DestroyReason, PoolEvents, PoolStats } from './pool-events.js';
import { listPoolContainers, recover, removeById } from './recovery.js';
import { ensureNetwork, removeNetwork } from './network.js';
import { PooledContainer as Pooled } from './pooled.js';
import { POOL_LABELS } from './reset-script.js';
import { Semaphore } from './semaphore.js';
import { TaskSet } from './task-set.js';
import { WaitQueue } from './wait-queue.js';

/** @internal The start-up step `createPool` runs (recovery, first fill). */
export const START = Symbol('start');

/**
 * Pre-warmed, reusable sandbox containers. Build one with {@link createPool}. Hands out {@link Lease}s: idle
 * containers most-recently-used first, new ones while below `maxSize`, otherwise strictly first come, first
 * served. Every engine call it makes goes through one `maxConcurrentEngineOps` semaphore.
 */
export class Pool extends EventEmitter implements LeaseOwner, AsyncDisposable {
  readonly #opts: ResolvedPoolOptions;
  readonly #engine: EngineClient;
  readonly #ownsEngine: boolean;
  readonly #sem: Semaphore;
  readonly #hash: string;
  readonly #idle: Pooled[] = []; // most recently used last
  readonly #leases = new Map<Lease, Pooled>();
  readonly #revoked = new WeakSet<Lease>();
  readonly #waiters = new WaitQueue<Lease>();
  readonly #inflight = new TaskSet();
  readonly #latency = new LatencyWindow();
  #creating = 0;
  #returning = 0;
  #created = 0;
  #destroyed = 0;
  #emptyAcquires = 0;
  #timeouts = 0;
  #failures = 0;
  #refillTimer: NodeJS.Timeout | undefined;
  #refilling = false;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** @internal Use {@link createPool}. */
  constructor(opts: ResolvedPoolOptions, engine: EngineClient, ownsEngine: boolean) {
    super();
    this.#opts = opts;
    this.#engine = engine;
    this.#ownsEngine = ownsEngine;
    this.#sem = new Semaphore(opts.maxConcurrentEngineOps);
    this.#hash = configHash(opts);
  }

  /** The pool's `name`, and the configuration hash on its containers' `pocketdock.pool-config` label. */
  get name(): string {
    return this.#opts.name;
  }

  get configHash(): string {
    return this.#hash;
  }

  /** @internal The network (a failure throws), recovery, then a first fill to `minIdle` (failures go to `onError` and the refill backs off). */
  async [START](): Promise<void> {
    const { network } = this.#opts;
    if (network) {
      await ensureNetwork(this.#engine, this.#sem, network, { ...this.#opts.labels, [POOL_LABELS.pool]: this.name }).catch((err: unknown) => {
        throw new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: network ${network.name} is missing and could not be created: ${(err as Error).message}`, { cause: err });
      });
    }
    try {
      const { adopted } = await recover(this.#engine, this.#sem, this.#opts.name, this.#hash, this.#opts.maxIdle);
      await Promise.all(
        adopted.map(async (container) => {
          const pooled = this.#pooled(container);
          await pooled.warm();
          if (!(await pooled.reset())) return this.#destroy(pooled, 'recovery');
          this.emit('create', { containerId: container.id, adopted: true });
          this.#idle.push(pooled);
        }),
      );
    } catch (err) {
      this.#report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: recovery failed: ${(err as Error).message}`, { cause: err }));
    }
    await this.#refill();
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
      lease = this.#lend(idle);
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
          return new PoolError('POOL_ACQUIRE_TIMEOUT', `no container from pool ${this.name} within ${timeoutMs} ms (maxSize ${this.#opts.maxSize} all leased)`);
        },
        onAbort: (reason) => new PoolError('POOL_ACQUIRE_ABORTED', `acquire from pool ${this.name} was aborted`, { cause: reason }),
      });
      this.#dispatch();
      lease = await waiting;
    }
    const waitedMs = performance.now() - t0;
    this.#latency.add(waitedMs);
    this.emit('acquire', { containerId: lease.container.id, waitedMs });
    return lease;
  }

  /** Gives a lease back (what `lease.release()` does). A lease not out from this pool -> `POOL_INVALID_RELEASE`. */
  release(lease: Lease): Promise<void> {
    return this.#giveBack(lease, false);
  }

  /** @internal What `lease.destroy()` does. */
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
      creating: this.#creating,
      returning: this.#returning,
      created: this.#created,
      destroyed: this.#destroyed,
      acquireP50Ms: this.#latency.percentile(50),
      acquireP99Ms: this.#latency.percentile(99),
      emptyAcquires: this.#emptyAcquires,
      timeouts: this.#timeouts,
    };
  }

  /**
   * Stops refill and new acquires (waiters get `POOL_SHUTDOWN`), waits for leases to come back until `signal`
   * fires (then destroys them anyway), removes every container with the pool's name label (force), and closes
   * the engine client if the pool opened it. Idempotent.
   */
  shutdown(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closing ??= this.#close(options.signal);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
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

  #total(): number {
    return this.#idle.length + this.#leases.size + this.#creating + this.#returning;
  }

  #pooled(container: Container): Pooled {
    const { maxLifetimeMs, lifetimeJitter } = this.#opts;
    // Jitter shortens each lifetime by up to `lifetimeJitter`, so containers made together do not expire together.
    const expiresAt = maxLifetimeMs === undefined ? Infinity : Date.now() + maxLifetimeMs * (1 - Math.random() * lifetimeJitter);
    const runTimeoutMs = this.#opts.container.timeoutMs ?? 30_000;
    return new Pooled(container, expiresAt, { sem: this.#sem, resetTimeoutMs: this.#opts.resetTimeoutMs, runTimeoutMs });
  }

  #lend(pooled: Pooled): Lease {
    const lease = new Lease(pooled, this);
    pooled.uses++;
    this.#leases.set(lease, pooled);
    return lease;
  }

  /** The most recently used idle container still within its lifetime; expired ones are removed on the way. */
  #takeIdle(): Pooled | undefined {
    for (let p = this.#idle.pop(); p; p = this.#idle.pop()) {
      if (p.expiresAt > Date.now()) return p;
      this.#inflight.add(this.#destroy(p, 'max-lifetime'));
    }
    return undefined;
  }

  /** Idle containers to waiters, oldest waiter first; then creates for the waiters still uncovered. */
  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const p = this.#takeIdle();
      if (!p) break;
      this.#waiters.deliver(this.#lend(p));
    }
    while (!this.#closing && this.#waiters.length > this.#creating && this.#total() < this.#opts.maxSize) void this.#spawn(); // tracked; failures are reported inside
  }

  /** A container that is ready: to the oldest waiter, else idle (above `maxIdle`: removed). */
  #offer(pooled: Pooled): void {
    if (this.#closing) return void this.#inflight.add(this.#destroy(pooled, 'shutdown'));
    if (this.#waiters.length > 0) return void this.#waiters.deliver(this.#lend(pooled));
    if (this.#idle.length >= this.#opts.maxIdle) return void this.#inflight.add(this.#destroy(pooled, 'max-idle'));
    pooled.idleSince = Date.now();
    this.#idle.push(pooled);
  }

  /** Starts one create; resolves true when it succeeded. Its container is offered whatever happened to the acquire that asked for it. */
  #spawn(): Promise<boolean> {
    this.#creating++;
    const { container, ...rest } = this.#opts;
    const labels = { ...rest.labels, [POOL_LABELS.pool]: rest.name, [POOL_LABELS.config]: this.#hash };
    const task = this.#sem
      .run(() =>
        createNewContainer({
          ...container,
          image: rest.image,
          labels,
          engine: this.#engine,
          ...(rest.command ? { command: rest.command } : {}),
          ...(rest.network ? { network: rest.network.name } : {}),
        }),
      )
      .then(async (c) => {
        const pooled = this.#pooled(c);
        await pooled.warm();
        return pooled;
      })
      .then(
        (pooled) => {
          this.#creating--;
          this.#created++;
          this.emit('create', { containerId: pooled.container.id, adopted: false });
          this.#offer(pooled);
          return true;
        },
        (err: unknown) => {
          this.#creating--;
          const e = new PoolError('POOL_CREATE_FAILED', `pool ${this.name}: creating a container failed: ${(err as Error).message}`, { cause: err });
          this.#report(e);
          // An acquire that counted on this create would otherwise wait out its timeout: fail the oldest now.
          if (this.#waiters.length > this.#creating) this.#waiters.failFirst(e);
          return false;
        },
      )
      .finally(() => this.#changed());
    this.#inflight.add(task);
    return task;
  }

  #giveBack(lease: Lease, destroy: boolean): Promise<void> {
    const pooled = this.#leases.get(lease);
    if (!pooled) {
      if (this.#revoked.has(lease)) return Promise.resolve(); // destroyed by a forced shutdown: nothing left to do
      return Promise.reject(new PoolError('POOL_INVALID_RELEASE', `this lease is not out from pool ${this.name} (released twice, or another pool's)`));
    }
    this.#leases.delete(lease);
    this.#returning++;
    const task = (async () => {
      let ok = false;
      try {
        const reason = destroy ? 'lease-destroy' : this.#retireReason(pooled);
        if (reason) return await this.#destroy(pooled, reason);
        if (!(await pooled.reset())) return await this.#destroy(pooled, pooled.tainted ? 'tainted' : 'failed-check');
        ok = true;
      } finally {
        this.#returning--;
        if (ok) {
          this.emit('release', { containerId: pooled.container.id });
          this.#offer(pooled);
        }
        this.#changed();
      }
    })();
    this.#inflight.add(task);
    return task;
  }

  #retireReason(pooled: Pooled): DestroyReason | undefined {
    if (this.#closing) return 'shutdown';
    if (this.#opts.maxUses !== undefined && pooled.uses >= this.#opts.maxUses) return 'max-uses';
    if (pooled.expiresAt <= Date.now()) return 'max-lifetime';
    return undefined;
  }

  async #destroy(pooled: Pooled, reason: DestroyReason): Promise<void> {
    try {
      await this.#sem.run(() => pooled.container.shutdown({ force: true }));
    } catch (err) {
      this.#report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: removing ${pooled.container.name} failed: ${(err as Error).message}`, { cause: err }));
    }
    this.#destroyed++;
    this.emit('destroy', { containerId: pooled.container.id, reason });
  }

  /** After any change of counts: serve waiters, wake a shutdown that waits for leases, top up. */
  #changed(): void {
    if (this.#closing) {
      if (this.#leases.size === 0 && this.#returning === 0) this.#drained?.();
      return;
    }
    this.#dispatch();
    if (!this.#refilling && this.#failures === 0 && this.#idle.length + this.#creating < this.#opts.minIdle) this.#scheduleRefill(0);
  }

  #scheduleRefill(delayMs: number): void {
    if (this.#closing) return;
    clearTimeout(this.#refillTimer);
    this.#refillTimer = setTimeout(() => void this.#refill(), delayMs);
  }

  /** One refill round: trim, top up to `minIdle`, schedule the next (backing off while the engine fails). */
  async #refill(): Promise<void> {
    this.#refillTimer = undefined;
    if (this.#closing || this.#refilling) return;
    this.#refilling = true;
    let failed = false;
    try {
      this.#trim();
      const want = Math.min(this.#opts.minIdle - this.#idle.length - this.#creating, this.#opts.maxSize - this.#total());
      const results = await Promise.all(Array.from({ length: Math.max(0, want) }, () => this.#spawn()));
      failed = results.includes(false);
    } finally {
      this.#refilling = false;
    }
    this.#failures = failed ? this.#failures + 1 : 0;
    const { refillIntervalMs, maxBackoffMs } = this.#opts;
    this.#scheduleRefill(failed ? Math.min(refillIntervalMs * 2 ** this.#failures, maxBackoffMs) : refillIntervalMs);
  }

  /** Removes idle containers past their lifetime, and (oldest first) past `idleTimeoutMs` down to `minIdle`. */
  #trim(): void {
    const now = Date.now();
    for (const p of this.#idle.filter((q) => q.expiresAt <= now)) {
      this.#idle.splice(this.#idle.indexOf(p), 1);
      this.#inflight.add(this.#destroy(p, 'max-lifetime'));
    }
    const { idleTimeoutMs, minIdle } = this.#opts;
    if (idleTimeoutMs === undefined) return;
    while (this.#idle.length > minIdle && this.#idle[0]!.idleSince + idleTimeoutMs <= now) {
      this.#inflight.add(this.#destroy(this.#idle.shift()!, 'idle-timeout'));
    }
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    this.#waiters.failAll(new PoolError('POOL_SHUTDOWN', `pool ${this.name} is shutting down`));
    await this.#leasesBack(signal);
    for (const [lease, pooled] of this.#leases) {
      this.#leases.delete(lease);
      this.#revoked.add(lease);
      this.#inflight.add(this.#destroy(pooled, 'shutdown'));
    }
    for (const p of this.#idle.splice(0)) this.#inflight.add(this.#destroy(p, 'shutdown'));
    await this.#inflight.settled();
    try {
      // The net under it all: anything still labelled with this pool's name (a create the engine finished late...).
      for (const c of await listPoolContainers(this.#engine, this.#sem, this.name)) await removeById(this.#engine, this.#sem, c.Id);
    } catch (err) {
      this.#report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: final sweep failed: ${(err as Error).message}`, { cause: err }));
    }
    if (this.#opts.network?.remove) {
      await removeNetwork(this.#engine, this.#sem, this.#opts.network.name).catch((err: unknown) => {
        this.#report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.name}: removing network ${this.#opts.network?.name} failed: ${(err as Error).message}`, { cause: err }));
      });
    }
    if (this.#ownsEngine) await this.#engine.close();
  }

  #leasesBack(signal: AbortSignal | undefined): Promise<void> {
    if ((this.#leases.size === 0 && this.#returning === 0) || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.#drained = undefined;
        resolve();
      };
      this.#drained = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #report(err: Error): void {
    try {
      this.#opts.onError?.(err);
    } catch {
      // A throwing onError must not break the pool.
    }
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else if (!this.#opts.onError) process.emitWarning(err.message, { type: 'PocketdockPoolError', code: (err as PoolError).code });
  }
}
