import { rawJson, rawRequest, testEngines, until } from '@pocketdock/testkit';
import type { ActivityEntry, ContainerInfo, ContainerStatus } from '../../src/index.js';
import { connected, ok, startService, statusUntil, waitFor } from './helpers.js';

describe.each(testEngines())('the state across a service restart on $name', (engine) => {
  it('a stopped flow stays stopped, a crash while the service was down is reported, usage is per run, and an identity gets its subscriptions back', async () => {
    const svc = await startService(engine);
    try {
      const owner = await svc.connect();
      const make = async (): Promise<string> => (await ok<ContainerInfo>(owner, 'create_container', { code_path: svc.v1 })).container_id;
      const [stopped, crashing, watched] = [await make(), await make(), await make()];
      for (const id of [stopped, crashing, watched]) await statusUntil(owner, id, connected);

      // usage belongs to a run: a start does not report the previous run's sample
      const before = await ok<ContainerStatus>(owner, 'get_status', { container_id: stopped, refresh: true });
      expect(before.resource_usage).not.toBeNull();
      await ok(owner, 'stop_container', { container_id: stopped });
      const started = await ok<ContainerStatus>(owner, 'start_container', { container_id: stopped });
      expect(started.resource_usage?.sampled_at ?? null).not.toBe(before.resource_usage!.sampled_at);
      await ok(owner, 'stop_container', { container_id: stopped });

      // a client with an identity subscribes once; reconnecting, it is still subscribed
      let dashboard = await svc.connect({ token: svc.token, client_id: 'dashboard-1' });
      await ok(dashboard, 'subscribe', { container_id: watched });
      dashboard.disconnect();
      dashboard = await svc.connect({ token: svc.token, client_id: 'dashboard-1' });
      let got = waitFor(dashboard, 'flow_message', (m) => m.event === 'one');
      await ok(owner, 'send_message', { container_id: watched, message: { op: 'emit', event: 'one', data: 1 } });
      await got;

      await svc.fm.stop();
      // The flow dies while nobody is listening (killed: not the flow-manager's doing).
      await rawRequest({ socketPath: engine.socketPath, method: 'POST', path: `/v1.41/containers/${crashing}/kill?signal=KILL` });
      await until(async () => !(await rawJson<{ State: { Running: boolean } }>({ socketPath: engine.socketPath, path: `/v1.41/containers/${crashing}/json` })).State.Running, {
        what: 'the flow to be dead',
      });
      await svc.restart();

      const client = await svc.connect();
      const list = await ok<ContainerInfo[]>(client, 'list_containers', {});
      expect(list.find((c) => c.container_id === stopped)).toMatchObject({ state: 'stopped' });
      expect(await ok(client, 'get_status', { container_id: stopped })).toMatchObject({ state: 'stopped', health: 'none' });
      expect(await ok(client, 'get_status', { container_id: crashing })).toMatchObject({ state: 'exited', health: 'unhealthy', exit_code: 137 });
      const { activity } = await ok<{ activity: ActivityEntry[] }>(client, 'subscribe', { container_id: crashing });
      expect(activity.filter((a) => a.type === 'crashed')).toEqual([expect.objectContaining({ message: expect.stringContaining('exit code 137') })]);

      // the identity's subscription survived the restart too
      dashboard = await svc.connect({ token: svc.token, client_id: 'dashboard-1' });
      await statusUntil(client, watched, connected);
      got = waitFor(dashboard, 'flow_message', (m) => m.event === 'two');
      await ok(client, 'send_message', { container_id: watched, message: { op: 'emit', event: 'two', data: 2 } });
      await got;

      // and a second restart does not report the same crash again
      await svc.fm.stop();
      await svc.restart();
      const again = await svc.connect();
      const after = await ok<{ activity: ActivityEntry[] }>(again, 'subscribe', { container_id: crashing });
      expect(after.activity.filter((a) => a.type === 'crashed')).toEqual([]);
      expect(await ok(again, 'get_status', { container_id: crashing })).toMatchObject({ health: 'unhealthy' });
    } finally {
      await svc.close();
    }
  }, 180_000);
});
