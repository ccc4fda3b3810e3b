import { testEngines } from '@pocketdock/testkit';
import { ContainerError } from '../../src/index.js';
import type { Container, FileWatch, WatchEvent } from '../../src/index.js';
import { processes, rejection, sandbox } from './helpers.js';

const codeOf = (err: unknown): string | undefined => (ContainerError.is(err) ? err.code : String(err));

/** Reads events until `done(events)` says enough (or 20 s pass: then fails with what came). */
async function collect(w: FileWatch, done: (events: WatchEvent[]) => boolean): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const deadline = Date.now() + 20_000;
  while (!done(events)) {
    const next = await Promise.race([w.next(), new Promise<'late'>((r) => setTimeout(() => r('late'), Math.max(0, deadline - Date.now())).unref())]);
    if (next === 'late' || next.done) throw new Error(`watch: got only ${JSON.stringify(events)}`);
    events.push(next.value);
  }
  return events;
}
const has = (events: WatchEvent[], type: string, path: string): boolean => events.some((e) => e.type === type && e.path === path);

describe.each(testEngines())('watch on $name', (engine) => {
  let c: Container;
  beforeAll(async () => {
    c = await sandbox(engine);
  }, 60_000);
  afterAll(async () => {
    await c?.shutdown({ force: true });
  }, 60_000);

  it('reports create, modify, rename and delete, recursively; return() ends the watcher in the container', async () => {
    await c.run('mkdir -p /w1');
    const w = await c.watch('/w1', { recursive: true });
    await c.writeFile('/w1/a.txt', 'one');
    expect(has(await collect(w, (e) => has(e, 'create', '/w1/a.txt')), 'create', '/w1/a.txt')).toBe(true);
    await c.run('echo more >> /w1/a.txt');
    await collect(w, (e) => has(e, 'modify', '/w1/a.txt'));
    await c.run('mv /w1/a.txt /w1/b.txt');
    const renamed = await collect(w, (e) => e.some((x) => x.type === 'rename'));
    expect(renamed.find((x) => x.type === 'rename')).toEqual({ type: 'rename', path: '/w1/b.txt', oldPath: '/w1/a.txt' });
    await c.run('mkdir -p /w1/d/e && echo x > /w1/d/e/f');
    await collect(w, (e) => has(e, 'create', '/w1/d/e/f'));
    await c.run('rm /w1/b.txt');
    await collect(w, (e) => has(e, 'delete', '/w1/b.txt'));
    await w.return();
    expect(await w.next()).toEqual({ value: undefined, done: true });
    expect((await processes(c)).filter((p) => p.includes('pocketdock-watch'))).toEqual([]);
  }, 90_000);

  it('without recursive sees only direct entries; a slow reader gets one overflow event', async () => {
    await c.run('mkdir -p /w2/sub');
    const w = await c.watch('/w2', { maxQueue: 2, intervalMs: 50 });
    try {
      await c.run('echo x > /w2/sub/deep; for i in 1 2 3 4 5; do echo $i > /w2/f$i; done');
      await new Promise((r) => setTimeout(r, 1500)); // not reading: the queue fills
      const events = await collect(w, (e) => e.some((x) => x.type === 'overflow'));
      expect(events.slice(0, 2).every((e) => e.type === 'create' && /^\/w2\/f\d$/.test(e.path))).toBe(true);
      expect(events[2]).toEqual({ type: 'overflow', path: '', dropped: 3 });
      expect(events.some((e) => e.path === '/w2/sub/deep')).toBe(false);
    } finally {
      await w.close();
    }
  }, 90_000);

  it('answers bad paths and options with codes; ends when the sandbox shuts down', async () => {
    expect(codeOf(await rejection(c.watch('/no/such/dir')))).toBe('FILE_NOT_FOUND');
    expect(codeOf(await rejection(c.watch('relative')))).toBe('FILE_INVALID_PATH');
    expect(codeOf(await rejection(c.watch('/tmp', { intervalMs: 1 })))).toBe('CONTAINER_INVALID_OPTIONS');
    const other = await sandbox(engine);
    const w = await other.watch('/tmp');
    const next = w.next();
    await other.shutdown({ force: true });
    expect(await next).toEqual({ value: undefined, done: true });
  }, 90_000);
});
