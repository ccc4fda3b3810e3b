import { z } from 'zod';
import type { ErrorType, FlowManagerErrorCode } from './errors.js';
import type { ActivityEntry, ContainerConfig, ContainerInfo, ContainerStatus } from './models.js';
import { containerConfigSchema } from './models.js';

const containerId = z.string().min(1).max(128);
const byId = z.object({ container_id: containerId }).strict();

/** The zod schema of each client event's payload. */
export const EVENT_SCHEMAS = {
  /** `timeout_ms`: the client's own deadline; past it (or when the client goes away first) the container is removed again. */
  create_container: containerConfigSchema.extend({ timeout_ms: z.number().int().positive().max(600_000).optional() }),
  start_container: byId,
  stop_container: byId,
  restart_container: byId,
  update_container: z.object({ container_id: containerId, code_path: z.string().min(1).max(4096) }).strict(),
  delete_container: byId,
  send_message: z.object({ container_id: containerId, message: z.unknown(), timeout_ms: z.number().int().positive().max(300_000).optional() }).strict(),
  get_status: z.object({ container_id: containerId, refresh: z.boolean().optional() }).strict(),
  list_containers: z.object({}).strict(),
  subscribe: byId,
  unsubscribe: byId,
} as const;

export type ClientEventName = keyof typeof EVENT_SCHEMAS;

/** The design's error object, answered through the acknowledgement. */
export interface ErrorResponse {
  error: true;
  error_type: ErrorType;
  /** A stable code to branch on (see the README). */
  code: FlowManagerErrorCode;
  message: string;
  details: Record<string, unknown>;
  timestamp: string;
}

export type AckResponse<T> = { ok: true; data: T } | ErrorResponse;
export type Ack<T> = (response: AckResponse<T>) => void;

export interface FlowMessage {
  container_id: string;
  event: string;
  message: unknown;
  timestamp: string;
}

/** Events a client sends (each answered through its acknowledgement). */
export interface ClientToServerEvents {
  create_container: (payload: ContainerConfig & { timeout_ms?: number }, ack: Ack<ContainerInfo>) => void;
  start_container: (payload: { container_id: string }, ack: Ack<ContainerStatus>) => void;
  stop_container: (payload: { container_id: string }, ack: Ack<ContainerStatus>) => void;
  restart_container: (payload: { container_id: string }, ack: Ack<ContainerStatus>) => void;
  update_container: (payload: { container_id: string; code_path: string }, ack: Ack<ContainerStatus>) => void;
  delete_container: (payload: { container_id: string }, ack: Ack<{ container_id: string; deleted: true }>) => void;
  send_message: (payload: { container_id: string; message: unknown; timeout_ms?: number }, ack: Ack<{ container_id: string; reply: unknown }>) => void;
  get_status: (payload: { container_id: string; refresh?: boolean }, ack: Ack<ContainerStatus>) => void;
  list_containers: (payload: Record<string, never>, ack: Ack<ContainerInfo[]>) => void;
  /** Joins the container's room: its status pushes, activity and flow messages; answers the recent activity. */
  subscribe: (payload: { container_id: string }, ack: Ack<{ container_id: string; activity: ActivityEntry[] }>) => void;
  unsubscribe: (payload: { container_id: string }, ack: Ack<{ container_id: string }>) => void;
}

/** Events the service pushes to the clients subscribed to a container. */
export interface ServerToClientEvents {
  container_status: (status: ContainerStatus) => void;
  activity: (entry: ActivityEntry) => void;
  flow_message: (message: FlowMessage) => void;
  /** An event the service cannot answer through an acknowledgement (an unknown event sent without one). */
  error: (error: ErrorResponse) => void;
}
