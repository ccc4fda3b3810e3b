import { EventEmitter } from 'node:events';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { ContainerManager } from '../container-manager.js';
import type { ContainerStatus } from '../models.js';
import type { SocketCommunicationHandler } from '../socket-communication-handler.js';
import type { SystemLogger } from '../system-logger.js';
import type { CheckHealth, HealthCheckResult } from './health-checks.js';
import { HealthMonitor } from './health-monitor.js';
import type { StatsSampler } from './stats-sampler.js';
import type { ResourceSample } from './stats-sampler.js';
import { DEFAULT_THRESHOLDS, checkThresholds } from './thresholds.js';
import type { ResourceAlert, ThresholdKey, Thresholds } from './thresholds.js';

export interface MonitorOptions {
  manager: ContainerManager;
  sockets: SocketCommunicationHandler;
  engine: EngineClient;
  sampler: StatsSampler;
  logger: SystemLogger;
  /** Sampling and status push period; 0: off until `enable()`. */
  intervalMs: number;
  /** Entries kept per container in each history (status, resource usage, health checks). */
  historySize: number;
}

/** One entry of a container's status history. */
export interface StatusHistoryEntry {
  state: ContainerStatus['state'];
  health: ContainerStatus['health'];
  socket_connected: boolean;
  exit_code: number | null;
  timestamp: string;
}

export interface MonitorEvents {
  /** Each period, for every container (kawaflow's `container_status_update`). */
  status_update: [ContainerStatus];
  resource_alert: [ResourceAlert];
  /** A container's health by its checks changed. */
  health: [id: string, health: CheckHealth, result: HealthCheckResult];
}

interface Watched {
  usage: ResourceSample[];
  status: StatusHistoryEntry[];
  thresholds: Partial<Thresholds>;
  over: Set<ThresholdKey>;
  lastState: ContainerStatus['state'] | undefined;
}

/**
 * kawaflow's monitoring: every `intervalMs` (while enabled) each running container is sampled (sequentially, one
 * engine call pair at a time), its resources checked against its thresholds (`resource_alert`, once per crossing),
 * and every container's status pushed (`status_update`). It also keeps, bounded, each container's status history
 * (every change), resource samples and health check results, and runs the health checks (`health`).
 */
export class Monitor extends EventEmitter<MonitorEvents> {
  readonly health: HealthMonitor;
  readonly #o: MonitorOptions;
  readonly #watched = new Map<string, Watched>();
  #defaults: Thresholds = { ...DEFAULT_THRESHOLDS };
  #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #closed = false;
  readonly #onStatus = (s: ContainerStatus): void => this.#statusChanged(s);

  constructor(options: MonitorOptions) {
    super();
    this.#o = options;
    this.#intervalMs = options.intervalMs;
    this.health = new HealthMonitor({
      engine: options.engine,
      logger: options.logger,
      statusOf: (id) => options.manager.statusOf(id),
      ping: (id, timeoutMs) => options.sockets.sendMessage(id, { command: 'health_check', data: null }, { timeoutMs }).catch((err: unknown) => {
        // The flow answered, though its handler threw: it is alive.
        if ((err as { code?: string }).code !== 'FM_FLOW_FAILED') throw err;
      }),
      restart: (id) => options.manager.restartContainer(id),
      historySize: options.historySize,
    });
    this.health.on('health', (id, h, result) => {
      this.emit('health', id, h, result);
      options.manager.pushStatus(id);
    });
    options.manager.setHealthSource((id) => this.health.healthOf(id));
    options.manager.on('status', this.#onStatus);
    for (const c of options.manager.listContainers()) {
      const s = options.manager.statusOf(c.container_id);
      if (s) this.#statusChanged(s);
    }
    if (this.#intervalMs > 0) this.#start();
  }

  get enabled(): boolean {
    return this.#timer !== undefined;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** Starts the periodic sampling and status pushes (every `intervalMs`, default the configured one or 30 s). */
  enable(intervalMs?: number): void {
    this.#intervalMs = intervalMs ?? (this.#intervalMs || 30_000);
    this.#stop();
    this.#start();
  }

  disable(): void {
    this.#stop();
  }

  /** The thresholds that apply to a container (its own over the defaults), or the defaults. */
  thresholds(id?: string): Thresholds {
    return { ...this.#defaults, ...(id === undefined ? {} : this.#watched.get(id)?.thresholds) };
  }

  setThresholds(t: Partial<Thresholds>, id?: string): Thresholds {
    if (id === undefined) this.#defaults = { ...this.#defaults, ...t };
    else {
      const w = this.#watch(id);
      w.thresholds = { ...w.thresholds, ...t };
      w.over.clear();
    }
    return this.thresholds(id);
  }

  usageHistory(id: string, limit: number): ResourceSample[] {
    return (this.#watched.get(id)?.usage ?? []).slice(-limit);
  }

  statusHistory(id: string, limit: number): StatusHistoryEntry[] {
    return (this.#watched.get(id)?.status ?? []).slice(-limit);
  }

  /** Samples every running container once now, checks thresholds and pushes statuses (what each period does). */
  async sweep(): Promise<void> {
    this.#tick ??= this.#sweep().finally(() => (this.#tick = undefined));
    return this.#tick;
  }

  /** Stops every timer at once; a sweep under way ends by itself without pushing (it is not waited for: its engine calls would outlast the shutdown grace). */
  close(): Promise<void> {
    this.#closed = true;
    this.#stop();
    this.health.close();
    this.#o.manager.off('status', this.#onStatus);
    return Promise.resolve();
  }

  async #sweep(): Promise<void> {
    for (const c of this.#o.manager.listContainers()) {
      if (this.#closed) return;
      if (c.state !== 'running') continue;
      try {
        const sample = await this.#o.sampler.sample(c.container_id);
        const w = this.#watch(c.container_id);
        const prev = w.usage.at(-1);
        w.usage.push(sample);
        if (w.usage.length > this.#o.historySize) w.usage.shift();
        for (const alert of checkThresholds(sample, prev, this.thresholds(c.container_id), w.over)) this.emit('resource_alert', alert);
      } catch (err) {
        this.#o.logger.debug({ err, container_id: c.container_id }, 'monitoring sample failed');
      }
    }
    for (const c of this.#o.manager.listContainers()) {
      const s = this.#o.manager.statusOf(c.container_id);
      if (s && !this.#closed) this.emit('status_update', s);
    }
  }

  #start(): void {
    if (this.#closed) return;
    this.#timer = setInterval(() => void this.sweep(), this.#intervalMs);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #watch(id: string): Watched {
    let w = this.#watched.get(id);
    if (!w) {
      w = { usage: [], status: [], thresholds: {}, over: new Set(), lastState: undefined };
      this.#watched.set(id, w);
      this.health.configure(id, undefined, Date.now());
    }
    return w;
  }

  #statusChanged(s: ContainerStatus): void {
    if (s.state === 'removing') {
      this.#watched.delete(s.container_id);
      this.health.forget(s.container_id);
      return;
    }
    const w = this.#watch(s.container_id);
    if (s.state === 'running' && w.lastState !== 'running') this.health.restarted(s.container_id, Date.now() - s.uptime * 1000);
    w.lastState = s.state;
    const last = w.status.at(-1);
    if (last && last.state === s.state && last.health === s.health && last.socket_connected === s.socket_connected && last.exit_code === s.exit_code) return;
    w.status.push({ state: s.state, health: s.health, socket_connected: s.socket_connected, exit_code: s.exit_code, timestamp: new Date().toISOString() });
    if (w.status.length > this.#o.historySize) w.status.shift();
  }
}
