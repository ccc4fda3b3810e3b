import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { rawRequest, testEngines } from '@pocketdock/testkit';
import type { ContainerInfo, ContainerStatus } from '../../src/index.js';
import { FLOW_COMMAND, call, connected, ok, startService, statusUntil, waitFor } from './helpers.js';
import type { Service } from './helpers.js';

describe.each(testEngines())('flow-manager on $name', (engine) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine);
  });
  afterAll(async () => {
    await svc?.close();
  });

  const flowConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    volumes: { [svc.v1]: { bind: '/code', mode: 'ro' } },
    command: FLOW_COMMAND,
    environment: { GREETING: 'hello', API_KEY: 'sk-very-secret-value' },
    ...extra,
  });

  it('runs the whole lifecycle through Socket.IO, with a real flow answering', async () => {
    const client = await svc.connect();
    const info = await ok<ContainerInfo>(client, 'create_container', flowConfig());
    const id = info.container_id;
    expect(info).toMatchObject({ state: 'running', socket_path: join(svc.socketDir, `${id}.sock`), environment_keys: ['GREETING', 'API_KEY'] });
    expect(JSON.stringify(info)).not.toContain('sk-very-secret-value');
    const sock = await lstat(info.socket_path);
    expect(sock.isSocket() && (sock.mode & 0o777) === 0o600).toBe(true);

    await statusUntil(client, id, connected);
    expect(await ok(client, 'send_message', { container_id: id, message: { q: 'ping' } })).toEqual({ container_id: id, reply: { echo: { q: 'ping' }, version: 1 } });

    const list = await ok<ContainerInfo[]>(client, 'list_containers', {});
    expect(list.map((c) => c.container_id)).toContain(id);

    const stopped = await ok<ContainerStatus>(client, 'stop_container', { container_id: id });
    expect(stopped).toMatchObject({ state: 'stopped', health: 'none', uptime: 0 });
    expect(await call(client, 'send_message', { container_id: id, message: 1, timeout_ms: 300 })).toMatchObject({ error: true, error_type: 'socket_error', code: 'FM_FLOW_NOT_CONNECTED' });

    expect(await ok<ContainerStatus>(client, 'start_container', { container_id: id })).toMatchObject({ state: 'running' });
    await statusUntil(client, id, connected);
    expect(await ok(client, 'send_message', { container_id: id, message: 'again' })).toMatchObject({ reply: { echo: 'again' } });

    expect(await ok<ContainerStatus>(client, 'restart_container', { container_id: id })).toMatchObject({ state: 'running' });
    const after = await statusUntil(client, id, connected);
    expect(after).toMatchObject({ state: 'running', health: 'healthy', exit_code: null });
    expect(await ok(client, 'send_message', { container_id: id, message: 3 })).toMatchObject({ reply: { echo: 3 } });

    const withUsage = await ok<ContainerStatus>(client, 'get_status', { container_id: id, refresh: true });
    expect(withUsage.resource_usage?.memory_bytes).toBeGreaterThan(0);

    expect(await ok(client, 'delete_container', { container_id: id })).toEqual({ container_id: id, deleted: true });
    await expect(lstat(info.socket_path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(svc.socketDir, 'mounts'))).toEqual([]);
    const gone = await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/${id}/json` });
    expect(gone.status).toBe(404);
    expect(await call(client, 'get_status', { container_id: id })).toMatchObject({ error: true, error_type: 'validation_error', code: 'FM_CONTAINER_NOT_FOUND' });
  }, 120_000);

  it("pushes a flow's own messages to subscribed clients only", async () => {
    const owner = await svc.connect();
    const subscriber = await svc.connect();
    const outsider = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(owner, 'create_container', flowConfig());
    await ok(subscriber, 'subscribe', { container_id: id });
    await statusUntil(owner, id, connected);
    const strays: unknown[] = [];
    outsider.on('flow_message', (m) => strays.push(m));
    outsider.on('activity', (m) => strays.push(m));
    const got = waitFor(subscriber, 'flow_message', (m) => m.event === 'progress');
    expect(await ok(owner, 'send_message', { container_id: id, message: { op: 'emit', event: 'progress', data: { done: 3 } } })).toMatchObject({ reply: 'sent' });
    expect(await got).toMatchObject({ container_id: id, event: 'progress', message: { done: 3 } });

    await ok(subscriber, 'unsubscribe', { container_id: id });
    const ownerGot = waitFor(owner, 'flow_message', (m) => m.event === 'second');
    await ok(owner, 'send_message', { container_id: id, message: { op: 'emit', event: 'second', data: null } });
    await ownerGot;
    await new Promise((r) => setTimeout(r, 200));
    expect(strays).toEqual([]);
    const late: unknown[] = [];
    subscriber.on('flow_message', (m) => late.push(m));
    await ok(owner, 'send_message', { container_id: id, message: { op: 'emit', event: 'third', data: null } });
    await new Promise((r) => setTimeout(r, 200));
    expect(late).toEqual([]);
    await ok(owner, 'delete_container', { container_id: id });
  }, 60_000);

  it('pushes a crashed flow as status and activity within a second', async () => {
    const client = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', flowConfig());
    await statusUntil(client, id, connected);
    const status = waitFor(client, 'container_status', (s) => s.container_id === id && s.state === 'exited', 5_000);
    const activity = waitFor(client, 'activity', (a) => a.container_id === id && a.type === 'crashed', 5_000);
    expect(await ok(client, 'send_message', { container_id: id, message: { op: 'crash' } })).toMatchObject({ reply: 'bye' });
    const t0 = Date.now(); // the flow exits 20 ms after answering
    const s = await status;
    const elapsedMs = Date.now() - t0;
    expect(s).toMatchObject({ health: 'unhealthy', exit_code: 3, socket_connected: false });
    expect(elapsedMs).toBeLessThan(1_000);
    expect((await activity).message).toContain('exit code 3');
    await ok(client, 'delete_container', { container_id: id });
  }, 60_000);

  it('update_container pushes new code and the answers change', async () => {
    const client = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', { code_path: svc.v1 });
    await statusUntil(client, id, connected);
    expect(await ok(client, 'send_message', { container_id: id, message: 'v?' })).toMatchObject({ reply: { version: 1 } });
    expect(await ok<ContainerStatus>(client, 'update_container', { container_id: id, code_path: svc.v2 })).toMatchObject({ state: 'running' });
    await statusUntil(client, id, connected);
    expect(await ok(client, 'send_message', { container_id: id, message: 'v?' })).toMatchObject({ reply: { version: 2 } });
    expect(await call(client, 'update_container', { container_id: id, code_path: '/etc' })).toMatchObject({ error: true, code: 'FM_PATH_NOT_ALLOWED' });
    await ok(client, 'delete_container', { container_id: id });
  }, 60_000);

  it('refuses volumes outside the allowed roots, writable ones, and the reserved socket directory', async () => {
    const client = await svc.connect();
    const before = (await ok<ContainerInfo[]>(client, 'list_containers', {})).length;
    expect(await call(client, 'create_container', { volumes: { '/etc': { bind: '/x' } } })).toMatchObject({ error: true, error_type: 'validation_error', code: 'FM_PATH_NOT_ALLOWED' });
    expect(await call(client, 'create_container', { volumes: { [`${svc.root}/../`]: { bind: '/x' } } })).toMatchObject({ code: 'FM_PATH_NOT_ALLOWED' });
    expect(await call(client, 'create_container', { volumes: { [svc.v1]: { bind: '/x', mode: 'rw' } } })).toMatchObject({ code: 'FM_PATH_NOT_ALLOWED' });
    expect(await call(client, 'create_container', { volumes: { [svc.v1]: { bind: '/run/pocketdock' } } })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    expect(await call(client, 'create_container', { image: 'pocketdock/no-such-image:none' })).toMatchObject({ error_type: 'engine_error', code: 'FM_IMAGE_NOT_FOUND' });
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).length).toBe(before);
    expect(await readdir(join(svc.socketDir, 'mounts'))).toEqual([]);
  }, 60_000);

  it('manages 20 containers concurrently', async () => {
    const client = await svc.connect();
    const infos = await Promise.all(Array.from({ length: 20 }, () => ok<ContainerInfo>(client, 'create_container', flowConfig(), 120_000)));
    const ids = infos.map((i) => i.container_id);
    expect(new Set(ids).size).toBe(20);
    await Promise.all(ids.map((id) => statusUntil(client, id, connected, 60_000)));
    const replies = await Promise.all(ids.map((id, n) => ok(client, 'send_message', { container_id: id, message: n })));
    expect(replies.map((r) => (r['reply'] as { echo: number }).echo)).toEqual(ids.map((_, n) => n));
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).filter((c) => ids.includes(c.container_id))).toHaveLength(20);
    await Promise.all(ids.map((id) => ok(client, 'delete_container', { container_id: id }, 60_000)));
    expect(await readdir(join(svc.socketDir, 'mounts'))).toEqual([]);
  }, 240_000);

  it('a restarted flow-manager recovers its containers and sockets; the flows reconnect', async () => {
    let client = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', flowConfig());
    await statusUntil(client, id, connected);
    await svc.fm.stop();
    await svc.restart();
    client = await svc.connect();
    const list = await ok<ContainerInfo[]>(client, 'list_containers', {});
    expect(list.find((c) => c.container_id === id)).toMatchObject({ state: 'running', environment_keys: ['GREETING', 'API_KEY'] });
    await statusUntil(client, id, connected, 10_000);
    expect(await ok(client, 'send_message', { container_id: id, message: 'back' })).toMatchObject({ reply: { echo: 'back' } });
    await ok(client, 'delete_container', { container_id: id });
  }, 60_000);

  it('stopping the service while a create is in flight removes that container: nothing half-made stays', async () => {
    const other = await startService(engine);
    try {
      const creating = other.fm.manager.createContainer(flowConfig({ volumes: { [other.v1]: { bind: '/code' } } }));
      const outcome = creating.then(
        () => 'created',
        (err: unknown) => (err as { code?: string }).code,
      );
      await new Promise((r) => setTimeout(r, 20)); // the engine call is under way
      await other.fm.stop();
      expect(await outcome).toBe('FM_SHUTTING_DOWN');
      const left = await rawRequest({ socketPath: engine.socketPath, path: `/v1.41/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [`pocketdock.flow-manager=${other.instance}`] }))}` });
      expect(JSON.parse(left.body.toString())).toEqual([]);
      expect(await readdir(join(other.socketDir, 'mounts'))).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('never writes environment values to logs or activity', async () => {
    const client = await svc.connect();
    const activity: string[] = [];
    const types: string[] = [];
    client.on('activity', (a) => {
      activity.push(JSON.stringify(a));
      types.push(a.type);
    });
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', flowConfig());
    await statusUntil(client, id, connected);
    await ok(client, 'delete_container', { container_id: id });
    await new Promise((r) => setTimeout(r, 100));
    expect(types).toEqual(expect.arrayContaining(['created', 'started', 'flow_connected', 'deleted'])); // the creator gets what came before it joined
    expect(activity.join('\n')).not.toContain('sk-very-secret-value');
    expect(svc.logs.join('\n')).not.toContain('sk-very-secret-value');
    expect(svc.logs.join('\n')).not.toContain(svc.token);
  }, 60_000);
});
