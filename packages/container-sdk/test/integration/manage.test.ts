import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { EngineClient, EngineError } from '@pocketdock/engine-socket';
import { rawJson, rawRequest, rawStream, testEngines, testLabels, TEST_IMAGE } from '@pocketdock/testkit';
import { destroyContainer, ensureImage, importImage, listContainers, loadImage, openContainer, prune, removeImage, resumeContainer, stopContainer } from '../../src/index.js';
import { sandbox } from './helpers.js';

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

describe.each(testEngines())('management and images on $name', (engine) => {
  const { socketPath } = engine;
  const exists = async (id: string): Promise<boolean> => (await rawRequest({ socketPath, path: `/v1.41/containers/${id}/json` })).status === 200;

  /** A container pocketdock did not create (no pocketdock.managed label), still labelled for the test run's cleanup. */
  async function foreign(): Promise<{ id: string; [Symbol.asyncDispose](): Promise<void> }> {
    const labels = testLabels();
    delete labels['pocketdock.managed'];
    const { Id } = await rawJson<{ Id: string }>({ socketPath, method: 'POST', path: '/v1.41/containers/create', body: { Image: TEST_IMAGE, Cmd: ['true'], Labels: labels } });
    return { id: Id, [Symbol.asyncDispose]: async () => void (await rawRequest({ socketPath, method: 'DELETE', path: `/v1.41/containers/${Id}?force=true` })) };
  }

  it('lists managed containers, scoped by project, never foreign ones', async () => {
    const a = unique('proj-a');
    await using one = await sandbox(engine, { project: a });
    await using two = await sandbox(engine, { project: a });
    await using other = await sandbox(engine, { project: unique('proj-b') });
    await using outsider = await foreign();
    const scoped = await listContainers({ socketPath, project: a });
    expect(scoped.map((c) => c.id).sort()).toEqual([one.id, two.id].sort());
    expect(scoped[0]).toMatchObject({ project: a, running: true, status: 'running', image: 'pocketdock/busybox:test', persist: false });
    const all = (await listContainers({ socketPath })).map((c) => c.id);
    expect(all).toEqual(expect.arrayContaining([one.id, two.id, other.id]));
    expect(all).not.toContain(outsider.id);
  });

  it('persist -> shutdown (stopped) -> resumeContainer sees the files -> destroyContainer', async () => {
    const name = unique('pd-persist');
    const c = await sandbox(engine, { name, persist: true, project: unique('proj') });
    await c.writeFile('/data/kept.txt', 'still here');
    await c.shutdown();
    expect(await exists(c.id)).toBe(true);
    // openContainer never starts it: the handle sees it stopped
    const opened = await openContainer(name, { socketPath });
    expect(opened.id).toBe(c.id);
    expect((await opened.info()).status).toBe('exited');
    await expect(opened.run('true')).rejects.toMatchObject({ code: 'CONTAINER_NOT_RUNNING' });
    expect((await rawJson<{ State: { Running: boolean } }>({ socketPath, path: `/v1.41/containers/${c.id}/json` })).State.Running).toBe(false);
    const resumed = await resumeContainer(name, { socketPath });
    try {
      expect(resumed.id).toBe(c.id);
      expect((await resumed.readFile('/data/kept.txt')).toString()).toBe('still here');
      expect((await resumed.run('echo back')).stdout).toBe('back\n');
      expect(resumed.persist).toBe(true);
      await stopContainer(name, { socketPath });
      expect((await rawJson<{ State: { Running: boolean } }>({ socketPath, path: `/v1.41/containers/${c.id}/json` })).State.Running).toBe(false);
    } finally {
      await destroyContainer(name, { socketPath });
      await resumed.shutdown();
    }
    expect(await exists(c.id)).toBe(false);
  });

  it('refuses to stop, destroy or resume a container pocketdock did not create', async () => {
    await using outsider = await foreign();
    await expect(stopContainer(outsider.id, { socketPath })).rejects.toMatchObject({ code: 'CONTAINER_NOT_MANAGED' });
    await expect(destroyContainer(outsider.id, { socketPath })).rejects.toMatchObject({ code: 'CONTAINER_NOT_MANAGED' });
    await expect(resumeContainer(outsider.id, { socketPath })).rejects.toMatchObject({ code: 'CONTAINER_NOT_MANAGED' });
    await expect(openContainer(outsider.id, { socketPath })).rejects.toMatchObject({ code: 'CONTAINER_NOT_MANAGED' });
    await expect(destroyContainer('pd-no-such-container', { socketPath })).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    expect(await exists(outsider.id)).toBe(true);
  });

  it('prune removes only stopped containers of the project (and only old enough ones)', async () => {
    const project = unique('proj-prune');
    await using running = await sandbox(engine, { project });
    const stopped = await sandbox(engine, { project, persist: true });
    await stopped.shutdown();
    // persist: its shutdown only stops it, so it is removed by hand at the end
    const elsewhere = await sandbox(engine, { project: unique('proj-other'), persist: true });
    try {
      await elsewhere.stop();
      await using outsider = await foreign();
      expect(await prune({ socketPath, project, olderThanMs: 3_600_000 })).toEqual([]); // too young
      const removed = await prune({ socketPath, project });
      expect(removed.map((c) => c.id)).toEqual([stopped.id]);
      expect(await exists(stopped.id)).toBe(false);
      expect(await exists(running.id)).toBe(true);
      expect(await exists(elsewhere.id)).toBe(true);
      expect(await exists(outsider.id)).toBe(true);
    } finally {
      await elsewhere.shutdown();
      await rawRequest({ socketPath, method: 'DELETE', path: `/v1.41/containers/${elsewhere.id}?force=true` });
    }
  });

  it('reboot in place keeps files; fresh loses them but keeps limits, env, volumes and labels', async () => {
    const project = unique('proj-reboot');
    await using c = await sandbox(engine, { project, memLimit: '48m', env: { KEEP: 'yes' } });
    await c.writeFile('/state.txt', 'before');
    await c.reboot();
    expect((await c.readFile('/state.txt')).toString()).toBe('before');
    const oldId = c.id;
    await c.reboot({ fresh: true });
    expect(c.id).not.toBe(oldId);
    expect(await exists(oldId)).toBe(false);
    await expect(c.readFile('/state.txt')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect((await c.run('echo $KEEP')).stdout).toBe('yes\n');
    const info = await rawJson<{ HostConfig: { Memory: number }; Config: { Labels: Record<string, string> } }>({ socketPath, path: `/v1.41/containers/${c.id}/json` });
    expect(info.HostConfig.Memory).toBe(48 * 1024 * 1024);
    expect(info.Config.Labels['pocketdock.project']).toBe(project);
  });

  it('snapshot: a new container from the image sees the files', async () => {
    const ref = `pocketdock/snapshot-test:${randomBytes(4).toString('hex')}`;
    await using c = await sandbox(engine);
    await c.writeFile('/snap/file.txt', 'in the image');
    await c.snapshot(ref);
    try {
      await using d = await sandbox(engine, { image: ref });
      expect((await d.readFile('/snap/file.txt')).toString()).toBe('in the image');
    } finally {
      await removeImage(ref, { socketPath, force: true });
    }
  });

  it('importImage from a root filesystem tarball, ensureImage, removeImage', async () => {
    const ref = `pocketdock/import-test:${randomBytes(4).toString('hex')}`;
    await using src = await sandbox(engine);
    const rootfs = await rawStream({ socketPath, path: `/v1.41/containers/${src.id}/export` });
    const { id } = await importImage(rootfs, ref, { socketPath });
    try {
      expect(id).toMatch(/^sha256:/);
      expect(await ensureImage(ref, { socketPath })).toEqual({ pulled: false, id });
      await using d = await sandbox(engine, { image: ref });
      expect((await d.run('echo from-import')).stdout).toBe('from-import\n');
      const labels = (await rawJson<{ Config: { Labels: Record<string, string> } }>({ socketPath, path: `/v1.41/images/${ref}/json` })).Config.Labels;
      expect(labels['pocketdock.image']).toBe('true');
    } finally {
      await removeImage(ref, { socketPath, force: true });
    }
    await expect(removeImage(ref, { socketPath })).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });

  it('importImage that fails after the import (the tag is refused) leaves no image behind', async () => {
    const images = async (): Promise<number> => (await rawJson<unknown[]>({ socketPath, path: '/v1.41/images/json?all=true' })).length;
    await using src = await sandbox(engine);
    const before = await images();
    // A malformed reference is refused before anything reaches the engine.
    await expect(importImage(Readable.from([]), 'pocketdock/Not-Lower-Case:x', { socketPath })).rejects.toMatchObject({ code: 'IMAGE_INVALID' });
    // A well-formed one whose tag the engine refuses: a real engine client whose tag call (its only `request()`) is
    // refused, as neither engine can be made to refuse a well-formed tag here.
    await using real = await EngineClient.connect({ socketPath });
    const refusing = new Proxy(real, {
      get: (target, key) => {
        if (key === 'request') return () => Promise.reject(new EngineError('ENGINE_API_ERROR', 'tag refused', { api: { status: 500, engineMessage: 'tag refused', method: 'POST', path: '/tag' } }));
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const rootfs = await rawStream({ socketPath, path: `/v1.41/containers/${src.id}/export` });
    await expect(importImage(rootfs, unique('pocketdock/tag-refused'), { engine: refusing })).rejects.toMatchObject({ code: 'CONTAINER_ENGINE_ERROR' });
    expect(await images()).toBe(before);
  });

  it('loadImage takes an image archive', async () => {
    const archive = await rawStream({ socketPath, path: `/v1.41/images/${TEST_IMAGE}/get` });
    const refs = await loadImage(archive, { socketPath });
    expect(refs.join(' ')).toMatch(/busybox|sha256/);
  });

  it('ensureImage of an image that cannot be had says so: IMAGE_NOT_FOUND', async () => {
    await expect(ensureImage('pocketdock/never-built:nope', { socketPath })).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
      message: expect.stringContaining('importImage'),
    });
    await expect(ensureImage('has spaces', { socketPath })).rejects.toMatchObject({ code: 'IMAGE_INVALID' });
  });
});
