import { rawJson, testEngines, testLabels, until } from '@pocketdock/testkit';
import { ContainerError, listSnapshots, pruneSnapshots, removeSnapshot } from '../../src/index.js';
import { rejection, sandbox, untilRunning } from './helpers.js';

/** CPU time (µs) the container used so far, from the engine's stats. */
async function cpuUsage(socketPath: string, id: string): Promise<number> {
  const s = await rawJson<{ cpu_stats: { cpu_usage: { total_usage: number } } }>({ socketPath, path: `/containers/${id}/stats?stream=false` });
  return s.cpu_stats.cpu_usage.total_usage;
}

describe.each(testEngines())('pause, resume and fork on $name', (engine) => {
  it('a paused sandbox uses no CPU, refuses calls with CONTAINER_PAUSED, and its processes and sessions go on after resume', async () => {
    await using c = await sandbox(engine);
    const session = await c.session();
    await session.run('n=41');
    const busy = await c.run('while :; do :; done', { detach: true });
    // An exec the runtime has not started yet when the freezer closes fails ("cannot exec in a paused state").
    await untilRunning(c, 'sh -c while');
    await c.pause();
    expect((await c.info()).status).toBe('paused');
    const before = await cpuUsage(engine.socketPath, c.id);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await cpuUsage(engine.socketPath, c.id)).toBe(before);
    const err = await rejection(c.run('true'));
    expect(ContainerError.is(err) && err.code).toBe('CONTAINER_PAUSED');
    await c.pause(); // already paused: nothing to do
    await c.resume();
    expect(busy.isRunning()).toBe(true);
    expect((await session.run('echo $((n + 1))')).stdout).toBe('42\n');
    await until(async () => (await cpuUsage(engine.socketPath, c.id)) > before, { what: 'CPU use after resume' });
    await busy.kill();
    await c.resume(); // not paused: nothing to do
  }, 60_000);

  it('another client calling a paused sandbox gets CONTAINER_PAUSED from the engine answer; shutdown works while paused', async () => {
    const c = await sandbox(engine);
    try {
      await c.pause();
      const { openContainer } = await import('../../src/index.js');
      const other = await openContainer(c.id, { socketPath: engine.socketPath });
      try {
        const err = await rejection(other.run('true'));
        expect(ContainerError.is(err) && err.code).toBe('CONTAINER_PAUSED');
      } finally {
        await other.shutdown();
      }
    } finally {
      await c.shutdown();
    }
    const gone = await rejection(rawJson({ socketPath: engine.socketPath, path: `/containers/${c.id}/json` }));
    expect(String(gone)).toMatch(/404/);
  }, 60_000);

  it('fork: the new sandbox sees the files, takes overrides, the original runs on; the fork snapshot goes with the fork', async () => {
    const run = testLabels()['pocketdock.test-run']!;
    await using parent = await sandbox(engine, { env: { A: '1' } });
    await parent.writeFile('/work/state.txt', 'from the parent');
    const child = await parent.fork({ env: { A: '2' }, labels: testLabels() });
    let snapshotId: string | undefined;
    try {
      expect((await child.readFile('/work/state.txt')).toString()).toBe('from the parent');
      expect((await child.run('echo $A')).stdout).toBe('2\n');
      await child.writeFile('/work/state.txt', 'changed in the fork');
      expect((await parent.readFile('/work/state.txt')).toString()).toBe('from the parent');
      expect((await parent.run('echo $A')).stdout).toBe('1\n');
      const snaps = (await listSnapshots({ socketPath: engine.socketPath, source: parent.name })).filter((s) => s.kind === 'fork');
      expect(snaps).toHaveLength(1);
      expect(snaps[0]!.labels['pocketdock.test-run']).toBe(run);
      snapshotId = snaps[0]!.id;
      const inUse = await rejection(removeSnapshot(snapshotId, { socketPath: engine.socketPath }));
      expect(ContainerError.is(inUse) && inUse.code).toBe('SNAPSHOT_IN_USE');
    } finally {
      await child.shutdown();
    }
    expect(await listSnapshots({ socketPath: engine.socketPath, source: parent.name })).toEqual([]);
    expect(await pruneSnapshots({ socketPath: engine.socketPath })).not.toContain(snapshotId);
  }, 90_000);

  it('snapshot(): labelled, listed, removable; not a snapshot -> IMAGE_NOT_FOUND', async () => {
    await using c = await sandbox(engine);
    const ref = `pocketdock-test/snap-${c.name.toLowerCase()}:v1`;
    const id = await c.snapshot(ref, { labels: { purpose: 'test' } });
    try {
      const [s] = await listSnapshots({ socketPath: engine.socketPath, source: c.name });
      expect(s).toMatchObject({ id, kind: 'user', source: c.name });
      expect(s!.labels.purpose).toBe('test');
    } finally {
      await removeSnapshot(ref, { socketPath: engine.socketPath });
    }
    expect(await listSnapshots({ socketPath: engine.socketPath, source: c.name })).toEqual([]);
    const err = await rejection(removeSnapshot('pocketdock/busybox:test', { socketPath: engine.socketPath }));
    expect(ContainerError.is(err) && err.code).toBe('IMAGE_NOT_FOUND');
  }, 60_000);
});
