import { EventEmitter } from 'node:events';
import { kawaflowError, kawaflowReply, kawaflowUptime } from '../src/compat/kawaflow-format.js';
import { withRequesterDeadline } from '../src/create-deadline.js';
import { errorResponse } from '../src/socketio-event-handler.js';
import { FlowManagerError, EVENT_SCHEMAS, createSystemLogger } from '../src/index.js';
import { healthCheckConfigSchema, nextHealth, shouldRecover } from '../src/monitoring/health-checks.js';
import { HealthMonitor } from '../src/monitoring/health-monitor.js';
import { cpuPercent, memoryInUse, toSample } from '../src/monitoring/stats-sampler.js';
import type { EngineStats, ResourceSample } from '../src/monitoring/stats-sampler.js';
import { DEFAULT_THRESHOLDS, checkThresholds } from '../src/monitoring/thresholds.js';
import type { ThresholdKey } from '../src/monitoring/thresholds.js';
import type { ContainerStatus } from '../src/models.js';

const sample = (extra: Partial<ResourceSample> = {}): ResourceSample => ({
  container_id: 'c',
  cpu_percent: 1,
  memory_bytes: 100,
  memory_limit_bytes: 1_000,
  memory_percent: 10,
  pids: 2,
  network_rx_bytes: 0,
  network_tx_bytes: 0,
  disk_read_bytes: 0,
  disk_write_bytes: 0,
  sampled_at: new Date(10_000).toISOString(),
  ...extra,
});

describe('stats samples', () => {
  it('CPU over the window, memory without page cache, pids, network and disk totals', () => {
    const a = { cpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 100e9, online_cpus: 2 } };
    const b = {
      cpu_stats: { cpu_usage: { total_usage: 1.5e9 }, system_cpu_usage: 102e9, online_cpus: 2 },
      memory_stats: { usage: 3_000, limit: 10_000, stats: { inactive_file: 1_000 } },
      pids_stats: { current: 4 },
      networks: { eth0: { rx_bytes: 10, tx_bytes: 20 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 7 }, { op: 'write', value: 9 }, { op: 'Total', value: 16 }] },
    };
    expect(toSample('c', a, b, 100, new Date(0))).toEqual({
      container_id: 'c',
      cpu_percent: 50,
      memory_bytes: 2_000,
      memory_limit_bytes: 10_000,
      memory_percent: 20,
      pids: 4,
      network_rx_bytes: 11,
      network_tx_bytes: 22,
      disk_read_bytes: 7,
      disk_write_bytes: 9,
      sampled_at: new Date(0).toISOString(),
    });
    expect(toSample('c', {}, {}, 100)).toMatchObject({ cpu_percent: null, memory_bytes: null, pids: null, network_rx_bytes: 0, disk_read_bytes: null });
  });

  it('cpuPercent and memoryInUse (shared with the dashboard sampler): cgroup v1 and v2, wall-time fallback, never negative', () => {
    expect(memoryInUse({ usage: 5_000, stats: { inactive_file: 1_000 } })).toBe(4_000); // v2
    expect(memoryInUse({ usage: 5_000, stats: { total_inactive_file: 2_000 } })).toBe(3_000); // v1
    expect(memoryInUse({ usage: 100, stats: { inactive_file: 900 } })).toBe(0);
    expect(memoryInUse(undefined)).toBeNull();
    const at = (total: number, system?: number): Pick<EngineStats, 'cpu_stats'> => ({ cpu_stats: { cpu_usage: { total_usage: total }, ...(system === undefined ? {} : { system_cpu_usage: system }), online_cpus: 2 } });
    expect(cpuPercent(at(0, 0), at(50, 200), 100)).toBe(50); // 50/200 of the host's time, 2 CPUs
    expect(cpuPercent(at(0), at(25e6), 100)).toBe(25); // no host figure: 25 ms of CPU in 100 ms
    expect(cpuPercent(at(10, 10), at(5, 20), 100)).toBe(0); // a counter that went back (restart)
    expect(cpuPercent(at(0, 0), {}, 100)).toBeNull();
    expect(cpuPercent(at(0), at(1), 0)).toBeNull();
  });
});

