import { testEngines } from '@pocketdock/testkit';
import { ContainerError } from '../../src/index.js';
import { rejection, sandbox } from './helpers.js';

describe.each(testEngines())('readOnlyRoot and tmpfs on $name', (engine) => {
  it('the image is read-only; each tmpfs is writable, bounded by its size, and a mount of its own', async () => {
    await using c = await sandbox(engine, { readOnlyRoot: true, tmpfs: { '/scratch': 'size=2m,mode=1777', '/tmp': '' } });
    expect((await c.run('echo x > /etc/secret')).stderr).toMatch(/Read-only file system/);
    expect((await c.run('echo x > /scratch/a && echo x > /tmp/b && cat /scratch/a /tmp/b')).stdout).toBe('x\nx\n');
    expect((await c.run('dd if=/dev/zero of=/scratch/big bs=1M count=4 2>&1')).stdout).toMatch(/No space left/);
    const mounts = (await c.run('cat /proc/self/mountinfo')).stdout;
    expect(mounts).toMatch(/ \/scratch rw,[^ ]* .*- tmpfs /);
    expect(mounts).toMatch(/ \/ ro,/);
    await c.run('rm /scratch/big');
    // The file calls go through the engine's archive endpoint. Docker's refuses any upload to a container with a
    // read-only root (even into a tmpfs) and does not see tmpfs mounts (what the README says); Podman's does both.
    const upload = await rejection(c.writeFile('/scratch/c', 'through the archive endpoint'));
    if (engine.name === 'docker') {
      expect(ContainerError.is(upload) && [upload.code, upload.message]).toEqual(['CONTAINER_ENGINE_ERROR', expect.stringMatching(/read-only/)]);
      await c.run('echo through a command > /scratch/c');
      const read = await rejection(c.readFile('/scratch/c'));
      expect(ContainerError.is(read) && read.code).toBe('FILE_NOT_FOUND');
    } else {
      expect(upload).toBeUndefined();
      expect((await c.readFile('/scratch/c')).toString()).toBe('through the archive endpoint');
    }
    expect(ContainerError.is(await rejection(c.writeFile('/etc/d', 'no')))).toBe(true);
  }, 60_000);

  it('refuses a tmpfs at / or with spaces in its options', async () => {
    for (const tmpfs of [{ '/': '' }, { '/x': 'size=1m mode=1777' }, { relative: '' }] as Record<string, string>[]) {
      const err = await rejection(sandbox(engine, { tmpfs }));
      expect(ContainerError.is(err) && err.code).toBe('CONTAINER_INVALID_OPTIONS');
    }
  });
});
