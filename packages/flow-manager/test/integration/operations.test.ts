import { rawJson, testEngines } from '@pocketdock/testkit';
import type { ActivityEntry, ContainerInfo, ContainerStatus } from '../../src/index.js';
import { call, connected, ok, startService, statusUntil } from './helpers.js';
import type { Service } from './helpers.js';

async function engineStartedAt(svc: Service, socketPath: string, id: string): Promise<string> {
  const i = await rawJson<{ State: { StartedAt: string } }>({ socketPath, path: `/v1.41/containers/${id}/json` });
  return i.State.StartedAt;
}

describe.each(testEngines())('flow-manager operations on $name', (engine) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine);
  });
  afterAll(async () => {
    await svc?.close();
  });
  const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ code_path: svc.v1, ...extra });

  it('every restart_container restarts the container (the second one did nothing)', async () => {
    const client = await svc.connect();
    const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', config());
    await statusUntil(client, id, connected);
    const seen = [await engineStartedAt(svc, engine.socketPath, id)];
    for (let i = 0; i < 3; i++) {
      expect(await ok<ContainerStatus>(client, 'restart_container', { container_id: id })).toMatchObject({ state: 'running' });
      seen.push(await engineStartedAt(svc, engine.socketPath, id));
      await statusUntil(client, id, connected);
    }
    expect(new Set(seen).size).toBe(4);
    expect(await ok(client, 'send_message', { container_id: id, message: 'still' })).toMatchObject({ reply: { echo: 'still' } });
    await ok(client, 'delete_container', { container_id: id });
  }, 120_000);

  it("an exact name wins over another flow's id prefix; delete never takes the wrong flow", async () => {
    const client = await svc.connect();
    const a = await ok<ContainerInfo>(client, 'create_container', config());
    const b = await ok<ContainerInfo>(client, 'create_container', config({ name: a.container_id.slice(0, 12) }));
    expect(await ok(client, 'get_status', { container_id: b.name })).toMatchObject({ container_id: b.container_id });
    expect(await ok(client, 'delete_container', { container_id: b.name })).toEqual({ container_id: b.container_id, deleted: true });
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).map((c) => c.container_id)).toContain(a.container_id);
    expect(await ok(client, 'get_status', { container_id: a.container_id.slice(0, 12) })).toMatchObject({ container_id: a.container_id });
    await ok(client, 'delete_container', { container_id: a.container_id });
  }, 60_000);

  it("refuses ports under the network 'none' (they would reach nothing) and creates nothing", async () => {
    const client = await svc.connect();
    const before = (await ok<ContainerInfo[]>(client, 'list_containers', {})).length;
    expect(await call(client, 'create_container', config({ ports: { '8080/tcp': 18_080 } }))).toMatchObject({
      error: true,
      error_type: 'validation_error',
      code: 'FM_INVALID_PAYLOAD',
      details: { field: 'ports', network: 'none' },
    });
    expect((await ok<ContainerInfo[]>(client, 'list_containers', {})).length).toBe(before);
  }, 30_000);

  it('never reports an intended restart or update as a crash, whatever order the events arrive in', async () => {
    const client = await svc.connect();
    const bad: unknown[] = [];
    client.on('activity', (a: ActivityEntry) => {
      if (a.type === 'crashed' || a.type === 'exited') bad.push(a);
    });
    client.on('container_status', (s: ContainerStatus) => {
      if (s.health === 'unhealthy' || s.state === 'exited') bad.push(s);
    });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      // at once after the flow's start: the start event (late on Podman) overlaps the operation
      const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', config());
      ids.push(id);
      await ok(client, 'restart_container', { container_id: id });
      await ok(client, 'update_container', { container_id: id, code_path: svc.v2 }, 60_000);
      await ok(client, 'restart_container', { container_id: id });
    }
    // late events have arrived by the time the flows answer again (Podman: 120-320 ms)
    for (const id of ids) await statusUntil(client, id, connected);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bad).toEqual([]);
    for (const id of ids) await ok(client, 'delete_container', { container_id: id });
  }, 240_000);
});
