import { randomBytes } from 'node:crypto';
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { POOL_LABELS } from './labels.js';
import type { ResolvedPoolOptions } from './options.js';
import type { DestroyReason } from './pool-events.js';
import { PooledContainer } from './pooled.js';
import { Reaper } from './reaper.js';
import type { Semaphore } from './semaphore.js';
import { DEFAULT_SCRATCH, LeaseWipe, scratchMounts } from './wipe.js';

/** What the fleet tells its pool. */
export interface FleetHooks {
  destroyed(pooled: PooledContainer, reason: DestroyReason): void;
  report(err: PoolError): void;
  /** A cleanup round of containers lost in a fault ended (see {@link Reaper}); `err` when the engine is still away. */
  cleaned(err: PoolError | undefined): void;
}

/**
 * Makes and removes the pool's containers, every engine call through the engine-op limit, and counts them: new
 * ones (create, start, warm session), adopted ones (checked first), each with its jittered lifetime. What a fault
 * leaves on the engine (a failed create, a failed removal) goes to the {@link Reaper}, still counted.
 */
export class Fleet {
  /** Being created now. */
  creating = 0;
  created = 0;
  destroyed = 0;
  readonly reaper: Reaper;
  #removing = 0;
  #scratch: Promise<Record<string, string>> | undefined;

  constructor(
    private readonly opts: ResolvedPoolOptions,
    private readonly engine: EngineClient,
    private readonly sem: Semaphore,
    private readonly hash: string,
    private readonly hooks: FleetHooks,
  ) {
    const timing = { intervalMs: opts.refillIntervalMs, maxBackoffMs: opts.maxBackoffMs };
    this.reaper = new Reaper(engine, sem, opts.name, timing, { roundEnded: (err) => hooks.cleaned(err), report: (err) => hooks.report(err) });
  }

  /** Being removed now, or left by a fault and waiting for the engine to remove them: all counted against `maxSize`. */
  get removing(): number {
    return this.#removing + this.reaper.pending;
  }

  /**
   * Creates and starts a container and opens its warm session; a failure -> `POOL_CREATE_FAILED`, and whatever the
   * engine made for this create anyway goes to the reaper (found by the create's token label).
   */
  async create(): Promise<PooledContainer> {
    const { container, image, command, network, name, labels } = this.opts;
    const token = randomBytes(8).toString('hex');
    this.creating++;
    try {
      const scratch = this.opts.cleanLeases === 'wipe' ? await (this.#scratch ??= this.#scratchMounts()) : undefined;
      const c = await this.sem.run(() =>
        createNewContainer({
          ...container,
          ...(scratch ? { readOnlyRoot: true, tmpfs: scratch } : {}),
          image,
          labels: { ...labels, [POOL_LABELS.pool]: name, [POOL_LABELS.config]: this.hash, [POOL_LABELS.create]: token },
          engine: this.engine,
          ...(command ? { command } : {}),
          ...(network ? { network: network.name } : {}),
        }),
      );
      const pooled = this.#wrap(c);
      await pooled.warm();
      if (scratch) pooled.wipe = await LeaseWipe.prepare((s) => pooled.runScript(s), pooled.mainPid, Object.keys(scratch));
      this.created++;
      return pooled;
    } catch (err) {
      // The engine may hold the container anyway: created (or started) with the answer lost, or container-sdk's
      // removal after a failed start failed too. It stays counted (as removing) until the reaper removed it.
      this.reaper.afterFailedCreate(token);
      throw new PoolError('POOL_CREATE_FAILED', `pool ${name}: creating a container failed: ${(err as Error).message}`, { cause: err });
    } finally {
      this.creating--;
    }
  }

  /** A running container of an earlier pool, checked and reset; undefined when it failed (it is removed). */
  async adopt(container: Container): Promise<PooledContainer | undefined> {
    const pooled = this.#wrap(container);
    await pooled.warm();
    if (await pooled.reset()) return pooled;
    await this.destroy(pooled, 'recovery');
    return undefined;
  }

  /**
   * Removes a container with force (no stop grace period), counted in `removing` until it is gone. A failure is
   * reported and the container goes to the reaper (still counted), which removes it once the engine answers.
   */
  async destroy(pooled: PooledContainer, reason: DestroyReason): Promise<void> {
    this.#removing++;
    try {
      await this.sem.run(() => pooled.container.shutdown({ force: true }));
    } catch (err) {
      this.reaper.afterFailedRemove(pooled.container.id);
      const message = `pool ${this.opts.name}: removing ${pooled.container.name} failed: ${(err as Error).message}; retried when the engine answers`;
      this.hooks.report(new PoolError('POOL_ENGINE_ERROR', message, { cause: err }));
    } finally {
      this.#removing--;
    }
    this.destroyed++;
    this.hooks.destroyed(pooled, reason);
  }

  /** `scratch` (or the defaults) plus the image's working directory, read once (an image without one: none added). */
  async #scratchMounts(): Promise<Record<string, string>> {
    const { image, scratch } = this.opts;
    const info = await this.sem
      .run(() => this.engine.json<{ Config?: { WorkingDir?: string } | null }>({ path: `/images/${encodeURIComponent(image)}/json` }))
      .catch(() => undefined);
    return scratchMounts(scratch ?? DEFAULT_SCRATCH, info?.Config?.WorkingDir);
  }

  #wrap(container: Container): PooledContainer {
    const { maxLifetimeMs, lifetimeJitter } = this.opts;
    // Jitter shortens each lifetime by up to `lifetimeJitter`, so containers made together do not expire together.
    const expiresAt = maxLifetimeMs === undefined ? Infinity : Date.now() + maxLifetimeMs * (1 - Math.random() * lifetimeJitter);
    const runTimeoutMs = this.opts.container.timeoutMs ?? 30_000;
    return new PooledContainer(container, expiresAt, { sem: this.sem, resetTimeoutMs: this.opts.resetTimeoutMs, runTimeoutMs });
  }
}
