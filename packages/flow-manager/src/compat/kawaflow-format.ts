import type { ErrorResponse } from '../event-schemas.js';
import type { ActivityEntry, ContainerInfo, ContainerStatus } from '../models.js';
import type { ResourceSample } from '../monitoring/stats-sampler.js';

/** kawaflow's error types (its `error` event). */
export type KawaflowErrorType =
  | 'docker_api_error'
  | 'container_not_found_error'
  | 'image_not_found_error'
  | 'resource_error'
  | 'socket_error'
  | 'socket_timeout_error'
  | 'socket_connection_error'
  | 'validation_error'
  | 'system_error';

/** kawaflow's `error` event payload (the seed's error format), with our `code`. */
export type KawaflowErrorObject = Omit<ErrorResponse, 'error_type'> & { error_type: KawaflowErrorType };

/** Each request's reply event in kawaflow (by the event name the client used; aliases included). */
export const KAWAFLOW_REPLIES: Readonly<Record<string, string>> = {
  create_container: 'container_created',
  start_container: 'container_started',
  stop_container: 'container_stopped',
  restart_container: 'container_restarted',
  update_container: 'container_updated',
  delete_container: 'container_deleted',
  send_message: 'message_sent',
  get_container_status: 'container_status',
  get_status: 'container_status',
  list_containers: 'container_list',
  get_resource_thresholds: 'resource_thresholds',
  set_resource_thresholds: 'resource_thresholds_updated',
  get_resource_usage_history: 'resource_usage_history',
  enable_resource_monitoring: 'resource_monitoring_enabled',
  disable_resource_monitoring: 'resource_monitoring_disabled',
  set_health_check_config: 'health_check_config_set',
  get_health_check_config: 'health_check_config',
  get_health_status_history: 'health_status_history',
  set_default_health_config: 'default_health_config_set',
  get_default_health_config: 'default_health_config',
  get_status_history: 'status_history',
};

/** kawaflow's timestamps in pushes: seconds since the epoch. */
export const epochSeconds = (ms = Date.now()): number => ms / 1000;

/** Python's `str(timedelta)` for whole seconds: `H:MM:SS` (`1 day, 2:03:04` past a day); null when not running. */
export function kawaflowUptime(seconds: number): string | null {
  if (seconds <= 0) return null;
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86_400);
  const rest = s % 86_400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days > 1 ? 's' : ''}, ${hms}` : hms;
}

/** Our error object -> kawaflow's (`error_type` in its words; our `code` kept, in `details` too). */
export function kawaflowError(e: ErrorResponse, operation: string): KawaflowErrorObject {
  return {
    error: true,
    error_type: kawaflowErrorType(e),
    code: e.code,
    message: e.message,
    details: { ...e.details, operation, code: e.code },
    timestamp: e.timestamp,
  };
}

function kawaflowErrorType(e: ErrorResponse): KawaflowErrorType {
  switch (e.code) {
    case 'FM_CONTAINER_NOT_FOUND':
      return 'container_not_found_error';
    case 'FM_IMAGE_NOT_FOUND':
      return 'image_not_found_error';
    case 'FM_CONTAINER_LIMIT':
    case 'FM_TOO_MANY_CLIENTS':
      return 'resource_error';
    case 'FM_FLOW_TIMEOUT':
      return 'socket_timeout_error';
    case 'FM_FLOW_NOT_CONNECTED':
      return 'socket_connection_error';
    default:
      return e.error_type === 'engine_error' ? 'docker_api_error' : e.error_type;
  }
}

/** kawaflow's `resource_usage` from a monitoring sample (network and disk) or a status's own sample; null when none. */
export function kawaflowUsage(status: ContainerStatus, sample: ResourceSample | undefined): Record<string, unknown> | null {
  const u = status.resource_usage;
  if (status.state !== 'running' || (u === null && sample === undefined)) return null;
  const newer = sample !== undefined && (u === null || Date.parse(sample.sampled_at) >= Date.parse(u.sampled_at));
  return {
    cpu_percent: newer ? sample.cpu_percent : u!.cpu_percent,
    memory_usage: newer ? sample.memory_bytes : u!.memory_bytes,
    memory_limit: newer ? sample.memory_limit_bytes : u!.memory_limit_bytes,
    memory_percent: newer ? sample.memory_percent : u!.memory_percent,
    pids: newer ? sample.pids : u!.pids,
    network_rx_bytes: sample?.network_rx_bytes ?? null,
    network_tx_bytes: sample?.network_tx_bytes ?? null,
    disk_read_bytes: sample?.disk_read_bytes ?? null,
    disk_write_bytes: sample?.disk_write_bytes ?? null,
    timestamp: newer ? sample.sampled_at : u!.sampled_at,
  };
}

/** kawaflow's `container_status` (the reply) and `container_status_update`'s `status`. */
export function kawaflowStatus(s: ContainerStatus, sample: ResourceSample | undefined): Record<string, unknown> {
  return {
    container_id: s.container_id,
    name: s.name,
    state: s.state,
    health: s.health,
    uptime: kawaflowUptime(s.uptime),
    uptime_seconds: s.uptime,
    exit_code: s.exit_code,
    socket_connected: s.socket_connected,
    last_communication: s.last_communication,
    resource_usage: kawaflowUsage(s, sample),
  };
}

/** A reply event's payload from our answer's `data` (`payload` is what the client sent). */
export function kawaflowReply(event: string, payload: Record<string, unknown>, data: unknown, sample: (id: string) => ResourceSample | undefined): Record<string, unknown> {
  const d = (data ?? {}) as Record<string, unknown>;
  const id = d['container_id'];
  switch (event) {
    case 'create_container': {
      const info = data as ContainerInfo;
      return { container_id: info.container_id, name: info.name, image: info.image, status: 'created', socket_path: info.socket_path, ports: info.ports, state: info.state };
    }
    case 'start_container':
    case 'restart_container':
      return { container_id: id, status: 'running' };
    case 'stop_container':
      return { container_id: id, status: 'stopped' };
    case 'update_container':
      return { container_id: id, code_path: payload['code_path'], status: 'updated' };
    case 'delete_container':
      return { container_id: id, status: 'deleted' };
    case 'send_message':
      return { container_id: id, message: payload['message'], status: 'sent', reply: d['reply'] };
    case 'get_status':
    case 'get_container_status':
      return kawaflowStatus(data as ContainerStatus, sample((data as ContainerStatus).container_id));
    case 'list_containers': {
      const list = data as ContainerInfo[];
      const containers = list.map((c) => ({ id: c.container_id, name: c.name, status: c.state, image: c.image, created: c.created_at, socket_path: c.socket_path, ports: c.ports }));
      return { containers, count: containers.length };
    }
    default:
      return { ...d, timestamp: epochSeconds() };
  }
}

/** Our activity types -> kawaflow's `activity_type`. */
export const KAWAFLOW_ACTIVITY: Readonly<Record<ActivityEntry['type'], string>> = {
  created: 'container_created',
  started: 'container_started',
  stopped: 'container_stopped',
  restarted: 'container_restarted',
  updated: 'container_updated',
  update_failed: 'container_error',
  deleted: 'container_deleted',
  crashed: 'container_crash',
  exited: 'status_change',
  flow_connected: 'status_change',
  flow_disconnected: 'status_change',
  message_sent: 'message_sent',
  message_received: 'message_received',
};
