import { io } from 'socket.io-client';
import { testEngines } from '@pocketdock/testkit';
import type { EVENT_SCHEMAS } from '../../src/index.js';
import type { ContainerInfo } from '../../src/index.js';
import { FLOW_COMMAND, call, ok, startService } from './helpers.js';
import type { Service } from './helpers.js';

// Validation and access control do not depend on the engine: one engine is enough here (lifecycle.test.ts runs
// every engine).
const engine = testEngines()[0]!;

/** For each event, payloads that must be refused with a validation error. */
const BAD: Record<keyof typeof EVENT_SCHEMAS, unknown[]> = {
  create_container: [{ image: 7 }, { image: 'x', environment: { A: 1 } }, { image: 'x', unknown: true }, { image: 'x', ports: { '80/sctp': 80 } }, 'not an object'],
  start_container: [{}, { container_id: 5 }],
  stop_container: [{}, { container_id: '' }],
  restart_container: [{ container_id: null }],
  update_container: [{ container_id: 'x' }, { container_id: 'x', code_path: 1 }],
  delete_container: [{ id: 'x' }],
  send_message: [{ message: 1 }, { container_id: 'x', message: 1, timeout_ms: -1 }],
  get_status: [{}, { container_id: 'x', refresh: 'yes' }],
  list_containers: [{ all: true }],
  subscribe: [[]],
  unsubscribe: [{ container_id: {} }],
};

describe(`flow-manager access and validation (${engine.name})`, () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine, { maxContainers: 2, maxPayloadBytes: 64 * 1024, allowedOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('answers every event with a validation error object for a bad payload', async () => {
    const client = await svc.connect();
    for (const [event, payloads] of Object.entries(BAD)) {
      for (const payload of payloads) {
        const r = await call(client, event as keyof typeof EVENT_SCHEMAS, payload);
        expect({ event, r }).toMatchObject({ event, r: { error: true, error_type: 'validation_error', code: 'FM_INVALID_PAYLOAD', message: expect.any(String), timestamp: expect.any(String) } });
      }
    }
    // unknown containers are validation errors too, for every event that names one
    for (const event of ['start_container', 'stop_container', 'restart_container', 'delete_container', 'get_status', 'subscribe'] as const) {
      expect(await call(client, event, { container_id: 'nope' })).toMatchObject({ error: true, code: 'FM_CONTAINER_NOT_FOUND' });
    }
    expect(await call(client, 'send_message', { container_id: 'nope', message: 1 })).toMatchObject({ code: 'FM_CONTAINER_NOT_FOUND' });
    expect(await call(client, 'update_container', { container_id: 'nope', code_path: svc.v1 })).toMatchObject({ code: 'FM_CONTAINER_NOT_FOUND' });
    expect(client.connected).toBe(true);
  });

  it('refuses a client without the token, with a wrong one, and from an origin not allowed', async () => {
    await expect(svc.connect({})).rejects.toMatchObject({ message: expect.stringContaining('unauthorized') });
    await expect(svc.connect({ token: 'x'.repeat(32) })).rejects.toMatchObject({ message: expect.stringContaining('unauthorized') });
    const foreign = io(svc.fm.url, { auth: { token: svc.token }, transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { origin: 'https://evil.example' } });
    await expect(
      new Promise((resolve, reject) => {
        foreign.once('connect', () => resolve('connected'));
        foreign.once('connect_error', reject);
      }),
    ).rejects.toBeDefined();
    foreign.close();
    const allowed = io(svc.fm.url, { auth: { token: svc.token }, transports: ['polling'], reconnection: false, forceNew: true, extraHeaders: { origin: 'https://app.example' } });
    await new Promise<void>((resolve, reject) => {
      allowed.once('connect', () => resolve());
      allowed.once('connect_error', reject);
    });
    allowed.close();
  });

  it('disconnects a client whose message exceeds maxPayloadBytes; others carry on', async () => {
    const big = await svc.connect();
    const other = await svc.connect();
    const closed = new Promise((r) => big.once('disconnect', r));
    big.emit('get_status', { container_id: 'x'.repeat(100 * 1024) }, () => undefined);
    await closed;
    expect(await ok(other, 'list_containers', {})).toEqual([]);
  });

  it('limits the number of containers (maxContainers) with FM_CONTAINER_LIMIT', async () => {
    const client = await svc.connect();
    const config = { volumes: { [svc.v1]: { bind: '/code' } }, command: FLOW_COMMAND };
    const made = await Promise.all([ok<ContainerInfo>(client, 'create_container', config), ok<ContainerInfo>(client, 'create_container', config)]);
    expect(await call(client, 'create_container', config)).toMatchObject({ error: true, code: 'FM_CONTAINER_LIMIT', details: { max_containers: 2 } });
    for (const c of made) await ok(client, 'delete_container', { container_id: c.container_id });
  }, 60_000);
});
