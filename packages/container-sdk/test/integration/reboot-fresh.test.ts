import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rawJson, tempDir, testEngines, until } from '@pocketdock/testkit';
import { openContainer } from '../../src/index.js';
import { sandbox } from './helpers.js';

interface Inspect {
  Id: string;
  Name: string;
  Config: { Image: string; Env: string[]; Cmd: string[]; WorkingDir: string; Labels: Record<string, string> };
  HostConfig: { Memory: number; PidsLimit: number; NetworkMode: string; Binds: string[] | null };
}

describe.each(testEngines())('reboot({ fresh: true }) from an opened handle on $name', (engine) => {
  const { socketPath } = engine;
  const inspect = (id: string): Promise<Inspect> => rawJson<Inspect>({ socketPath, path: `/v1.41/containers/${id}/json` });

  it('a new container with the options it was created with: files gone, same name, image, env, labels, limits, volumes, main process', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'shared.txt'), 'from the host\n');
    const name = `pd-fresh-${randomBytes(4).toString('hex')}`;
    const project = `proj-fresh-${randomBytes(4).toString('hex')}`;
    await using created = await sandbox(engine, {
      name,
      project,
      memLimit: '48m',
      pidsLimit: 300,
      env: { KEEP: 'yes', SPACED: 'a b' },
      labels: { team: 'infra' },
      workdir: '/tmp',
      volumes: { [dir.path]: { path: '/host', readOnly: true } },
      command: ['sh', '-c', 'echo main > /tmp/main.txt; exec sleep 1000000'],
    });
    await created.writeFile('/state.txt', 'before');
    const before = await inspect(created.id);
    // a handle that knows only the name, as the CLI's
    const c = await openContainer(name, { socketPath });
    try {
      await c.reboot({ fresh: true });
      expect(c.id).not.toBe(created.id);
      expect(c.name).toBe(name);
      expect((await rawJson({ socketPath, path: `/v1.41/containers/${created.id}/json` }).catch((err: unknown) => err)) as object).toBeInstanceOf(Error);
      await expect(c.readFile('/state.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      expect((await c.run('echo "$KEEP/$SPACED"; pwd; cat /host/shared.txt')).stdout).toBe('yes/a b\n/tmp\nfrom the host\n');
      // the main process ran again (it writes this file as it starts)
      await until(async () => (await c.run('cat /tmp/main.txt')).stdout === 'main\n', { what: 'the main process to run' });
      expect((await c.run('touch /host/x')).exitCode).not.toBe(0); // still read-only
      const after = await inspect(c.id);
      expect(after.Config.Image).toBe(before.Config.Image);
      expect([...after.Config.Env].sort()).toEqual([...before.Config.Env].sort());
      expect(after.Config.Cmd).toEqual(before.Config.Cmd);
      const { 'pocketdock.created-at': _a, 'pocketdock.instance': _b, ...labelsAfter } = after.Config.Labels;
      const { 'pocketdock.created-at': _c, 'pocketdock.instance': _d, ...labelsBefore } = before.Config.Labels;
      expect(labelsAfter).toEqual(labelsBefore);
      expect(labelsAfter).toMatchObject({ team: 'infra', 'pocketdock.project': project, 'pocketdock.managed': 'true' });
      expect(after.HostConfig.Memory).toBe(48 * 1024 * 1024);
      expect(after.HostConfig.PidsLimit).toBe(300);
      expect(after.HostConfig.NetworkMode).toBe(before.HostConfig.NetworkMode);
    } finally {
      await c.shutdown({ force: true });
    }
  });
});
