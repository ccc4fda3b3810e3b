import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { POOL_LABELS } from './labels.js';
import type { ResolvedPoolOptions } from './options.js';
import type { DestroyReason } from './pool-events.js';
import { PooledContainer } from './pooled.js';
import type { Semaphore } from './semaphore.js';

/** What the fleet tells its pool. */
export interface FleetHooks {
  destroyed(pooled: PooledContainer, reason: DestroyReason): void;
  report(err: PoolError): void;
}

/**
 * Makes and removes the pool's containers, every engine call through the engine-op limit, and counts them: new
 * ones (create, start, warm session), adopted ones (checked first), each with its jittered lifetime.
 */
export class Fleet {
  /** Being created now. */
  creating = 0;
  /** Being removed now, counted against `maxSize` (a lease's container). */
  removing = 0;
  created = 0;
  destroyed = 0;

  constructor(
    private readonly opts: ResolvedPoolOptions,
    private readonly engine: EngineClient,
    private readonly sem: Semaphore,
    private readonly hash: string,
    private readonly hooks: FleetHooks,
  ) {}

  /** Creates and starts a container and opens its warm session; a failure -> `POOL_CREATE_FAILED`. */
  async create(): Promise<PooledContainer> {
    const { container, image, command, network, name, labels } = this.opts;
    this.creating++;
    try {
      const c = await this.sem.run(() =>
        createNewContainer({
          ...container,
          image,
          labels: { ...labels, [POOL_LABELS.pool]: name, [POOL_LABELS.config]: this.hash },
          engine: this.engine,
          ...(command ? { command } : {}),
          ...(network ? { network: network.name } : {}),
        }),
      );
      const pooled = this.#wrap(c);
      await pooled.warm();
      this.created++;
      return pooled;
    } catch (err) {
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

  /** Removes a container with force (no stop grace period); with `counted`, it counts in `removing` until gone. */
  async destroy(pooled: PooledContainer, reason: DestroyReason, counted = false): Promise<void> {
    if (counted) this.removing++;
    try {
      await this.sem.run(() => pooled.container.shutdown({ force: true }));
    } catch (err) {
      this.hooks.report(new PoolError('POOL_ENGINE_ERROR', `pool ${this.opts.name}: removing ${pooled.container.name} failed: ${(err as Error).message}`, { cause: err }));
    } finally {
      if (counted) this.removing--;
    }
    this.destroyed++;
    this.hooks.destroyed(pooled, reason);
  }

  #wrap(container: Container): PooledContainer {
    const { maxLifetimeMs, lifetimeJitter } = this.opts;
    // Jitter shortens each lifetime by up to `lifetimeJitter`, so containers made together do not expire together.
    const expiresAt = maxLifetimeMs === undefined ? Infinity : Date.now() + maxLifetimeMs * (1 - Math.random() * lifetimeJitter);
    const runTimeoutMs = this.opts.container.timeoutMs ?? 30_000;
    return new PooledContainer(container, expiresAt, { sem: this.sem, resetTimeoutMs: this.opts.resetTimeoutMs, runTimeoutMs });
  }
}
