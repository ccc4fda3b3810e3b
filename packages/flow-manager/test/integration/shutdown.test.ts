import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { io } from 'socket.io-client';
import { testEngines, until } from '@pocketdock/testkit';
import type { ActivityEntry, ContainerInfo } from '../../src/index.js';
import { runBin } from './bin-process.js';
import type { BinProcess } from './bin-process.js';
import { call, connected, ok, startService, statusUntil, waitFor } from './helpers.js';
import type { Client } from './helpers.js';
import { stuckClient } from './raw-client.js';

const GRACE_MS = 1_000;

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe.each(testEngines())('stopping the flow-manager on $name', (engine) => {
  it('SIGTERM frees the port, answers requests under way, ends within the grace despite a client that never reads, and a successor started meanwhile takes over every flow', async () => {
    const svc = await startService(engine); // makes the flows (with the test run's labels)
    let bin: BinProcess | undefined;
    let stuck: Socket | undefined;
    let client: Client | undefined;
    try {
      let c = await svc.connect();
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push((await ok<ContainerInfo>(c, 'create_container', { code_path: svc.v1 })).container_id);
      for (const id of ids) await statusUntil(c, id, connected);
      c.disconnect();
      await svc.fm.stop();

      // The bin serves the same instance (and socket directory) now.
      bin = runBin({
        POCKETDOCK_SOCKET: engine.socketPath,
        FLOW_MANAGER_TOKEN: svc.token,
        FLOW_MANAGER_PORT: '0',
        FLOW_MANAGER_SOCKET_DIR: svc.socketDir,
        FLOW_MANAGER_INSTANCE: svc.instance,
        FLOW_MANAGER_ALLOWED_ROOTS: svc.root,
        FLOW_MANAGER_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(await bin.stdout)?.[1];
      if (url === undefined) throw new Error(`the bin did not start: ${bin.stderr()}`);
      const port = Number(new URL(url).port);
      client = io(url, { auth: { token: svc.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise((resolve) => client!.once('connect', () => resolve(undefined)));
      for (const id of ids) await statusUntil(client, id, connected);
      stuck = await stuckClient(port, svc.token);

      // A request under way when the signal comes: the flow would answer in 20 s.
      await ok(client, 'subscribe', { container_id: ids[0] });
      const sent = waitFor(client, 'activity', (a: ActivityEntry) => a.type === 'message_sent');
      const order: string[] = [];
      const inflight = call(client, 'send_message', { container_id: ids[0], message: { op: 'sleep', ms: 20_000 }, timeout_ms: 30_000 }, 30_000).then((r) => {
        order.push('answer');
        return r;
      });
      client.once('disconnect', () => order.push('disconnect'));
      await sent;

      const t0 = Date.now();
      bin.child.kill('SIGTERM');
      await svc.restart(); // the successor, at once: the old one is still stopping
      expect(await inflight).toMatchObject({ error: true, code: 'FM_SHUTTING_DOWN' });
      await until(async () => !(await listening(port)), { timeoutMs: 2_000, what: 'the port to be free' });
      const exitCode = await bin.exit;
      const exitMs = Date.now() - t0;
      expect(exitCode).toBe(0);
      expect(exitMs).toBeLessThan(GRACE_MS + 3_000);
      await until(() => order.length === 2, { what: 'the client to be disconnected' });
      expect(order).toEqual(['answer', 'disconnect']);
      expect(bin.stderr()).toContain('clients still connected after the shutdown grace: cut');

      // The successor has every flow, and their flows reconnect to it.
      c = await svc.connect();
      expect((await ok<ContainerInfo[]>(c, 'list_containers', {})).map((i) => i.container_id).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(await ok(c, 'send_message', { container_id: id, message: 'back', timeout_ms: 15_000 }, 20_000)).toMatchObject({ reply: { echo: 'back' } });
    } finally {
      stuck?.destroy();
      client?.close();
      bin?.child.kill('SIGKILL');
      await svc.close();
    }
  }, 120_000);
});
