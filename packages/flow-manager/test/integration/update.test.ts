import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testEngines } from '@pocketdock/testkit';
import type { ActivityEntry, ContainerInfo, ContainerStatus } from '../../src/index.js';
import { call, connected, flowCode, ok, startService, statusUntil } from './helpers.js';
import type { Service } from './helpers.js';

describe.each(testEngines())('update_container on $name', (engine) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine, { updateTimeoutMs: 4_000 });
    await writeFile(join(svc.v1, 'extra.js'), '// only in v1\n');
    await writeFile(join(svc.root, 'v3.js'), flowCode(3));
    await mkdir(join(svc.root, 'single'));
    await writeFile(join(svc.root, 'single', 'index.js'), flowCode(3));
    await mkdir(join(svc.root, 'crashes'));
    await writeFile(join(svc.root, 'crashes', 'index.js'), 'process.exit(4);\n');
    await mkdir(join(svc.root, 'silent'));
    await writeFile(join(svc.root, 'silent', 'index.js'), 'setInterval(() => undefined, 1000); // never connects\n');
  });
  afterAll(async () => {
    await svc?.close();
  });
  const version = async (client: Awaited<ReturnType<Service['connect']>>, id: string): Promise<unknown> =>
    (await ok<{ reply: { version: number } }>(client, 'send_message', { container_id: id, message: 'v?' })).reply.version;

  it('replaces the code of a flow whose /app is read-only (the README way), without leftovers, from a directory or a file', async () => {
    const client = await svc.connect();
    const info = await ok<ContainerInfo>(client, 'create_container', { code_path: svc.v1 });
    const id = info.container_id;
    expect(info).toMatchObject({ code_path: svc.v1, working_dir: '/app', volumes: [] });
    await statusUntil(client, id, connected);
    expect(await version(client, id)).toBe(1);
    expect((await ok(client, 'send_message', { container_id: id, message: { op: 'ls' } }))['reply']).toEqual(['extra.js', 'index.js']);

    expect(await ok<ContainerStatus>(client, 'update_container', { container_id: id, code_path: svc.v2 })).toMatchObject({ state: 'running', socket_connected: true });
    expect(await version(client, id)).toBe(2);
    // files the new code does not have are gone
    expect((await ok(client, 'send_message', { container_id: id, message: { op: 'ls' } }))['reply']).toEqual(['index.js']);

    // a file: /app stays a directory, holding that file
    await ok(client, 'update_container', { container_id: id, code_path: join(svc.root, 'single', 'index.js') });
    expect(await version(client, id)).toBe(3);
    expect((await ok(client, 'send_message', { container_id: id, message: { op: 'ls' } }))['reply']).toEqual(['index.js']);
    // a file that is not what the command runs (/app/index.js): the update fails, and the flow goes on as it was
    expect(await call(client, 'update_container', { container_id: id, code_path: join(svc.root, 'v3.js') }, 60_000)).toMatchObject({ code: 'FM_UPDATE_FAILED', details: { rolled_back: true } });
    await statusUntil(client, id, connected);
    expect(await version(client, id)).toBe(3);
    await ok(client, 'update_container', { container_id: id, code_path: svc.v2 });
    expect(await version(client, id)).toBe(2);
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).find((c) => c.container_id === id)).toMatchObject({ code_path: svc.v2 });
    await ok(client, 'delete_container', { container_id: id });
    expect(await readdir(join(svc.socketDir, 'code'))).toEqual([]);
  }, 120_000);

  it('restores the previous code when the new one does not connect, and says why (FM_UPDATE_FAILED)', async () => {
    const client = await svc.connect();
    const activity: ActivityEntry[] = [];
    client.on('activity', (a: ActivityEntry) => activity.push(a));
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', { code_path: svc.v2 });
    await statusUntil(client, id, connected);

    const crashed = await call(client, 'update_container', { container_id: id, code_path: join(svc.root, 'crashes') }, 60_000);
    expect(crashed).toMatchObject({ error: true, error_type: 'socket_error', code: 'FM_UPDATE_FAILED', details: { rolled_back: true, exit_code: 4 } });
    await statusUntil(client, id, connected);
    expect(await version(client, id)).toBe(2);

    const silent = await call(client, 'update_container', { container_id: id, code_path: join(svc.root, 'silent') }, 60_000);
    expect(silent).toMatchObject({ code: 'FM_UPDATE_FAILED', details: { rolled_back: true }, message: expect.stringContaining('did not connect within 4000 ms') });
    await statusUntil(client, id, connected);
    expect(await version(client, id)).toBe(2);
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).find((c) => c.container_id === id)).toMatchObject({ code_path: svc.v2 });
    expect(activity.filter((a) => a.container_id === id && a.type === 'update_failed')).toHaveLength(2);
    expect(activity.filter((a) => a.container_id === id && a.type === 'crashed')).toEqual([]);
    await ok(client, 'delete_container', { container_id: id });
  }, 120_000);

  it("refuses to write into a flow's own volume: a flow created without code_path is not updatable, and keeps running", async () => {
    const client = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', { volumes: { [svc.v1]: { bind: '/app', mode: 'ro' } } });
    await statusUntil(client, id, connected);
    expect(await call(client, 'update_container', { container_id: id, code_path: svc.v2 })).toMatchObject({ error: true, code: 'FM_NOT_UPDATABLE' });
    expect(await call(client, 'update_container', { container_id: id, code_path: '/etc' })).toMatchObject({ error: true, code: 'FM_NOT_UPDATABLE' });
    expect(await version(client, id)).toBe(1);
    expect(await call(client, 'create_container', { code_path: '/etc' })).toMatchObject({ error: true, code: 'FM_PATH_NOT_ALLOWED' });
    expect(await call(client, 'create_container', { code_path: svc.v1, volumes: { [svc.v2]: { bind: '/app' } } })).toMatchObject({ error: true, code: 'FM_INVALID_PAYLOAD' });
    await ok(client, 'delete_container', { container_id: id });
  }, 60_000);
});
