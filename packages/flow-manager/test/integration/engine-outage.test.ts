import { EngineProxy, testEngines } from '@pocketdock/testkit';
import type { ContainerInfo } from '../../src/index.js';
import { call, connected, ok, startService, statusUntil, waitFor } from './helpers.js';

// The engine (its socket, through a proxy that cuts every connection at once, as a dying engine does) goes away
// under a running service with a connected flow, and comes back.
describe.each(testEngines())('flow-manager when the engine goes away, on $name', (engine) => {
  it('keeps serving what needs no engine, answers engine calls with FM_ENGINE_ERROR at once, and pushes what happened meanwhile once it is back', async () => {
    await using proxy = await EngineProxy.start(engine.socketPath);
    const svc = await startService(engine, { engineSocket: proxy.path });
    try {
      const client = await svc.connect();
      const flowConfig = { code_path: svc.v1 };
      const { container_id: id } = await ok<ContainerInfo>(client, 'create_container', flowConfig);
      await statusUntil(client, id, connected);

      await proxy.down();
      // The flow's socket does not go through the engine: messages to it still work, and the status is in memory.
      expect(await ok(client, 'send_message', { container_id: id, message: 'still here' })).toMatchObject({ reply: { echo: 'still here' } });
      expect(await ok(client, 'get_status', { container_id: id })).toMatchObject({ state: 'running' });
      // What needs the engine fails at once, with the engine error, and the service goes on.
      const t0 = Date.now();
      expect(await call(client, 'create_container', flowConfig)).toMatchObject({ error: true, error_type: 'engine_error', code: 'FM_ENGINE_ERROR' });
      for (const event of ['start_container', 'stop_container', 'restart_container', 'delete_container'] as const) {
        expect([event, await call(client, event, { container_id: id })]).toEqual([event, expect.objectContaining({ error: true, code: 'FM_ENGINE_ERROR' })]);
      }
      expect(await call(client, 'update_container', { container_id: id, code_path: svc.v2 })).toMatchObject({ error: true, code: 'FM_ENGINE_ERROR' });
      // Usage is sampled in the background: asking for a refresh answers with the last sample, not an error.
      expect(await ok(client, 'get_status', { container_id: id, refresh: true })).toMatchObject({ state: 'running' });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(svc.fm.manager.listContainers().map((c) => c.container_id)).toEqual([id]); // the failed create left nothing

      // The flow crashes while nobody can hear the engine's events.
      const exited = waitFor(client, 'container_status', (s) => s.container_id === id && s.state === 'exited', 20_000);
      const crashed = waitFor(client, 'activity', (a) => a.container_id === id && a.type === 'crashed', 20_000);
      expect(await ok(client, 'send_message', { container_id: id, message: { op: 'crash' } })).toMatchObject({ reply: 'bye' });
      await new Promise((r) => setTimeout(r, 500)); // it has exited by now (20 ms after answering)
      await proxy.up();
      // Once the engine is back, the service catches up and pushes what happened meanwhile, as the events would have.
      expect(await exited).toMatchObject({ exit_code: 3, health: 'unhealthy' });
      expect((await crashed).message).toContain('exit code 3');
      // And engine calls work again.
      expect(await ok(client, 'delete_container', { container_id: id })).toMatchObject({ deleted: true });
    } finally {
      await proxy.up().catch(() => undefined); // already up unless the test failed while it was down
      await svc.close();
    }
  }, 90_000);
});
