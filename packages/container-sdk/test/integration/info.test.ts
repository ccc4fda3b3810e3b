import { rawRequest, testEngines, until } from '@pocketdock/testkit';
import { parseTop } from '../../src/info.js';
import { sandbox } from './helpers.js';

describe('parseTop', () => {
  it("reads Docker's columns and Podman's one-string rows", () => {
    expect(parseTop({ Titles: ['UID', 'PID', 'PPID', 'CMD'], Processes: [['root', '12', '1', 'sleep infinity']] })).toEqual([{ pid: 12, user: 'root', command: 'sleep infinity' }]);
    expect(parseTop({ Titles: ['PID   USER     COMMAND'], Processes: [['6 root     sleep infinity']] })).toEqual([{ pid: 6, user: 'root', command: 'sleep infinity' }]);
  });
});

describe.each(testEngines())('info() on $name', (engine) => {
  it('reports a running container: status, limits, usage, processes', async () => {
    await using c = await sandbox(engine, { memLimit: '64m' });
    await c.run('sleep 310', { detach: true });
    // A detached run resolves once its exec started: its shell may not have become `sleep` yet.
    await until(async () => (await c.info()).processes.some((p) => p.command.includes('sleep 310')), { what: 'sleep 310 to run' });
    const info = await c.info();
    expect(info).toMatchObject({ id: c.id, name: c.name, status: 'running', image: 'pocketdock/busybox:test', memoryLimit: 64 * 1024 * 1024, networks: expect.any(Array) });
    expect(info.startedAt).toBeInstanceOf(Date);
    expect(info.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(info.memoryUsage).toBeGreaterThan(0);
    expect(info.memoryPercent).toBeGreaterThan(0);
    expect(info.memoryPercent).toBeLessThan(100);
    expect(info.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(info.pids).toBeGreaterThanOrEqual(3);
    expect(info.processes.map((p) => p.command).join('\n')).toContain('sleep 310');
  });

  it('reports a stopped container without resource figures', async () => {
    await using c = await sandbox(engine);
    await c.stop();
    const info = await c.info();
    expect(info.status).toBe('exited');
    expect([info.uptimeMs, info.memoryUsage, info.cpuPercent, info.processes]).toEqual([0, undefined, undefined, []]);
  });

  it('a removed container is CONTAINER_NOT_FOUND', async () => {
    await using c = await sandbox(engine);
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${c.id}?force=true` });
    await expect(c.info()).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
  });

  it('does not fail when the container disappears during the call', async () => {
    await using c = await sandbox(engine);
    const pending = c.info();
    await rawRequest({ socketPath: engine.socketPath, method: 'DELETE', path: `/v1.41/containers/${c.id}?force=true` });
    const outcome: { status?: string; code?: string; message?: string } = await pending.then(
      (info) => ({ status: info.status }),
      (err: { code?: string; message?: string }) => ({ code: err.code, message: err.message }),
    );
    // either its inspect came first (and it reports what it could), or the container was already gone
    if (outcome.code !== undefined) expect(outcome).toEqual({ code: 'CONTAINER_NOT_FOUND', message: expect.any(String) });
    else expect(outcome.status).toEqual(expect.any(String));
  });
});
