import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineProxy, tempDir, until } from '@pocketdock/testkit';
import { PoolError } from '../../src/index.js';
import type { Lease, PlacementPolicy } from '../../src/index.js';
import { poolContainers } from './helpers.js';
import { bothEngines, containersOn, engineOf, testMultiPool, trackEngines } from './multi-helpers.js';

const { docker, podman } = bothEngines();
const releaseActive = async (leases: Lease[]): Promise<void> => void (await Promise.all(leases.filter((l) => l.active).map((l) => l.release())));
const engines = [
  { name: 'docker', socketPath: docker.socketPath },
  { name: 'podman', socketPath: podman.socketPath },
];

describe('a pool over Docker and Podman', () => {
  it('spreads leases by least load, keeps the total maxSize, and its shutdown leaves nothing on either engine', async () => {
    let name = '';
    {
      await using pool = await testMultiPool(engines.map((e) => ({ ...e, maxSize: 3 })), { maxSize: 4 });
      const seen = trackEngines(pool);
      const leases = await Promise.all(Array.from({ length: 4 }, () => pool.acquire({ timeoutMs: 30_000 })));
      await using _release = { [Symbol.asyncDispose]: () => releaseActive(leases) }; // a failed expect must not leave shutdown waiting
      expect(leases.map((l) => engineOf(seen, l)).sort()).toEqual(['docker', 'docker', 'podman', 'podman']);
      // Every lease runs, whatever engine it is on.
      for (const lease of leases) expect((await lease.run('echo hi')).stdout).toBe('hi\n');
      const s = pool.stats();
      expect([s.leased, s.engines.docker!.leased, s.engines.podman!.leased]).toEqual([4, 2, 2]);
      expect([s.engines.docker!.kind, s.engines.podman!.kind]).toEqual(['docker', 'podman']);
      // The total is 4 although each engine could hold 3: the fifth waits, and times out.
      await expect(pool.acquire({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'POOL_ACQUIRE_TIMEOUT' });
      expect((await containersOn(docker, pool, 'docker')).length + (await containersOn(podman, pool, 'podman')).length).toBe(4);
      // A released container serves the next acquire (here the only place left is its own).
      const waiting = pool.acquire({ timeoutMs: 20_000 });
      await leases[0]!.release();
      const next = await waiting;
      leases.push(next);
      expect(next.active).toBe(true);
      await expect(leases[0]!.release()).rejects.toMatchObject({ code: 'POOL_INVALID_RELEASE' });
      name = pool.name;
    }
    expect(await poolContainers(docker, `${name}.docker`)).toEqual([]);
    expect(await poolContainers(podman, `${name}.podman`)).toEqual([]);
  }, 90_000);

  it('in order: fills the first engine up to its maxSize before the next', async () => {
    await using pool = await testMultiPool(engines.map((e) => ({ ...e, maxSize: 2 })), { placement: 'in-order' });
    const seen = trackEngines(pool);
    const leases = [];
    try {
      for (let i = 0; i < 3; i++) leases.push(await pool.acquire({ timeoutMs: 30_000 }));
      expect(leases.map((l) => engineOf(seen, l))).toEqual(['docker', 'docker', 'podman']);
    } finally {
      await Promise.all(leases.map((l) => l.release()));
    }
  }, 60_000);

  it('a policy of its own decides, among the engines that can serve', async () => {
    const asked: string[][] = [];
    const podmanFirst: PlacementPolicy = {
      name: 'podman-first',
      choose: (candidates, need) => {
        asked.push([need, ...candidates.map((c) => c.engine)]);
        return candidates.find((c) => c.engine === 'podman') ?? candidates[0];
      },
    };
    await using pool = await testMultiPool(engines, { placement: podmanFirst });
    const seen = trackEngines(pool);
    await using lease = await pool.acquire({ timeoutMs: 30_000 });
    expect(engineOf(seen, lease)).toBe('podman');
    expect(asked[0]).toEqual(['create', 'docker', 'podman']);
  }, 60_000);

  it('refuses bad options before connecting, and fails when no engine answers', async () => {
    await expect(testMultiPool([{ socketPath: docker.socketPath, maxSize: 0 }])).rejects.toMatchObject({ code: 'POOL_INVALID_OPTIONS' });
    const err: unknown = await testMultiPool(['/nonexistent/a.sock', '/nonexistent/b.sock'], { onError: () => undefined }).catch((e: unknown) => e);
    expect(PoolError.is(err) && err.code).toBe('POOL_ENGINE_ERROR');
    expect((err as Error).message).toContain('no engine answered');
  }, 30_000);

  it('starts with the engines that answer and takes in one that comes later', async () => {
    await using proxy = await EngineProxy.start(docker.socketPath);
    await proxy.down();
    const ups: { engine: string; rejoined: boolean }[] = [];
    await using pool = await testMultiPool(
      [
        { name: 'docker', socketPath: proxy.path },
        { name: 'podman', socketPath: podman.socketPath },
      ],
      { minIdle: 2, onError: () => undefined },
    );
    pool.on('engine-up', ({ engine, rejoined }) => ups.push({ engine, rejoined }));
    expect(pool.stats().engines.docker!.state).toBe('down');
    await until(() => pool.stats().engines.podman!.idle === 2, { what: 'podman to hold the whole minIdle' });
    await proxy.up();
    await until(() => pool.stats().engines.docker!.state === 'up', { timeoutMs: 15_000, what: 'docker to join' });
    expect(ups).toEqual([{ engine: 'docker', rejoined: false }]);
    await until(() => pool.stats().engines.docker!.idle === 1, { timeoutMs: 15_000, what: 'docker to take its share of minIdle' });
  }, 60_000);

  it('takes engines by Docker context and by address, as engine-socket reads them', async () => {
    await using dir = await tempDir();
    const context = 'pd-test-ctx';
    const meta = join(dir.path, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(join(meta, 'meta.json'), JSON.stringify({ Name: context, Metadata: {}, Endpoints: { docker: { Host: `unix://${docker.socketPath}` } } }));
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir.path; // where the docker CLI (and engine-socket) look for contexts
    let pool;
    try {
      pool = await testMultiPool([{ name: 'ctx', context }, `unix://${podman.socketPath}`]);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
    await using _pool = pool;
    const { engines: e } = pool.stats();
    expect([e.ctx!.state, e.ctx!.kind, e.e1!.state, e.e1!.kind]).toEqual(['up', 'docker', 'up', 'podman']);
    expect(e.ctx!.address).toContain(docker.socketPath);
    await using a = await pool.acquire({ timeoutMs: 30_000 });
    await using b = await pool.acquire({ timeoutMs: 30_000 });
    expect([pool.stats().engines.ctx!.leased, pool.stats().engines.e1!.leased]).toEqual([1, 1]);
    expect((await a.run('echo a')).stdout + (await b.run('echo b')).stdout).toBe('a\nb\n');
  }, 60_000);

  it('shuts down across engines: waits for leases on both until the signal, then revokes them; nothing left', async () => {
    const pool = await testMultiPool(engines, { minIdle: 2 });
    let shut: Promise<void> | undefined;
    try {
      const seen = trackEngines(pool);
      const a = await pool.acquire({ timeoutMs: 30_000 });
      const b = await pool.acquire({ timeoutMs: 30_000 });
      expect([engineOf(seen, a), engineOf(seen, b)].sort()).toEqual(['docker', 'podman']);
      const ac = new AbortController();
      let done = false;
      shut = pool.shutdown({ signal: ac.signal }).then(() => void (done = true));
      await expect(pool.acquire()).rejects.toMatchObject({ code: 'POOL_SHUTDOWN' });
      await b.release(); // one comes back on its own
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false); // still waiting for the other
      ac.abort();
      await shut;
      expect(a.active).toBe(false);
      await a.release(); // revoked: a no-op
    } finally {
      await (shut ?? pool.shutdown());
    }
    expect(await poolContainers(docker, `${pool.name}.docker`)).toEqual([]);
    expect(await poolContainers(podman, `${pool.name}.podman`)).toEqual([]);
  }, 60_000);
});
