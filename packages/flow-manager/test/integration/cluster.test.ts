import { tempDir, testEngines, until } from '@pocketdock/testkit';
import { FlowManager, FlowManagerError } from '../../src/index.js';
import type { ContainerInfo, ContainerStatus } from '../../src/index.js';
import { deleteAll, startCluster } from './cluster-harness.js';
import { call, connected, ok, statusUntil, waitFor } from './helpers.js';

describe.each(testEngines())('a cluster of three flow-managers on one Redis on $name', (engine) => {
  it('a member whose Redis does not answer does not start (FM_CLUSTER_UNAVAILABLE) and leaves nothing behind', async () => {
    await using dir = await tempDir();
    const err = await FlowManager.start({
      port: 0,
      token: 'x'.repeat(16),
      engineSocket: engine.socketPath,
      socketDir: dir.path,
      instance: `test-${engine.name}-noredis`,
      cluster: { redisUrl: 'redis://127.0.0.1:1' },
    }).catch((e: unknown) => e);
    expect(FlowManagerError.is(err) && err.code).toBe('FM_CLUSTER_UNAVAILABLE');
  });

  it('forwards requests to the instance that serves the flow, lists the whole cluster, and pushes to subscribers on every instance', async () => {
    const cl = await startCluster(engine);
    try {
      const [onA, onB, onC] = [await cl.connect(cl.a.fm.url), await cl.connect(cl.b.fm.url), await cl.connect(cl.c.url)];
      const onC_flow = (await ok<ContainerInfo>(onC, 'create_container', { code_path: cl.counterPath })).container_id;
      const onA_flow = (await ok<ContainerInfo>(onA, 'create_container', { code_path: cl.a.v1 })).container_id;
      await statusUntil(onC, onC_flow, connected);

      // A request on A for C's flow: run on C, answered through A's acknowledgement (the flow's own state shows it ran there once)
      expect(await ok(onA, 'send_message', { container_id: onC_flow, message: { op: 'inc' } })).toEqual({ container_id: onC_flow, reply: 1 });
      expect(await ok(onB, 'send_message', { container_id: onC_flow.slice(0, 12), message: { op: 'inc' } })).toEqual({ container_id: onC_flow, reply: 2 });
      expect(await ok<ContainerStatus>(onB, 'get_status', { container_id: onA_flow })).toMatchObject({ container_id: onA_flow, state: 'running' });
      // the owner's errors come back as they are; a flow nobody has is not found
      expect(await call(onA, 'update_container', { container_id: onC_flow, code_path: '/etc' })).toMatchObject({ error: true, code: 'FM_PATH_NOT_ALLOWED' });
      expect(await call(onA, 'get_status', { container_id: 'f'.repeat(64) })).toMatchObject({ error: true, code: 'FM_CONTAINER_NOT_FOUND' });

      // every instance lists the whole cluster
      for (const client of [onA, onB, onC]) {
        const ids = (await ok<ContainerInfo[]>(client, 'list_containers', {})).map((c) => c.container_id).sort();
        expect(ids).toEqual([onA_flow, onC_flow].sort());
      }

      // subscribers on A and B (and C, the creator) all get C's flow's pushes
      await ok(onA, 'subscribe', { container_id: onC_flow });
      await ok(onB, 'subscribe', { container_id: onC_flow });
      const pushes = [onA, onB, onC].map((client) => waitFor(client, 'flow_message', (m) => m.container_id === onC_flow && m.event === 'hello'));
      await ok(onB, 'send_message', { container_id: onC_flow, message: { op: 'emit', event: 'hello', data: 1 } });
      await Promise.all(pushes);
      // a status change made through A reaches B's subscriber
      const stopped = waitFor(onB, 'container_status', (s) => s.container_id === onC_flow && s.state === 'stopped');
      await ok(onA, 'stop_container', { container_id: onC_flow });
      await stopped;
      await ok(onA, 'start_container', { container_id: onC_flow });

      await deleteAll(onA);
      expect(await ok<ContainerInfo[]>(onB, 'list_containers', {})).toEqual([]);
    } finally {
      await cl.close();
    }
  }, 120_000);

  it('SIGKILL of an instance mid-traffic: acknowledged operations are kept, its flows are adopted and stay reachable, pushes go on, subscriptions follow the client id; then Redis restarts and the cluster recovers', async () => {
    const cl = await startCluster(engine);
    try {
      const [onA, onB] = [await cl.connect(cl.a.fm.url), await cl.connect(cl.b.fm.url)];
      const creator = await cl.connect(cl.c.url, { token: cl.token, client_id: 'watcher-1' });
      const flow = (await ok<ContainerInfo>(creator, 'create_container', { code_path: cl.counterPath })).container_id;
      await statusUntil(creator, flow, connected);
      await ok(onB, 'subscribe', { container_id: flow });

      // traffic from A and B; C dies in the middle of it
      const acked: number[] = [];
      const failures: string[] = [];
      let running = true;
      const traffic = [onA, onB].map(async (client) => {
        while (running) {
          const r = await call(client, 'send_message', { container_id: flow, message: { op: 'inc' } }, 20_000).catch(() => undefined);
          if (r && 'ok' in r) acked.push((r.data as { reply: number }).reply);
          else {
            failures.push(r ? r.code : 'client timeout');
            await new Promise((res) => setTimeout(res, 50));
          }
        }
      });
      await until(() => acked.length >= 10, { what: 'traffic through the cluster' }).catch((err: unknown) => {
        running = false;
        throw err;
      });
      cl.c.bin.child.kill('SIGKILL');
      await cl.c.bin.exit;
      const atKill = acked.length;
      await until(() => acked.length >= atKill + 10, { timeoutMs: 30_000, what: 'the flow to answer again (adopted)' }).catch((err: unknown) => {
        running = false;
        throw err;
      });
      running = false;
      await Promise.all(traffic);

      // what failed meanwhile said so: the instance was gone or being adopted (never "not found")
      expect(failures.filter((code) => !['FM_CLUSTER_UNAVAILABLE', 'FM_FLOW_NOT_CONNECTED', 'client timeout'].includes(code))).toEqual([]);
      // every acknowledged increment happened exactly once in the flow (it kept running: its count is all of them)
      expect(new Set(acked).size).toBe(acked.length);
      const count = (await ok<{ reply: number }>(onA, 'send_message', { container_id: flow, message: { op: 'get' } })).reply;
      expect(count).toBeGreaterThanOrEqual(acked.length);
      expect(Math.max(...acked)).toBeLessThanOrEqual(count);

      // served by a survivor now: listed, its status current, pushes reach B's subscriber
      expect((await ok<ContainerInfo[]>(onB, 'list_containers', {})).map((c) => c.container_id)).toEqual([flow]);
      expect(await ok<ContainerStatus>(onA, 'get_status', { container_id: flow })).toMatchObject({ state: 'running', socket_connected: true });
      let push = waitFor(onB, 'flow_message', (m) => m.event === 'after-kill');
      await ok(onA, 'send_message', { container_id: flow, message: { op: 'emit', event: 'after-kill' } });
      await push;
      // the creator's client reconnects (to A) with its client id: still subscribed, without asking
      const back = await cl.connect(cl.a.fm.url, { token: cl.token, client_id: 'watcher-1' });
      await new Promise((res) => setTimeout(res, 200)); // its rooms are joined after the Redis read
      push = waitFor(back, 'flow_message', (m) => m.event === 'to-watcher');
      await ok(onB, 'send_message', { container_id: flow, message: { op: 'emit', event: 'to-watcher' } });
      await push;

      // Redis restarts (empty): the members reconnect, forwarding and pushes work again
      await cl.redis.restart();
      // one of A and B serves the flow now: the other's requests are forwarded, both must answer again
      await until(async () => {
        for (const client of [onA, onB]) {
          const r = await call(client, 'send_message', { container_id: flow, message: { op: 'get' } }, 5_000).catch(() => undefined);
          if (r === undefined || !('ok' in r)) return false;
        }
        return true;
      }, { timeoutMs: 30_000, intervalMs: 200, what: 'forwarding after the Redis restart' });
      push = waitFor(onB, 'flow_message', (m) => m.event === 'after-redis');
      await ok(onA, 'send_message', { container_id: flow, message: { op: 'emit', event: 'after-redis' } });
      await push;
      expect((await ok<ContainerInfo[]>(onA, 'list_containers', {})).map((c) => c.container_id)).toEqual([flow]);

      await deleteAll(onA);
    } finally {
      await cl.close();
    }
  }, 180_000);
});
