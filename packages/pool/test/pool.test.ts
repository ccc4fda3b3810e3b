import { join } from 'node:path';
import { undocumentedCodes } from '@pocketdock/testkit';
import { POOL_ERROR_CODES, PoolError, Semaphore, WaitQueue, configHash, createPool } from '../src/index.js';
import { LatencyWindow } from '../src/latency.js';
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

describe('errors', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '..', 'README.md'), POOL_ERROR_CODES)).toEqual([]);
  });
});
