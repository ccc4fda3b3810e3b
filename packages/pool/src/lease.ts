import type { Command, Container } from '@pocketdock/container-sdk';
import { PoolError } from './errors.js';
import type { LeaseRunOptions, PoolExecResult, PooledContainer } from './pooled.js';

/** What a lease calls back into: its pool. */
export interface LeaseOwner {
  release(lease: Lease): Promise<void>;
  destroyLease(lease: Lease): Promise<void>;
  isLeased(lease: Lease): boolean;
  /** Why a lease that is no longer active ended, when its holder did not end it (an engine taken out: `POOL_ENGINE_DOWN`). */
  endedError?(lease: Lease): PoolError | undefined;
}

/** What a lease runs on: a pool's container, or (a pool over several engines) the lease of one engine's pool. */
export type LeaseTarget = Pick<PooledContainer, 'container' | 'run' | 'touch'>;

/**
 * One container lent out by a pool, until `release()` (checked and reset in the background, then reused) or
 * `destroy()` (removed). `await using` releases it; disposing a lease that was already given back is a no-op.
 *
 * @example
 * await using lease = await pool.acquire();
 * const r = await lease.run('echo hi');            // the warm session: no new engine exec
 * const s = await lease.container.run('echo hi');  // any container-sdk call
 */
export class Lease implements AsyncDisposable {
  readonly #pooled: LeaseTarget;

  constructor(
    pooled: LeaseTarget,
    private readonly owner: LeaseOwner,
  ) {
    this.#pooled = pooled;
  }

  /** The container-sdk `Container`: `run`, `session`, files... Do not `shutdown()` it: `destroy()` the lease. */
  get container(): Container {
    this.#pooled.touch(); // what the lease does with it is not seen by the pool: its release checks the container again
    return this.#pooled.container;
  }

  /** @internal The container's id, without handing out the `Container` (which makes the release check for itself). */
  get containerId(): string {
    return this.#pooled.container.id;
  }

  /** True until the lease was released or destroyed. */
  get active(): boolean {
    return this.owner.isLeased(this);
  }

  /**
   * Runs a command to completion, through the container's warm shell when it can (`path: 'session'`, each command
   * in its own subshell), else with a normal exec (`path: 'exec'`). A timeout or a cut output taints the
   * container: it is removed on release. After release -> `POOL_LEASE_ENDED`; a command that could not run ->
   * `POOL_RUN_FAILED` (a bad option: `POOL_INVALID_OPTIONS`), the container-sdk error as `cause`.
   */
  async run(cmd: Command, options: LeaseRunOptions = {}): Promise<PoolExecResult> {
    if (!this.active) throw this.owner.endedError?.(this) ?? new PoolError('POOL_LEASE_ENDED', 'this lease was released or destroyed: acquire a new one');
    try {
      return await this.#pooled.run(cmd, options);
    } catch (err) {
      if (PoolError.is(err)) throw err; // wrapped already (a lease over one engine's pool's lease)
      // Wrapped once, here: the pool's API fails with PoolErrors only (docs/architecture.md, "Errors").
      const invalid = (err as { code?: unknown }).code === 'CONTAINER_INVALID_OPTIONS';
      throw new PoolError(invalid ? 'POOL_INVALID_OPTIONS' : 'POOL_RUN_FAILED', `lease.run: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Gives the container back. Resolves at once: the lease is closed (`run` -> `POOL_LEASE_ENDED`; twice ->
   * `POOL_INVALID_RELEASE`). The pool checks and resets the container in the background before it hands it out
   * again; its `release` event says how that ended.
   */
  release(): Promise<void> {
    return this.owner.release(this);
  }

  /** Gives the container back for removal (it is never reused); resolves once it is removed. */
  destroy(): Promise<void> {
    return this.owner.destroyLease(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.active ? this.release() : Promise.resolve();
  }
}
