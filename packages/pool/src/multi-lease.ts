import type { Command } from '@pocketdock/container-sdk';
import type { EngineMember } from './engine-member.js';
import { PoolError } from './errors.js';
import { Lease } from './lease.js';
import type { LeaseOwner, LeaseTarget } from './lease.js';
import type { LeaseRunOptions, PoolExecResult } from './pooled.js';

interface Out {
  member: EngineMember;
  inner: Lease;
}

/**
 * The leases out of a pool over several engines. Each is a {@link Lease} like any other (callers cannot tell), over
 * the lease of one engine's pool. When that engine is taken out its leases end: `run` -> `POOL_ENGINE_DOWN`, and
 * `release()` is a no-op; a `run` that fails while the engine stops answering is checked and, when the engine is
 * out, fails with `POOL_ENGINE_DOWN` too.
 */
export class EngineLeases implements LeaseOwner {
  readonly #out = new Map<Lease, Out>();
  /** Leases ended by the pool: with the error `run` gives (an engine taken out), or none (a forced shutdown). */
  readonly #ended = new WeakMap<Lease, PoolError | undefined>();

  constructor(private readonly poolName: string) {}

  get size(): number {
    return this.#out.size;
  }

  /** A lease over `inner`, from `member`'s pool. */
  wrap(member: EngineMember, inner: Lease): Lease {
    const target: LeaseTarget = {
      get container() {
        return inner.container;
      },
      touch: () => undefined, // inner.container does it for the engine's pool
      run: (cmd, options) => this.#run(lease, member, inner, cmd, options),
    };
    const lease = new Lease(target, this);
    this.#out.set(lease, { member, inner });
    return lease;
  }

  release(lease: Lease): Promise<void> {
    return this.#giveBack(lease, (inner) => inner.release());
  }

  destroyLease(lease: Lease): Promise<void> {
    return this.#giveBack(lease, (inner) => inner.destroy());
  }

  isLeased(lease: Lease): boolean {
    return this.#out.has(lease);
  }

  endedError(lease: Lease): PoolError | undefined {
    return this.#ended.get(lease);
  }

  /** Ends every lease on `member` (its engine was taken out): they fail with `err` from now on. */
  endAll(member: EngineMember, err: PoolError): number {
    let n = 0;
    for (const [lease, out] of this.#out) {
      if (out.member !== member) continue;
      this.#out.delete(lease);
      this.#ended.set(lease, err);
      n++;
    }
    return n;
  }

  /** Ends every lease on `member` whose pool was shut down (a forced shutdown revoked them): `run` -> `POOL_LEASE_ENDED`. */
  revokeAll(member: EngineMember): void {
    for (const [lease, out] of this.#out) {
      if (out.member !== member || out.inner.active) continue;
      this.#out.delete(lease);
      this.#ended.set(lease, undefined);
    }
  }

  #giveBack(lease: Lease, how: (inner: Lease) => Promise<void>): Promise<void> {
    const out = this.#out.get(lease);
    if (!out) {
      if (this.#ended.has(lease)) return Promise.resolve(); // its engine was taken out: nothing left to give back
      return Promise.reject(new PoolError('POOL_INVALID_RELEASE', `this lease is not out from pool ${this.poolName} (released twice, or another pool's)`));
    }
    this.#out.delete(lease);
    return how(out.inner);
  }

  async #run(lease: Lease, member: EngineMember, inner: Lease, cmd: Command, options: LeaseRunOptions | undefined): Promise<PoolExecResult> {
    try {
      return await inner.run(cmd, options);
    } catch (err) {
      // Failed as its engine went away? Check it (at once): taken out, the lease ended with POOL_ENGINE_DOWN.
      if (!this.#ended.has(lease) && PoolError.is(err) && err.code === 'POOL_RUN_FAILED') await member.check();
      const down = this.#ended.get(lease);
      if (down) throw new PoolError('POOL_ENGINE_DOWN', `lease.run: ${down.message}`, { cause: err });
      throw err;
    }
  }
}
