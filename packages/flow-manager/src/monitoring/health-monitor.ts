import { EventEmitter } from 'node:events';
import { openContainer } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { ContainerStatus } from '../models.js';
import type { SystemLogger } from '../system-logger.js';
import { healthCheckConfigSchema, nextHealth, shouldRecover } from './health-checks.js';
import type { CheckHealth, HealthCheckConfig, HealthCheckResult, HealthState } from './health-checks.js';

/** What the health checks need from the service. */
export interface HealthMonitorOptions {
  engine: EngineClient;
  logger: SystemLogger;
  /** A container's status now, or undefined when it is gone. */
  statusOf(id: string): ContainerStatus | undefined;
  /** Pings the flow over its socket (resolves on any answer). */
  ping(id: string, timeoutMs: number): Promise<unknown>;
  /** Auto recovery's restart. */
  restart(id: string): Promise<unknown>;
  historySize: number;
}

/**
 * Health checks per container: each configured container is checked every `interval` seconds while it runs, by a
 * command in the container (exec) or a ping over its Unix socket, never by traffic to its IP address. Its health is
 * `starting` until a check passes (failures in the start period do not count), `healthy` after a pass, `unhealthy`
 * after `retries` failures in a row. Emits `health` when it changes.
 */
export class HealthMonitor extends EventEmitter<{ health: [id: string, health: CheckHealth, result: HealthCheckResult] }> {
  readonly #o: HealthMonitorOptions;
  readonly #states = new Map<string, HealthState>();
  #defaults: HealthCheckConfig = healthCheckConfigSchema.parse({ enabled: false });
  #closed = false;

  constructor(options: HealthMonitorOptions) {
    super();
    this.#o = options;
  }

  get defaults(): HealthCheckConfig {
    return this.#defaults;
  }

  /** The configuration new containers get (kawaflow's default health config); `enabled: false` by default. */
  setDefaults(config: HealthCheckConfig): void {
    this.#defaults = config;
  }

  /** Checks the container with `config` (or the defaults), from now on; a disabled config stops its checks. */
  configure(id: string, config: HealthCheckConfig | undefined, runStartMs: number): HealthCheckConfig {
    const c = config ?? this.#defaults;
    const old = this.#states.get(id);
    if (old?.timer) clearTimeout(old.timer);
    const state: HealthState = { config: c, health: 'starting', failures: 0, runStartMs, history: old?.history ?? [], timer: undefined, checking: false, recoveryAttempts: 0, lastRecoveryMs: undefined };
    this.#states.set(id, state);
    this.#schedule(id, state);
    return c;
  }

  config(id: string): HealthCheckConfig | undefined {
    return this.#states.get(id)?.config;
  }

  /** The container's health by its checks (undefined: no enabled check). */
  healthOf(id: string): CheckHealth | undefined {
    const s = this.#states.get(id);
    return s?.config.enabled ? s.health : undefined;
  }

  history(id: string, limit: number): HealthCheckResult[] {
    return (this.#states.get(id)?.history ?? []).slice(-limit);
  }

  /** A new run started: the health is `starting` again and the start period counts from `runStartMs`. */
  restarted(id: string, runStartMs: number): void {
    const s = this.#states.get(id);
    if (!s) return;
    s.health = 'starting';
    s.failures = 0;
    s.runStartMs = runStartMs;
  }

  forget(id: string): void {
    const s = this.#states.get(id);
    if (s?.timer) clearTimeout(s.timer);
    this.#states.delete(id);
  }

  close(): void {
    this.#closed = true;
    for (const id of [...this.#states.keys()]) this.forget(id);
  }

  #schedule(id: string, s: HealthState): void {
    if (this.#closed || !s.config.enabled || this.#states.get(id) !== s) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.checkNow(id).finally(() => this.#schedule(id, s));
    }, s.config.interval * 1000);
    s.timer.unref();
  }

  /** Runs one check now (skipped while the container does not run); resolves with its result. */
  async checkNow(id: string): Promise<HealthCheckResult | undefined> {
    const s = this.#states.get(id);
    if (!s || s.checking || this.#o.statusOf(id)?.state !== 'running') return undefined;
    s.checking = true;
    const started = performance.now();
    let error: string | null = null;
    try {
      await this.#probe(id, s.config);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      s.checking = false;
    }
    if (this.#states.get(id) !== s) return undefined;
    const now = Date.now();
    const before = s.health;
    const next = nextHealth(s, error === null, now);
    s.health = next.health;
    s.failures = next.failures;
    const result: HealthCheckResult = { container_id: id, check_type: s.config.check_type, success: error === null, health: s.health, response_time_ms: Math.round((performance.now() - started) * 10) / 10, error, timestamp: new Date(now).toISOString() };
    s.history.push(result);
    if (s.history.length > this.#o.historySize) s.history.shift();
    if (before !== s.health) this.emit('health', id, s.health, result);
    if (s.health === 'healthy') s.recoveryAttempts = 0;
    if (shouldRecover(s, now)) {
      s.recoveryAttempts++;
      s.lastRecoveryMs = now;
      this.#o.logger.warn({ container_id: id, attempt: s.recoveryAttempts }, 'flow unhealthy: restarting it (health check auto recovery)');
      await this.#o.restart(id).catch((err: unknown) => this.#o.logger.warn({ err, container_id: id }, 'auto recovery restart failed'));
    }
    return result;
  }

  async #probe(id: string, c: HealthCheckConfig): Promise<void> {
    const timeoutMs = Math.round(c.timeout * 1000);
    if (c.check_type === 'socket') {
      await this.#o.ping(id, timeoutMs);
      return;
    }
    const container = await openContainer(id, { engine: this.#o.engine });
    const r = await container.run(c.command ?? [], { timeoutMs, maxOutputBytes: 64 * 1024 });
    if (r.exitCode !== 0) throw new Error(`health check exited ${r.exitCode}: ${(r.stderr || r.stdout).slice(0, 200)}`);
  }
}
