import { rawJson, testEngines } from '@pocketdock/testkit';
import { DEFAULT_PIDS_LIMIT } from '../../src/index.js';
import type { Container } from '../../src/index.js';
import { sandbox } from './helpers.js';

/** The pids cgroup's limit as the container sees it (cgroup v2, else v1). */
async function pidsMax(c: Container): Promise<string> {
  const r = await c.run('cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max');
  return r.stdout.trim();
}

// Regression: with default options Docker gave a sandbox no process limit at all (pids.max "max"; Podman's engine
// default is 2048), so a fork bomb in it could exhaust the host's PIDs.
describe.each(testEngines())('process limit on $name', (engine) => {
  it(`a sandbox with default options is capped at ${DEFAULT_PIDS_LIMIT} processes`, async () => {
    await using c = await sandbox(engine);
    const info = await rawJson<{ HostConfig: { PidsLimit: number | null } }>({ socketPath: engine.socketPath, path: `/v1.41/containers/${c.id}/json` });
    expect(info.HostConfig.PidsLimit).toBe(1024);
    expect(await pidsMax(c)).toBe('1024');
  });

  it('pidsLimit overrides it, and the cap holds: forks past it fail inside, the host is untouched', async () => {
    await using c = await sandbox(engine, { pidsLimit: 16 });
    expect(await pidsMax(c)).toBe('16');
    // 40 background sleeps in a container allowed 16 processes (init and the main process count too): busybox sh
    // gives up at the first fork the kernel refuses. Nothing is run after it: the container is full.
    const r = await c.run('for i in $(seq 40); do sleep 60 >/dev/null 2>&1 & done; echo survived', { timeoutMs: 20_000 });
    expect(r).toMatchObject({ timedOut: false, stdout: '' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/can't fork/);
  });
});
