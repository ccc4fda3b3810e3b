import type { DestroyReason } from './pool-events.js';
import type { PooledContainer } from './pooled.js';

/**
 * The idle containers, most recently used last: `take()` hands out the most recently used one (its caches are
 * warm), `trim()` removes from the other end (the longest unused).
 */
export class IdleList {
  readonly #items: PooledContainer[] = [];

  get length(): number {
    return this.#items.length;
  }

  push(pooled: PooledContainer): void {
    pooled.idleSince = Date.now();
    this.#items.push(pooled);
  }

  /** The most recently used container still within its lifetime; expired ones are given to `expired` on the way. */
  take(expired: (pooled: PooledContainer) => void): PooledContainer | undefined {
    for (let p = this.#items.pop(); p; p = this.#items.pop()) {
      if (p.expiresAt > Date.now()) return p;
      expired(p);
    }
    return undefined;
  }

  /**
   * Takes out the containers past their lifetime, then (oldest first) those unused for `idleTimeoutMs`, down to
   * `keep`; each goes to `remove` with its reason.
   */
  trim(idleTimeoutMs: number | undefined, keep: number, remove: (pooled: PooledContainer, reason: DestroyReason) => void): void {
    const now = Date.now();
    for (const p of this.#items.filter((q) => q.expiresAt <= now)) {
      this.#items.splice(this.#items.indexOf(p), 1);
      remove(p, 'max-lifetime');
    }
    if (idleTimeoutMs === undefined) return;
    while (this.#items.length > keep && this.#items[0]!.idleSince + idleTimeoutMs <= now) remove(this.#items.shift()!, 'idle-timeout');
  }

  /** Empties the list. */
  takeAll(): PooledContainer[] {
    return this.#items.splice(0);
  }
}
