import { rawJson, testEngines, until } from '@pocketdock/testkit';
import type { ContainerInfo, ContainerStatus } from '../../src/index.js';
import { FLOW_COMMAND, call, connected, ok, startService, statusUntil, waitFor } from './helpers.js';
import type { Client, Service } from './helpers.js';

type Untyped = { on(event: string, fn: (arg: Record<string, unknown>) => void): void; onAny(fn: (event: string) => void): void };

describe.each(testEngines())('monitoring and the create deadline on $name (our own protocol, kawaflow off)', (engine) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine);
  });
  afterAll(async () => {
    await svc?.close();
  });

  const flow = (client: Client): Promise<ContainerInfo> => ok<ContainerInfo>(client, 'create_container', { volumes: { [svc.v1]: '/code' }, command: FLOW_COMMAND });
  const instanceContainers = (): Promise<unknown[]> =>
    rawJson<unknown[]>({ socketPath: engine.socketPath, path: `/v1.41/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ label: [`pocketdock.flow-manager=${svc.instance}`] }))}` });

  it('samples, alerts once per crossing to the room, pushes statuses each period, checks health, keeps histories', async () => {
    const client = await svc.connect();
    const outsider = await svc.connect();
    const kawaflowOnly: string[] = [];
    (outsider as unknown as Untyped).onAny((e) => kawaflowOnly.push(e));
    (client as unknown as Untyped).onAny((e) => {
      if (['connected', 'container_created', 'status_changed', 'activity_log', 'container_list'].includes(e)) kawaflowOnly.push(e);
    });
    const { container_id: id } = await flow(client); // the seed's volume shape: read-only at /code
    await statusUntil(client, id, connected);
    expect(await ok(client, 'set_resource_thresholds' as never, { container_id: id, thresholds: { memory_bytes: 1 } })).toMatchObject({ container_id: id, thresholds: { memory_bytes: 1, cpu_percent: 80 } });
    expect(await call(client, 'set_resource_thresholds' as never, { thresholds: { memory_bytes: -1 } })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    const alerts: Array<Record<string, unknown>> = [];
    (client as unknown as Untyped).on('resource_alert', (a) => alerts.push(a));
    const periodic = waitFor(client, 'container_status', (s) => s.container_id === id && s.resource_usage !== null, 15_000);
    expect(await ok(client, 'enable_resource_monitoring' as never, { interval_ms: 300 })).toEqual({ enabled: true, interval_ms: 300 });
    await periodic;
    await until(() => svc.fm.monitor.usageHistory(id, 100).length >= 3, { timeoutMs: 20_000, what: 'three samples' });
    expect(alerts.filter((a) => a['resource'] === 'memory_bytes')).toHaveLength(1); // once per crossing
    expect(alerts[0]).toMatchObject({ container_id: id, resource: 'memory_bytes', threshold: 1, resource_type: 'memory_bytes' });
    const usage = await ok<{ history: Array<Record<string, number>> }>(client, 'get_resource_usage_history' as never, { container_id: id, limit: 2 });
    expect(usage.history).toHaveLength(2);
    expect(usage.history[1]!['memory_bytes']).toBeGreaterThan(0);
    expect(usage.history[1]!['pids']).toBeGreaterThan(0);
    expect(await ok(client, 'disable_resource_monitoring' as never, {})).toMatchObject({ enabled: false });

    // A command health check turns the status's health; an http one is refused.
    expect(await call(client, 'set_health_check_config' as never, { container_id: id, config: { check_type: 'http' } })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    const unhealthy = waitFor(client, 'container_status', (s) => s.container_id === id && s.health === 'unhealthy', 20_000);
    await ok(client, 'set_health_check_config' as never, { container_id: id, config: { check_type: 'command', command: ['sh', '-c', 'exit 1'], interval: 1, retries: 2, start_period: 0 } });
    await unhealthy;
    const history = await ok<{ health: string; history: Array<{ success: boolean }> }>(client, 'get_health_status_history' as never, { container_id: id });
    expect(history.health).toBe('unhealthy');
    expect(history.history.slice(-2).map((r) => r.success)).toEqual([false, false]);
    await ok(client, 'set_health_check_config' as never, { container_id: id, config: { check_type: 'socket', interval: 1, start_period: 0 } });
    await statusUntil(client, id, (s) => s['health'] === 'healthy', 20_000);

    await ok<ContainerStatus>(client, 'stop_container', { container_id: id });
    const states = await ok<{ history: Array<{ state: string; health: string }> }>(client, 'get_status_history' as never, { container_id: id, limit: 100 });
    expect(states.history.map((h) => h.state)).toEqual(expect.arrayContaining(['running', 'stopped']));
    expect(states.history.map((h) => h.health)).toEqual(expect.arrayContaining(['unhealthy', 'healthy']));
    expect(states.history.at(-1)).toMatchObject({ state: 'stopped', health: 'none' });
    expect(kawaflowOnly).toEqual([]); // kawaflow off: none of its events, and nothing to the outsider
    await ok(client, 'delete_container', { container_id: id });
  }, 120_000);

  it('removes the container of a create whose client gave up (timeout_ms) or went away', async () => {
    const client = await svc.connect();
    expect(await call(client, 'create_container', { volumes: { [svc.v1]: '/code' }, command: FLOW_COMMAND, timeout_ms: 1 })).toMatchObject({ code: 'FM_CREATE_TIMEOUT' });
    // A client that goes away aborts the same signal (withRequesterDeadline, unit-tested); here the manager's side:
    // the container is made, then removed, never listed.
    const abort = new AbortController();
    const creating = svc.fm.manager.createContainer({ volumes: { [svc.v1]: '/code' }, command: FLOW_COMMAND }, { signal: abort.signal });
    abort.abort(new Error('the client went away'));
    await expect(creating).rejects.toThrow('the client went away');
    expect(svc.fm.manager.listContainers()).toEqual([]);
    expect(await instanceContainers()).toEqual([]);
  }, 120_000);
});
