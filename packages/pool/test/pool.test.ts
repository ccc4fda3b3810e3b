import { join } from 'node:path';
import { undocumentedCodes } from '@pocketdock/testkit';
import { POOL_ERROR_CODES, PoolError, Semaphore, WaitQueue, configHash, createPool } from '../src/index.js';
import { LatencyWindow } from '../src/latency.js';
import { LeaseBook } from '../src/lease-book.js';
import type { LeaseOwner } from '../src/lease.js';
import type { PooledContainer } from '../src/pooled.js';
import { RefillLoop } from '../src/refill-loop.js';
import { ReleaseChecks } from '../src/release-checks.js';
import type { CheckOutcome } from '../src/release-checks.js';
import { parseMainPid, quickResetScript } from '../src/reset-script.js';
import { TaskSet } from '../src/task-set.js';
import { parsePoolOptions } from '../src/options.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('never runs more than its permits, and hands permits on in FIFO order', async () => {
    const sem = new Semaphore(2);
    const order: number[] = [];
    let active = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      sem.run(async () => {
        order.push(i);
        peak = Math.max(peak, ++active);
        await new Promise<void>((r) => gates.push(r));
        active--;
      }),
    );
    for (let i = 0; i < 6; i++) {
      await tick();
      gates.shift()?.();
    }
    await Promise.all(jobs);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect([sem.active, sem.waiting]).toEqual([0, 0]);
  });

  it('gives the permit back when the task throws', async () => {
    const sem = new Semaphore(1);
    await expect(sem.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(sem.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('WaitQueue', () => {
  const opts = (timeoutMs = 10_000, signal?: AbortSignal) => ({
    timeoutMs,
    signal,
    onTimeout: () => new Error('timeout'),
    onAbort: () => new Error('aborted'),
  });

  it('delivers to the longest waiter first', async () => {
    const q = new WaitQueue<number>();
    const got: string[] = [];
    const a = q.wait(opts()).then((v) => got.push(`a${v}`));
    const b = q.wait(opts()).then((v) => got.push(`b${v}`));
    expect(q.deliver(1)).toBe(true);
    expect(q.deliver(2)).toBe(true);
    expect(q.deliver(3)).toBe(false);
    await Promise.all([a, b]);
    expect(got).toEqual(['a1', 'b2']);
  });

  it('a timed-out or aborted waiter leaves the queue and is never delivered to', async () => {
    const q = new WaitQueue<number>();
    const ac = new AbortController();
    const t = q.wait(opts(10));
    const a = q.wait(opts(10_000, ac.signal));
    const c = q.wait(opts());
    await expect(t).rejects.toThrow('timeout');
    ac.abort();
    await expect(a).rejects.toThrow('aborted');
    expect(q.length).toBe(1);
    q.deliver(5);
    await expect(c).resolves.toBe(5);
  });

  it('failFirst and failAll reject in order', async () => {
    const q = new WaitQueue<number>();
    const a = q.wait(opts());
    const b = q.wait(opts());
    q.failFirst(new Error('first'));
    q.failAll(new Error('all'));
    await expect(a).rejects.toThrow('first');
    await expect(b).rejects.toThrow('all');
    expect(q.length).toBe(0);
  });
});

describe('options', () => {
  it('bad options -> POOL_INVALID_OPTIONS naming the key', async () => {
    await expect(createPool({ name: 'p', image: 'i', maxSize: 0 })).rejects.toMatchObject({ code: 'POOL_INVALID_OPTIONS', message: expect.stringContaining('maxSize') });
    expect(() => parsePoolOptions({ name: 'p', image: 'i', minIdle: 3, maxIdle: 2 })).toThrow(/maxIdle/);
    expect(() => parsePoolOptions({ name: 'p', image: 'i', bogus: 1 })).toThrow(/bogus/);
    expect(() => parsePoolOptions({ image: 'i' })).toThrow(/name/);
    const err = (() => {
      try {
        parsePoolOptions({ name: '', image: 'i' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(PoolError.is(err) && err.cause).toBeTruthy();
  });

  it('defaults: maxIdle follows maxSize', () => {
    expect(parsePoolOptions({ name: 'p', image: 'i', maxSize: 4 })).toMatchObject({ minIdle: 0, maxIdle: 4, maxWaiting: 1000 });
  });

  it('configHash ignores key order and sizes, not the container configuration', () => {
    const a = configHash({ image: 'i', command: undefined, container: { env: { A: '1', B: '2' } }, labels: {} });
    const b = configHash({ image: 'i', command: undefined, container: { env: { B: '2', A: '1' } }, labels: {} });
    const c = configHash({ image: 'i', command: undefined, container: { env: { A: '2' } }, labels: {} });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('TaskSet', () => {
  it('settled() waits for tasks added while it waits, and swallows nothing it should not', async () => {
    const set = new TaskSet();
    const order: string[] = [];
    set.add(
      new Promise<void>((r) => setTimeout(r, 10)).then(() => {
        order.push('a');
        set.add(new Promise<void>((r) => setTimeout(r, 10)).then(() => void order.push('b')));
      }),
    );
    set.add(Promise.reject(new Error('handled by its starter')).catch(() => undefined));
    await set.settled();
    expect(order).toEqual(['a', 'b']);
    expect(set.size).toBe(0);
  });
});

describe('LatencyWindow', () => {
  it('nearest-rank percentiles over the newest samples', () => {
    const w = new LatencyWindow(100);
    expect(w.percentile(50)).toBe(0);
    for (let i = 1; i <= 200; i++) w.add(i);
    expect(w.percentile(50)).toBe(150);
    expect(w.percentile(99)).toBe(199);
  });
});

/** A stand-in for a pooled container whose check the test finishes by hand. */
function fakePooled(): { pooled: PooledContainer; finish: (ok: boolean) => void; resets: () => number } {
  let finish: (ok: boolean) => void = () => undefined;
  let resets = 0;
  const pooled = {
    tainted: false,
    uses: 0,
    reset: () => {
      resets++;
      return new Promise<boolean>((r) => (finish = r));
    },
  } as unknown as PooledContainer;
  return { pooled, finish: (ok) => finish(ok), resets: () => resets };
}

describe('ReleaseChecks', () => {
  it('a check runs in the background; its outcome comes once, when it ends', async () => {
    const outcomes: CheckOutcome[] = [];
    const tasks = new TaskSet();
    const checks = new ReleaseChecks(tasks, (o) => outcomes.push(o));
    const a = fakePooled();
    const b = fakePooled();
    checks.start(a.pooled, undefined);
    checks.start(b.pooled, undefined);
    expect([checks.size, outcomes.length, a.resets()]).toEqual([2, 0, 0]); // starts on the next turn of the loop
    await tick();
    expect([checks.size, outcomes.length, a.resets(), b.resets()]).toEqual([2, 0, 1, 1]);
    b.finish(false);
    a.finish(true);
    await tasks.settled();
    expect(outcomes.map((o) => [o.pooled, o.reason])).toEqual([
      [b.pooled, 'failed-check'],
      [a.pooled, undefined],
    ]);
    expect(checks.size).toBe(0);
  });

  it('with a retire reason there is no check, and the outcome comes after start() returned', async () => {
    const outcomes: CheckOutcome[] = [];
    const tasks = new TaskSet();
    const checks = new ReleaseChecks(tasks, (o) => outcomes.push(o));
    const a = fakePooled();
    checks.start(a.pooled, 'max-uses');
    expect(outcomes).toHaveLength(0);
    await tasks.settled();
    expect(outcomes.map((o) => o.reason)).toEqual(['max-uses']);
    expect(a.resets()).toBe(0);
  });

  it('cancelAll ends every running check at once; their late outcomes are dropped', async () => {
    const outcomes: CheckOutcome[] = [];
    const tasks = new TaskSet();
    const checks = new ReleaseChecks(tasks, (o) => outcomes.push(o));
    const a = fakePooled();
    checks.start(a.pooled, undefined);
    await tick();
    expect(a.resets()).toBe(1);
    checks.cancelAll('shutdown');
    expect(outcomes.map((o) => o.reason)).toEqual(['shutdown']);
    expect(checks.size).toBe(0);
    a.finish(true);
    await tasks.settled();
    expect(outcomes).toHaveLength(1);
  });

  it('a check cancelled before it started never runs', async () => {
    const outcomes: CheckOutcome[] = [];
    const tasks = new TaskSet();
    const checks = new ReleaseChecks(tasks, (o) => outcomes.push(o));
    const a = fakePooled();
    checks.start(a.pooled, undefined);
    checks.cancelAll('shutdown');
    await tasks.settled();
    expect(a.resets()).toBe(0);
    expect(outcomes.map((o) => o.reason)).toEqual(['shutdown']);
  });
});

describe('LeaseBook', () => {
  const owner = {} as LeaseOwner;

  it('closes a lease once; a revoked one is told apart from a foreign one', () => {
    const book = new LeaseBook();
    const { pooled } = fakePooled();
    const a = book.lend(pooled, owner);
    const b = book.lend(pooled, owner);
    expect([book.size, pooled.uses]).toEqual([2, 2]);
    expect(book.close(a)).toBe(pooled);
    expect(book.close(a)).toBeUndefined();
    expect(book.revokeAll()).toEqual([pooled]);
    expect(book.close(b)).toBe('revoked');
    expect(book.size).toBe(0);
  });

  it('empty() resolves when the last lease is closed, or when its signal fires', async () => {
    const book = new LeaseBook();
    const lease = book.lend(fakePooled().pooled, owner);
    let emptied = false;
    const empty = book.empty().then(() => (emptied = true));
    const ac = new AbortController();
    const bounded = book.empty(ac.signal);
    ac.abort();
    await bounded;
    await tick();
    expect(emptied).toBe(false);
    book.close(lease);
    await empty;
    await expect(book.empty()).resolves.toBeUndefined();
  });
});

describe('RefillLoop', () => {
  afterEach(() => jest.useRealTimers());

  it('runs every interval; after failures backs off exponentially up to the cap; kick() only when healthy', async () => {
    jest.useFakeTimers();
    const at: number[] = [];
    let ok = false;
    const loop = new RefillLoop(
      () => {
        at.push(Date.now());
        return Promise.resolve(ok);
      },
      100,
      500,
    );
    const t0 = Date.now();
    await loop.run(); // fails: next in 200
    loop.kick(); // backing off: ignored
    await jest.advanceTimersByTimeAsync(2_000);
    expect(at.map((t) => t - t0)).toEqual([0, 200, 600, 1100, 1600]); // 200, 400, then capped at 500
    ok = true;
    await jest.advanceTimersByTimeAsync(100); // the round at 2100 succeeds
    loop.kick(); // healthy: one more round now
    await jest.advanceTimersByTimeAsync(0);
    expect(at.map((t) => t - t0).slice(5)).toEqual([2100, 2100]);
    loop.stop();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(at).toHaveLength(7);
  });
});

describe('reset scripts', () => {
  it('the quick check names the main process it keeps; bad PIDs are refused', () => {
    expect(quickResetScript(7)).toContain('1|"$$"|7)');
    expect(() => quickResetScript(1)).toThrow(RangeError);
    expect(() => quickResetScript(Number.NaN)).toThrow(RangeError);
    expect(parseMainPid('7\n')).toBe(7);
    expect(parseMainPid('')).toBeUndefined();
    expect(parseMainPid('7 8')).toBeUndefined();
  });
});

describe('errors', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '..', 'README.md'), POOL_ERROR_CODES)).toEqual([]);
  });
});
