import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TEST_IMAGE, rawJson, rawRequest, tempDir, testEngines, testLabels } from '@pocketdock/testkit';
import { createLogger, createPocketdock } from '../../src/index.js';
import { writeTree } from '../helpers.js';

const quiet = { env: {}, files: { system: null, user: null } };

/** Limits, network and environment as the container itself sees them (cgroup v2 paths, else v1). */
const INSIDE = [
  'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
  'cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max',
  "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)",
  'ls /sys/class/net | tr "\\n" " "; echo',
  'echo "$GREETING $API_KEY $EXTRA"',
].join('; ');

const containerLabelled = async (socketPath: string, label: string): Promise<string[]> => {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const list = await rawJson<{ Id: string }[]>({ socketPath, path: `/v1.41/containers/json?all=true&filters=${filters}` });
  return list.map((c) => c.Id);
};

const answers = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(`${url}/socket.io/?EIO=4&transport=polling`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.end();
  });

describe.each(testEngines())('createPocketdock on $name', (engine) => {
  it('the sandbox defaults of a project .pocketdock/pocketdock.yaml are what a container from pd.createContainer() sees', async () => {
    await using dir = await tempDir();
    const project = {
      socket: engine.socketPath, // engine-socket's key in its project file
      sandbox: {
        image: TEST_IMAGE,
        memLimit: '64m',
        cpuPercent: 50,
        pidsLimit: 100,
        network: 'none',
        env: { GREETING: 'hello' },
        secretEnv: { API_KEY: 'k-123' },
        labels: testLabels(),
        maxOutputBytes: 1000,
      },
    };
    await writeTree(dir.path, { '.pocketdock/pocketdock.yaml': stringify(project), 'src/app/.keep': '' });
    await using pd = await createPocketdock({ ...quiet, cwd: join(dir.path, 'src/app') });
    expect(pd.settings.explain().find((r) => r.key === 'engine.socket')).toMatchObject({ value: engine.socketPath, source: join(dir.path, '.pocketdock/pocketdock.yaml') });

    const sandbox = await pd.createContainer({ env: { EXTRA: 'extra' } });
    const seen = await sandbox.run(INSIDE);
    expect(seen).toMatchObject({ exitCode: 0, stderr: '' });
    expect(seen.stdout.split('\n')).toEqual([String(64 * 1024 * 1024), '100', '50000 100000', 'lo ', 'hello k-123 extra', '']);
    expect((await pd.engine()).engine).toBe(engine.name);
    expect(sandbox.engine).toBe(await pd.engine());

    const long = await sandbox.run('yes | head -c 5000');
    expect(long).toMatchObject({ truncated: true });
    expect(long.stdout).toHaveLength(1000);
    expect(await sandbox.run('yes | head -c 5000', { maxOutputBytes: 10_000 })).toMatchObject({ truncated: false });

    await pd.close();
    expect((await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${sandbox.id}/json` })).status).toBe(404);
  }, 60_000);

  it('a pool and a flow-manager made from settings share the engine; close() ends them, and what was still being made, leaving nothing', async () => {
    await using dir = await tempDir();
    const pool = `pd-factory-${randomBytes(4).toString('hex')}`;
    const instance = `factory-${engine.name}-${randomBytes(4).toString('hex')}`;
    await using pd = await createPocketdock({
      ...quiet,
      cwd: dir.path,
      env: { [`POCKETDOCK_POOLS__${pool.toUpperCase().replace(/-/g, '_')}__MIN_IDLE`]: '1' },
      overrides: {
        engine: { socket: engine.socketPath, apiVersion: '1.40', timeoutMs: 20_000 },
        sandbox: { image: TEST_IMAGE, labels: testLabels(), env: { FROM: 'sandbox' } },
        pools: { [pool]: { maxSize: 2, refillIntervalMs: 200, labels: testLabels() } },
        flowManager: { port: 0, allowOpenLoopback: true, socketDir: join(dir.path, 'flows'), instance, labels: testLabels() },
        log: { level: 'silent' },
      },
    });
    expect(pd.settings.get(`pools.${pool}.minIdle`)).toBe(1);
    const [runners, again] = await Promise.all([pd.pool(pool), pd.pool(pool)]);
    expect(again).toBe(runners);
    await using lease = await runners.acquire({ timeoutMs: 30_000 });
    expect(await lease.run('echo $FROM')).toMatchObject({ exitCode: 0, stdout: 'sandbox\n' });
    expect(lease.container.engine).toBe(await pd.engine());
    expect((await pd.engine()).apiVersion).toBe('1.40'); // engine.apiVersion pins what the shared client speaks

    const fm = await pd.flowManager();
    expect(await pd.flowManager()).toBe(fm);
    const url = fm.url;
    expect(await answers(url)).toBe(true);

    const stillMaking = pd.createContainer();
    const persistent = await pd.createContainer({ persist: true });
    await using _removed = {
      [Symbol.asyncDispose]: async () => {
        await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${persistent.id}?force=true` });
      },
    };
    const closing = pd.close({ signal: AbortSignal.timeout(200) }); // the lease still out is revoked after 200 ms
    const late = await stillMaking;
    await closing;
    expect(lease.active).toBe(false);

    expect(await containerLabelled(engine.socketPath, `pocketdock.pool=${pool}`)).toEqual([]);
    expect((await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${late.id}/json` })).status).toBe(404);
    expect(await answers(url)).toBe(false);
    await expect((await Promise.resolve(lease.container.engine)).json({ path: '/_ping' })).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
    // persist: left running by close(), as documented (removed by _removed).
    const kept = await rawJson<{ State: { Running: boolean } }>({ socketPath: engine.socketPath, path: `/v1.41/containers/${persistent.id}/json` });
    expect(kept.State.Running).toBe(true);
  }, 120_000);

  it('a part that cannot end does not stop the others: FACTORY_CLOSE_FAILED afterwards, each failure in its cause', async () => {
    await using dir = await tempDir();
    const lines: string[] = [];
    const pd = await createPocketdock({
      ...quiet,
      cwd: dir.path,
      logger: createLogger({ level: 'warn', format: 'text', write: (l) => lines.push(l) }),
      overrides: { engine: { socket: engine.socketPath }, sandbox: { image: TEST_IMAGE, labels: testLabels() }, ipc: { socketDir: dir.path } },
    });
    await using _closed = { [Symbol.asyncDispose]: () => pd.close().catch(() => undefined) }; // rejects, as tested below
    const sandbox = await pd.createContainer();
    await using _removed = {
      [Symbol.asyncDispose]: async () => {
        await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${sandbox.id}?force=true` });
      },
    };
    const server = pd.ipcServer('unix', 'ev');
    await server.start();
    await (await pd.engine()).close(); // the sandbox can no longer be removed through the shared client

    const err = (await pd.close().catch((e: unknown) => e)) as Error & { code: string; cause: AggregateError };
    expect(err).toMatchObject({ code: 'FACTORY_CLOSE_FAILED', message: expect.stringContaining('1 part(s) did not end') });
    expect(err.cause.errors).toHaveLength(1);
    expect(existsSync(join(dir.path, 'ev.sock'))).toBe(false); // the server was stopped all the same
    expect(lines.join('')).toContain(`close: sandbox ${sandbox.name} did not end`);
    await expect(pd.close()).rejects.toBe(err);
  }, 60_000);
});