describe('resource thresholds', () => {
  it('alert once per crossing, again after going back under; rates need two samples', () => {
    const over = new Set<ThresholdKey>();
    const t = { ...DEFAULT_THRESHOLDS, pids: 3, network_rx_bytes_per_sec: 100 };
    expect(checkThresholds(sample({ pids: 5 }), undefined, t, over).map((a) => [a.resource, a.value, a.threshold])).toEqual([['pids', 5, 3]]);
    expect(checkThresholds(sample({ pids: 6 }), undefined, t, over)).toEqual([]);
    expect(checkThresholds(sample({ pids: 1 }), undefined, t, over)).toEqual([]);
    expect(checkThresholds(sample({ pids: 4 }), undefined, t, over)).toHaveLength(1);
    const prev = sample({ network_rx_bytes: 0, sampled_at: new Date(8_000).toISOString() });
    expect(checkThresholds(sample({ pids: 1, network_rx_bytes: 1_000 }), prev, t, new Set()).map((a) => [a.resource, a.value])).toEqual([['network_rx_bytes_per_sec', 500]]);
    expect(checkThresholds(sample({ memory_percent: 90 }), undefined, DEFAULT_THRESHOLDS, new Set()).map((a) => a.resource)).toEqual(['memory_percent']);
  });
});

describe('health checks', () => {
  const config = healthCheckConfigSchema.parse({ check_type: 'command', command: ['true'], retries: 2, start_period: 10 });
  it('starting until a pass; failures in the start period do not count; retries in a row make it unhealthy', () => {
    const s = { config, health: 'starting' as const, failures: 0, runStartMs: 0 };
    expect(nextHealth(s, false, 5_000)).toEqual({ health: 'starting', failures: 0 });
    expect(nextHealth(s, false, 11_000)).toEqual({ health: 'starting', failures: 1 });
    expect(nextHealth({ ...s, failures: 1 }, false, 11_000)).toEqual({ health: 'unhealthy', failures: 2 });
    expect(nextHealth({ ...s, health: 'healthy' }, false, 5_000)).toEqual({ health: 'healthy', failures: 1 });
    expect(nextHealth({ ...s, health: 'unhealthy', failures: 5 }, true, 11_000)).toEqual({ health: 'healthy', failures: 0 });
  });
  it('refuses checks that would reach into the container network, and commands missing', () => {
    expect(healthCheckConfigSchema.safeParse({ check_type: 'http', port: 8080 }).success).toBe(false);
    expect(healthCheckConfigSchema.safeParse({ check_type: 'tcp' }).success).toBe(false);
    expect(healthCheckConfigSchema.safeParse({ check_type: 'command' }).success).toBe(false);
    expect(healthCheckConfigSchema.safeParse({ check_type: 'socket', interval: 0.5 }).success).toBe(false);
  });
  it('auto recovery: only when unhealthy, enabled, under the attempts and past the cooldown', () => {
    const c = healthCheckConfigSchema.parse({ auto_recovery: true, max_recovery_attempts: 2, recovery_cooldown: 60 });
    const s = { config: c, health: 'unhealthy' as const, recoveryAttempts: 0, lastRecoveryMs: undefined };
    expect(shouldRecover(s, 0)).toBe(true);
    expect(shouldRecover({ ...s, health: 'healthy' }, 0)).toBe(false);
    expect(shouldRecover({ ...s, recoveryAttempts: 2 }, 0)).toBe(false);
    expect(shouldRecover({ ...s, recoveryAttempts: 1, lastRecoveryMs: 0 }, 30_000)).toBe(false);
    expect(shouldRecover({ ...s, recoveryAttempts: 1, lastRecoveryMs: 0 }, 60_000)).toBe(true);
    expect(shouldRecover({ ...s, config: { ...c, recovery_action: 'none' } }, 0)).toBe(false);
  });
  it('the monitor pings over the socket, reports changes, keeps a bounded history and skips stopped flows', async () => {
    let state: ContainerStatus['state'] = 'running';
    let answer = true;
    const hm = new HealthMonitor({
      engine: undefined as never,
      logger: createSystemLogger({ level: 'silent' }),
      statusOf: () => ({ state }) as ContainerStatus,
      ping: () => (answer ? Promise.resolve('pong') : Promise.reject(new Error('no flow'))),
      restart: () => Promise.resolve(),
      historySize: 2,
    });
    const changes: string[] = [];
    hm.on('health', (_id, h) => changes.push(h));
    hm.configure('c', healthCheckConfigSchema.parse({ interval: 3_600, retries: 1, start_period: 0 }), Date.now());
    expect(hm.healthOf('c')).toBe('starting');
    await hm.checkNow('c');
    answer = false;
    await hm.checkNow('c');
    await hm.checkNow('c');
    expect(changes).toEqual(['healthy', 'unhealthy']);
    expect(hm.history('c', 10).map((r) => r.success)).toEqual([false, false]);
    state = 'stopped';
    expect(await hm.checkNow('c')).toBeUndefined();
    hm.close();
    expect(hm.healthOf('c')).toBeUndefined();
  });
});

