/** One engine a lease could come from, as a placement policy sees it. */
export interface EngineLoad {
  /** The engine's `name` in the pool's `engines`. */
  engine: string;
  /** Its position in `engines`. */
  index: number;
  idle: number;
  /** Out on leases, being created, or being checked after a release: the engine's busy containers. */
  busy: number;
  /** Every container of the pool on this engine (idle, busy, being removed). */
  total: number;
  /** This engine's `maxSize`. */
  maxSize: number;
}

/** Why a placement is asked for: every candidate has an idle container (`idle`), or room to create one (`create`). */
export type PlacementNeed = 'idle' | 'create';

/**
 * Where the next lease of a pool over several engines comes from. The pool asks first among the engines with an
 * idle container (`need: 'idle'`), and only when none has one among those with room to create (`need: 'create'`);
 * engines out of service are never candidates. `choose` returns one of `candidates` (or undefined: wait). It is
 * called synchronously on every placement, so keep it cheap; it may keep state (round robin does).
 *
 * @example
 * const fewestLeased: PlacementPolicy = { name: 'fewest', choose: (c) => [...c].sort((a, b) => a.busy - b.busy)[0] };
 */
export interface PlacementPolicy {
  readonly name: string;
  choose(candidates: readonly EngineLoad[], need: PlacementNeed): EngineLoad | undefined;
}

/** The built-in policies by name: `placement: 'least-loaded'` (default), `'round-robin'` or `'in-order'`. */
export type PlacementName = 'least-loaded' | 'round-robin' | 'in-order';

/**
 * The engine whose share of its `maxSize` is busy is lowest (ties: the one with more idle containers, then the first
 * listed). Spreads leases over engines in proportion to their `maxSize`.
 */
export function leastLoaded(): PlacementPolicy {
  return {
    name: 'least-loaded',
    choose(candidates) {
      let best: EngineLoad | undefined;
      for (const c of candidates) {
        if (!best) best = c;
        else {
          const diff = c.busy * best.maxSize - best.busy * c.maxSize; // c.busy / c.maxSize vs best's, without division
          if (diff < 0 || (diff === 0 && c.idle > best.idle)) best = c;
        }
      }
      return best;
    },
  };
}

/** Each placement goes to the next engine after the one chosen last, in `engines` order (skipping non-candidates). */
export function roundRobin(): PlacementPolicy {
  let last = -1;
  return {
    name: 'round-robin',
    choose(candidates) {
      if (candidates.length === 0) return undefined;
      const sorted = [...candidates].sort((a, b) => a.index - b.index);
      const next = sorted.find((c) => c.index > last) ?? sorted[0]!;
      last = next.index;
      return next;
    },
  };
}

/** The first engine listed that can serve: fills `engines[0]` up to its `maxSize` before using the next (packing). */
export function inOrder(): PlacementPolicy {
  return {
    name: 'in-order',
    choose: (candidates) => candidates.reduce<EngineLoad | undefined>((first, c) => (first === undefined || c.index < first.index ? c : first), undefined),
  };
}

/** The policy for a `placement` option: a built-in's name, or the caller's own policy as it is. */
export function placementPolicy(placement: PlacementName | PlacementPolicy): PlacementPolicy {
  if (typeof placement !== 'string') return placement;
  return placement === 'round-robin' ? roundRobin() : placement === 'in-order' ? inOrder() : leastLoaded();
}

/**
 * Each engine's share of a total `minIdle`: its own `minIdle` first, then what is left one by one to the engine in
 * service with the smallest share (ties: the first listed), each up to its `cap` (`min(maxIdle, maxSize)`). Engines
 * out of service get 0: their share goes to the others, up to the totals.
 */
export function idleShares(engines: readonly { minIdle: number; cap: number; up: boolean }[], totalMinIdle: number): number[] {
  const shares = engines.map((e) => (e.up ? Math.min(e.minIdle, e.cap) : 0));
  for (let left = totalMinIdle - shares.reduce((a, b) => a + b, 0); left > 0; left--) {
    let best = -1;
    for (let i = 0; i < engines.length; i++) {
      if (engines[i]!.up && shares[i]! < engines[i]!.cap && (best < 0 || shares[i]! < shares[best]!)) best = i;
    }
    if (best < 0) break;
    shares[best]!++;
  }
  return shares;
}
