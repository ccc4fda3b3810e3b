import { z } from 'zod';
import type { ContainerManager } from '../container-manager.js';
import type { ExtensionEvent, HandlerExtension } from '../handler-extension.js';
import type { FlowServer } from '../socketio-event-handler.js';
import { roomOf } from '../socketio-event-handler.js';
import { healthCheckConfigSchema } from './health-checks.js';
import type { Monitor } from './monitor.js';
import { thresholdsSchema } from './thresholds.js';
import type { ResourceAlert } from './thresholds.js';

const containerId = z.string().min(1).max(128);
const limit = z.number().int().min(1).max(10_000).default(10);

/** The zod schema of each monitoring event's payload. */
export const MONITORING_EVENT_SCHEMAS = {
  get_resource_thresholds: z.object({ container_id: containerId.optional() }).strict(),
  set_resource_thresholds: z.object({ container_id: containerId.optional(), thresholds: thresholdsSchema }).strict(),
  get_resource_usage_history: z.object({ container_id: containerId, limit }).strict(),
  enable_resource_monitoring: z.object({ interval_ms: z.number().int().min(250).max(86_400_000).optional() }).strict(),
  disable_resource_monitoring: z.object({}).strict(),
  set_health_check_config: z.object({ container_id: containerId, config: healthCheckConfigSchema }).strict(),
  get_health_check_config: z.object({ container_id: containerId }).strict(),
  get_health_status_history: z.object({ container_id: containerId, limit }).strict(),
  set_default_health_config: z.object({ config: healthCheckConfigSchema }).strict(),
  get_default_health_config: z.object({}).strict(),
  get_status_history: z.object({ container_id: containerId, limit }).strict(),
} as const;

type Schemas = typeof MONITORING_EVENT_SCHEMAS;
type Payload<E extends keyof Schemas> = z.output<Schemas[E]>;

/** `resource_alert`'s payload: ours, with kawaflow's field names as well. */
export interface ResourceAlertPush extends ResourceAlert {
  resource_type: ResourceAlert['resource'];
  current_value: number;
  usage_data: ResourceAlert['usage'];
}

/**
 * The monitoring's events (thresholds, usage history, monitoring on/off, health checks, histories) as a handler
 * extension, and its pushes: `resource_alert`, and each period every container's `container_status` to its room.
 * With `broadcast` (the kawaflow mode) alerts go to every client instead, as kawaflow sends them.
 */
export class MonitoringEvents implements HandlerExtension {
  readonly events: Readonly<Record<string, ExtensionEvent>>;

  constructor(options: { io: FlowServer; manager: ContainerManager; monitor: Monitor; broadcast: boolean }) {
    const { io, manager, monitor } = options;
    const resolve = (id: string): string => manager.resolveId(id);
    const event = <E extends keyof Schemas>(name: E, run: (p: Payload<E>) => unknown): [string, ExtensionEvent] => [
      name,
      { schema: MONITORING_EVENT_SCHEMAS[name], run: (p) => Promise.resolve().then(() => run(p as Payload<E>)) },
    ];
    const one = (id: string | undefined): { container_id?: string } => (id === undefined ? {} : { container_id: resolve(id) });
    this.events = Object.fromEntries([
      event('get_resource_thresholds', (p) => ({ ...one(p.container_id), thresholds: monitor.thresholds(one(p.container_id).container_id) })),
      event('set_resource_thresholds', (p) => {
        const target = one(p.container_id);
        return { ...target, thresholds: monitor.setThresholds(p.thresholds, target.container_id) };
      }),
      event('get_resource_usage_history', (p) => ({ container_id: resolve(p.container_id), history: monitor.usageHistory(resolve(p.container_id), p.limit), limit: p.limit })),
      event('enable_resource_monitoring', (p) => {
        monitor.enable(p.interval_ms);
        return { enabled: true, interval_ms: monitor.intervalMs };
      }),
      event('disable_resource_monitoring', () => {
        monitor.disable();
        return { enabled: false, interval_ms: monitor.intervalMs };
      }),
      event('set_health_check_config', (p) => {
        const id = resolve(p.container_id);
        const started = manager.statusOf(id);
        const config = monitor.health.configure(id, p.config, Date.now() - (started?.uptime ?? 0) * 1000);
        manager.pushStatus(id);
        return { container_id: id, config };
      }),
      event('get_health_check_config', (p) => {
        const id = resolve(p.container_id);
        return { container_id: id, config: monitor.health.config(id) ?? null, health: monitor.health.healthOf(id) ?? null };
      }),
      event('get_health_status_history', (p) => {
        const id = resolve(p.container_id);
        return { container_id: id, health: monitor.health.healthOf(id) ?? null, history: monitor.health.history(id, p.limit), limit: p.limit };
      }),
      event('set_default_health_config', (p) => {
        monitor.health.setDefaults(p.config);
        return { config: p.config };
      }),
      event('get_default_health_config', () => ({ config: monitor.health.defaults })),
      event('get_status_history', (p) => ({ container_id: resolve(p.container_id), history: monitor.statusHistory(resolve(p.container_id), p.limit), limit: p.limit })),
    ]);
    type Emitter = { emit(event: string, payload: unknown): boolean };
    monitor.on('resource_alert', (alert) => {
      const push: ResourceAlertPush = { ...alert, resource_type: alert.resource, current_value: alert.value, usage_data: alert.usage };
      const target = (options.broadcast ? io : io.to(roomOf(alert.container_id))) as unknown as Emitter;
      target.emit('resource_alert', push);
    });
    monitor.on('status_update', (status) => io.to(roomOf(status.container_id)).emit('container_status', status));
  }
}