describe('kawaflow formats', () => {
  it('uptime as Python prints a timedelta; null when not running', () => {
    expect(kawaflowUptime(0)).toBeNull();
    expect(kawaflowUptime(630.7)).toBe('0:10:30');
    expect(kawaflowUptime(90_061)).toBe('1 day, 1:01:01');
    expect(kawaflowUptime(2 * 86_400)).toBe('2 days, 0:00:00');
  });
  it("errors in the seed's format with kawaflow's error types, our code kept", () => {
    const e = (code: ConstructorParameters<typeof FlowManagerError>[0]): string => kawaflowError(errorResponse(new FlowManagerError(code, 'x'), 'op'), 'op').error_type;
    expect(e('FM_CONTAINER_NOT_FOUND')).toBe('container_not_found_error');
    expect(e('FM_IMAGE_NOT_FOUND')).toBe('image_not_found_error');
    expect(e('FM_ENGINE_ERROR')).toBe('docker_api_error');
    expect(e('FM_FLOW_TIMEOUT')).toBe('socket_timeout_error');
    expect(e('FM_FLOW_NOT_CONNECTED')).toBe('socket_connection_error');
    expect(e('FM_FLOW_FAILED')).toBe('socket_error');
    expect(e('FM_CONTAINER_LIMIT')).toBe('resource_error');
    expect(e('FM_INVALID_PAYLOAD')).toBe('validation_error');
    expect(e('FM_INTERNAL')).toBe('system_error');
    expect(kawaflowError(errorResponse(new FlowManagerError('FM_FLOW_TIMEOUT', 'slow'), 'send_message'), 'send_message')).toMatchObject({
      error: true,
      code: 'FM_FLOW_TIMEOUT',
      message: 'slow',
      details: { operation: 'send_message', code: 'FM_FLOW_TIMEOUT' },
    });
  });
  it('list and status replies', () => {
    const info = { container_id: 'id1', name: 'n', image: 'i', state: 'running', created_at: 't', socket_path: '/s', ports: {} };
    expect(kawaflowReply('list_containers', {}, [info], () => undefined)).toEqual({ containers: [{ id: 'id1', name: 'n', status: 'running', image: 'i', created: 't', socket_path: '/s', ports: {} }], count: 1 });
    const status = { container_id: 'id1', name: 'n', state: 'running', health: 'healthy', uptime: 3_725, exit_code: null, socket_connected: true, last_communication: null, resource_usage: null };
    expect(kawaflowReply('get_container_status', {}, status, () => sample({ container_id: 'id1', network_rx_bytes: 5 }))).toMatchObject({
      uptime: '1:02:05',
      resource_usage: { memory_usage: 100, network_rx_bytes: 5 },
    });
  });
});

describe("the seed's payload shapes", () => {
  it('volumes { host: container } are read-only binds; ports { "8080": 8080 }', () => {
    const parsed = EVENT_SCHEMAS.create_container.parse({ image: 'x', volumes: { '/srv/a': '/data' }, ports: { '8080': 8080 } });
    expect(parsed.volumes).toEqual({ '/srv/a': { bind: '/data', mode: 'ro' } });
    expect(parsed.ports).toEqual({ '8080': 8080 });
    expect(EVENT_SCHEMAS.create_container.safeParse({ image: 'x', volumes: { '/srv/a': 'data' } }).success).toBe(false);
    expect(EVENT_SCHEMAS.send_message.safeParse({ container_id: 'c', message: { command: 'run', data: { a: 1 } } }).success).toBe(true);
  });
});

describe('a create nobody waits for', () => {
  it('is aborted when the requester disconnects or its timeout passes, and nothing stays registered', async () => {
    const requester = new EventEmitter();
    const seen: unknown[] = [];
    const run = withRequesterDeadline(requester, undefined, (signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))));
    const first = run.catch((err: unknown) => err);
    requester.emit('disconnect');
    seen.push(await first);
    seen.push(await withRequesterDeadline(requester, 20, (signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)))).catch((err: unknown) => err));
    expect(seen).toMatchObject([{ code: 'FM_CREATE_TIMEOUT' }, { code: 'FM_CREATE_TIMEOUT', details: { timeout_ms: 20 } }]);
    const other = new EventEmitter();
    await Promise.all(Array.from({ length: 20 }, () => withRequesterDeadline(other, 1_000, () => Promise.resolve(7))));
    expect(other.listenerCount('disconnect')).toBe(1); // one per client, however many creates it has going
  });
});
