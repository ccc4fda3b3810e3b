import { Lease } from './lease.js';
import type { LeaseOwner } from './lease.js';
import type { PooledContainer } from './pooled.js';

/** The leases out of a pool, and the ones a forced shutdown revoked (releasing one of those is a no-op). */
export class LeaseBook {
  readonly #out = new Map<Lease, PooledContainer>();
  readonly #revoked = new WeakSet<Lease>();
  readonly #whenEmpty = new Set<() => void>();

  get size(): number {
    return this.#out.size;
  }

  has(lease: Lease): boolean {
    return this.#out.has(lease);
  }

  /** Lends `pooled` (one more use of it). */
  lend(pooled: PooledContainer, owner: LeaseOwner): Lease {
    const lease = new Lease(pooled, owner);
    pooled.uses++;
    this.#out.set(lease, pooled);
    return lease;
  }

  /** Ends `lease`: its container; `revoked` when a forced shutdown took it; undefined when it is not out from here. */
  close(lease: Lease): PooledContainer | 'revoked' | undefined {
    const pooled = this.#out.get(lease);
    if (!pooled) return this.#revoked.has(lease) ? 'revoked' : undefined;
    this.#out.delete(lease);
    if (this.#out.size === 0) for (const wake of [...this.#whenEmpty]) wake();
    return pooled;
  }

  /** Resolves once no lease is out (all released or destroyed), or when `signal` fires. */
  empty(signal?: AbortSignal): Promise<void> {
    if (this.#out.size === 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', wake);
        this.#whenEmpty.delete(wake);
        resolve();
      };
      this.#whenEmpty.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Ends every lease still out (a forced shutdown): their containers, for removal. */
  revokeAll(): PooledContainer[] {
    const taken = [...this.#out];
    this.#out.clear();
    for (const [lease] of taken) this.#revoked.add(lease);
    return taken.map(([, pooled]) => pooled);
  }
}
