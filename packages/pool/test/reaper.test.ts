import type { EngineClient } from '@pocketdock/engine-socket';
import { POOL_LABELS, Semaphore } from '../src/index.js';
import type { PoolError } from '../src/index.js';
import { Reaper } from '../src/reaper.js';

/**
 * Just enough engine for the reaper: list and remove, both failing while `up` is false (a fake: the point here is
 * the retry timing under a fake clock; the real engines are in test/integration/outage-orphans.test.ts).
 */
function stubEngine(containers: Map<string, Record<string, string>>) {
  const state = { up: false, calls: [] as string[] };
  const engine = {
    json: ({ method = 'GET', path }: { method?: string; path: string }): Promise<unknown> => {
      state.calls.push(`${method} ${path}`);
      if (!state.up) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      if (method === 'GET') return Promise.resolve([...containers].map(([Id, Labels]) => ({ Id, State: 'running', Labels })));
      const id = path.split('/')[2]!;
      return containers.delete(id) ? Promise.resolve(undefined) : Promise.reject(Object.assign(new Error('no such container'), { status: 404 }));
    },
  } as unknown as EngineClient;
  return { engine, state };
}

const labels = (token: string): Record<string, string> => ({ [POOL_LABELS.pool]: 'p', [POOL_LABELS.create]: token });

describe('Reaper', () => {
  afterEach(() => jest.useRealTimers());

  it('removes what failed creates (by token) and removals (by id) left, once the engine answers; backs off meanwhile', async () => {
    jest.useFakeTimers();
    const containers = new Map([
      ['a', labels('t1')], // made by the create that failed
      ['b', labels('t2')], // another create's, in use: not touched
      ['c', labels('t3')], // its removal failed
      ['d', { [POOL_LABELS.pool]: 'other', [POOL_LABELS.create]: 't1' }], // another pool's
    ]);
    const { engine, state } = stubEngine(containers);
    const rounds: { at: number; err: PoolError | undefined }[] = [];
    const reports: PoolError[] = [];
    const t0 = Date.now();
    const reaper = new Reaper(engine, new Semaphore(2), 'p', { intervalMs: 100, maxBackoffMs: 500 }, {
      roundEnded: (err) => rounds.push({ at: Date.now() - t0, err }),
      report: (err) => reports.push(err),
    });
    reaper.afterFailedCreate('t1'); // a round at once: fails, the engine is away
    reaper.afterFailedRemove('c');
    expect(reaper.pending).toBe(2); // both hold their place under maxSize
    await jest.advanceTimersByTimeAsync(2_000);
    expect(rounds.map((r) => r.at)).toEqual([0, 200, 600, 1100, 1600]); // 200, 400, then capped at 500: no hot loop
    expect(rounds.every((r) => r.err?.code === 'POOL_ENGINE_ERROR')).toBe(true);
    expect(reports).toHaveLength(1); // the first failure only, not every retry
    expect(reaper.pending).toBe(2);
    state.up = true;
    reaper.nudge(); // an acquire needs the place: no waiting for the backoff
    await jest.advanceTimersByTimeAsync(0);
    expect(rounds.at(-1)).toEqual({ at: 2000, err: undefined });
    expect([...containers.keys()]).toEqual(['b', 'd']);
    expect(reaper.pending).toBe(0);
    const calls = state.calls.length;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(state.calls).toHaveLength(calls); // nothing pending: no more rounds
    await reaper.stop();
  });

  it('a failed create the engine made nothing for is done after one look; stop() drops what is pending', async () => {
    const { engine, state } = stubEngine(new Map());
    state.up = true;
    const ended: (PoolError | undefined)[] = [];
    const reaper = new Reaper(engine, new Semaphore(1), 'p', { intervalMs: 100, maxBackoffMs: 500 }, { roundEnded: (err) => ended.push(err), report: () => undefined });
    reaper.afterFailedCreate('t9');
    await new Promise((r) => setImmediate(r));
    expect(ended).toEqual([undefined]);
    expect(reaper.pending).toBe(0);
    state.up = false;
    reaper.afterFailedRemove('x');
    await reaper.stop(); // waits for the running round, then drops 'x': shutdown's sweep removes it
    expect(reaper.pending).toBe(0);
    reaper.afterFailedRemove('y');
    expect(reaper.pending).toBe(0);
    expect(state.calls).toEqual(['GET /containers/json', 'DELETE /containers/x']); // stopped: no round for 'y'
  });
});
