import { HealthWatch, reconnectDelayMs } from '../src/engine-health.js';
import { inOrder, leastLoaded, roundRobin } from '../src/index.js';
import type { EngineLoad, PlacementPolicy } from '../src/index.js';
import { parseMultiPoolOptions } from '../src/multi-options.js';
import { idleShares, placementPolicy } from '../src/placement.js';

const load = (index: number, o: Partial<EngineLoad> = {}): EngineLoad => ({ engine: `e${index}`, index, idle: 0, busy: 0, total: 0, maxSize: 4, ...o });

describe('placement policies', () => {
  it('least loaded: the lowest busy share of maxSize, then the most idle, then the first listed', () => {
    const p = leastLoaded();
    expect(p.choose([load(0, { busy: 2 }), load(1, { busy: 1 })], 'create')?.index).toBe(1);
    // 2 of 8 busy is less loaded than 1 of 2.
    expect(p.choose([load(0, { busy: 1, maxSize: 2 }), load(1, { busy: 2, maxSize: 8 })], 'create')?.index).toBe(1);
    expect(p.choose([load(0, { idle: 1 }), load(1, { idle: 3 })], 'idle')?.index).toBe(1);
    expect(p.choose([load(0), load(1)], 'create')?.index).toBe(0);
    expect(p.choose([], 'create')).toBeUndefined();
  });

  it('least loaded spreads creates evenly when each placement counts', () => {
    const p = leastLoaded();
    const engines = [load(0), load(1)];
    const picks: number[] = [];
    for (let i = 0; i < 6; i++) {
      const c = p.choose(engines, 'create')!;
      picks.push(c.index);
      engines[c.index] = { ...c, busy: c.busy + 1 };
    }
    expect(picks).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('round robin: the next engine after the last one chosen, skipping those that are not candidates', () => {
    const p = roundRobin();
    const all = [load(0), load(1), load(2)];
    expect([0, 1, 2, 3].map(() => p.choose(all, 'idle')?.index)).toEqual([0, 1, 2, 0]);
    expect(p.choose([load(0), load(2)], 'create')?.index).toBe(2);
    expect(p.choose([load(0), load(1)], 'create')?.index).toBe(0);
  });

  it('in order: always the first listed candidate', () => {
    const p = inOrder();
    expect(p.choose([load(2), load(1, { busy: 3 })], 'create')?.index).toBe(1);
  });

  it('a placement option: built-in names, or the caller policy as it is', () => {
    expect(placementPolicy('round-robin').name).toBe('round-robin');
    expect(placementPolicy('in-order').name).toBe('in-order');
    expect(placementPolicy('least-loaded').name).toBe('least-loaded');
    const mine: PlacementPolicy = { name: 'mine', choose: (c) => c[c.length - 1] };
    expect(placementPolicy(mine)).toBe(mine);
  });
});

describe('idleShares', () => {
  const e = (minIdle: number, cap: number, up = true) => ({ minIdle, cap, up });

  it('gives each engine its own minIdle, then the rest one by one up to each cap', () => {
    expect(idleShares([e(0, 4), e(0, 4)], 4)).toEqual([2, 2]);
    expect(idleShares([e(0, 4), e(0, 4)], 3)).toEqual([2, 1]);
    expect(idleShares([e(2, 4), e(0, 4)], 3)).toEqual([2, 1]);
    expect(idleShares([e(0, 1), e(0, 8)], 5)).toEqual([1, 4]);
  });

  it("moves an engine's share to the others while it is out, up to their caps", () => {
    expect(idleShares([e(1, 4, false), e(1, 4)], 4)).toEqual([0, 4]);
    expect(idleShares([e(0, 4, false), e(0, 2)], 4)).toEqual([0, 2]);
    expect(idleShares([e(0, 4, false), e(0, 2, false)], 4)).toEqual([0, 0]);
  });
});

describe('parseMultiPoolOptions', () => {
  const base = { name: 'p', image: 'i' };

  it('reads strings as socket paths or addresses, names engines, and defaults the totals', () => {
    const o = parseMultiPoolOptions({ ...base, engines: ['/run/a.sock', 'ssh://me@host', { name: 'ctx', context: 'remote', maxSize: 3, minIdle: 1 }] });
    expect(o.engines.map((x) => x.name)).toEqual(['e0', 'e1', 'ctx']);
    expect(o.engines[0]!.connect).toEqual({ socketPath: '/run/a.sock' });
    expect(o.engines[1]!.connect).toEqual({ dockerHost: 'ssh://me@host' });
    expect(o.engines[2]!.connect).toMatchObject({ configFiles: false, host: { env: { DOCKER_CONTEXT: 'remote', DOCKER_HOST: undefined } } });
    expect(o.maxSize).toBe(23); // 10 + 10 + 3
    expect(o.minIdle).toBe(1);
    expect(o.placement.name).toBe('least-loaded');
  });

  it('an engine without its own maxSize is capped by the total', () => {
    const o = parseMultiPoolOptions({ ...base, maxSize: 4, engines: ['/a', { socketPath: '/b', maxSize: 2 }] });
    expect(o.engines.map((x) => x.maxSize)).toEqual([4, 2]);
  });

  it.each([
    [{ engines: [] }, 'engines'],
    [{ engines: [{ socketPath: '/a', dockerHost: 'tcp://h' }] }, 'exactly one'],
    [{ engines: ['/a', { name: 'e0', socketPath: '/b' }] }, 'e0 is used twice'],
    [{ engines: ['/a'], socketPath: '/b' }, 'socketPath'],
    [{ engines: ['/a'], minIdle: 5, maxSize: 4 }, 'minIdle'],
    [{ engines: [{ socketPath: '/a', minIdle: 2 }], minIdle: 1 }, 'minIdle'],
    [{ engines: ['/a'], placement: 'random' }, 'placement'],
    [{ engines: ['/a'], image: '' }, 'image'],
    [{ engines: ['/a'], onError: 3 }, 'onError'],
  ])('refuses %j with POOL_INVALID_OPTIONS', (bad, says) => {
    let thrown: unknown;
    try {
      parseMultiPoolOptions({ ...base, ...bad } as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'POOL_INVALID_OPTIONS' });
    expect((thrown as Error).message).toContain(says);
  });
});

describe('HealthWatch', () => {
  const timing = { healthIntervalMs: 20, downAfterFailures: 3, probeIntervalMs: 100, maxBackoffMs: 1_000 };

  it('passes on the first answer, and takes the engine out only after downAfterFailures failed pings in a row', async () => {
    let fail = 2;
    let pings = 0;
    const downs: unknown[] = [];
    const watch = new HealthWatch(
      () => {
        pings++;
        return fail-- > 0 ? Promise.reject(new Error('no')) : Promise.resolve();
      },
      timing,
      (err) => downs.push(err),
    );
    watch.start();
    expect(await watch.check()).toBe(true); // 2 failures, then an answer: still up
    expect(pings).toBe(3);
    fail = Infinity;
    expect(await watch.check()).toBe(false);
    expect(downs).toEqual([new Error('no')]);
    const after = pings;
    await new Promise((r) => setTimeout(r, 100));
    expect(pings).toBe(after); // stopped: no more pings
    expect(await watch.check()).toBe(false);
  });

  it('pings every healthIntervalMs while started, and checks asked at once share the running one', async () => {
    let pings = 0;
    const watch = new HealthWatch(
      async () => {
        pings++;
        await new Promise((r) => setTimeout(r, 5));
      },
      timing,
      () => undefined,
    );
    watch.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(pings).toBeGreaterThanOrEqual(3);
    watch.stop();
    const before = pings;
    watch.start();
    await Promise.all([watch.check(), watch.check(), watch.check()]);
    expect(pings).toBe(before + 1);
    watch.stop();
  });

  it('reconnects with backoff: probeIntervalMs doubling, at most maxBackoffMs', () => {
    expect([0, 1, 2, 3, 4, 40].map((n) => reconnectDelayMs(timing, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
});
