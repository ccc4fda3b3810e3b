import { z } from 'zod';
import type { Ack } from '../event-schemas.js';
import type { ContainerHealth, ContainerState, ContainerStatus } from '../models.js';

const containerId = z.string().min(1).max(128);
const terminalId = z.string().regex(/^t-[a-f0-9]{16}$/);
const cols = z.number().int().min(2).max(1_000);
const rows = z.number().int().min(1).max(1_000);

/** The zod schema of each live event's payload (the dashboard's: overview, logs, terminal). */
export const LIVE_EVENT_SCHEMAS = {
  live_overview: z.object({}).strict(),
  live_overview_leave: z.object({}).strict(),
  live_logs: z.object({ container_id: containerId, tail: z.number().int().min(0).max(5_000).optional() }).strict(),
  live_logs_stop: z.object({ container_id: containerId }).strict(),
  terminal_open: z.object({ container_id: containerId, cols, rows }).strict(),
  terminal_input: z.object({ terminal_id: terminalId, data: z.string().max(64 * 1024) }).strict(),
  terminal_resize: z.object({ terminal_id: terminalId, cols, rows }).strict(),
  terminal_close: z.object({ terminal_id: terminalId }).strict(),
} as const;

export type LiveEventName = keyof typeof LIVE_EVENT_SCHEMAS;

/** Which kind of pocketdock container a row is. Only `flow` rows of this flow-manager take actions. */
export type LiveKind = 'flow' | 'sandbox' | 'pool';

/** One row of the overview: this flow-manager's flows, and (read-only) every other pocketdock-managed container. */
export interface LiveContainer {
  container_id: string;
  name: string;
  image: string;
  state: ContainerState;
  health: ContainerHealth;
  /** Seconds since it started; 0 when not running. */
  uptime: number;
  kind: LiveKind;
  /** True for this flow-manager's own flows: the only ones with actions and a terminal. */
  managed_here: boolean;
  /** Flows of this flow-manager: the full status. */
  status: ContainerStatus | null;
}

/** One resource sample (CPU from two one-shot engine samples of the same container, taken one interval apart). */
export interface StatsSample {
  container_id: string;
  cpu_percent: number | null;
  memory_bytes: number | null;
  memory_limit_bytes: number | null;
  sampled_at: string;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The engine's timestamp (RFC 3339), or null. */
  ts: string | null;
  text: string;
}

/** Live requests a client sends (each answered through its acknowledgement, like every other event). */
export interface LiveClientToServerEvents {
  /** Joins the overview: status pushes of every flow here, `live_tick` for stats and the other containers. */
  live_overview: (payload: Record<string, never>, ack: Ack<{ instance: string; containers: LiveContainer[] }>) => void;
  live_overview_leave: (payload: Record<string, never>, ack: Ack<{ left: true }>) => void;
  /** Follows a container's logs (`live_log` pushes); answers the recent lines. */
  live_logs: (payload: { container_id: string; tail?: number }, ack: Ack<{ container_id: string; lines: LogLine[] }>) => void;
  live_logs_stop: (payload: { container_id: string }, ack: Ack<{ container_id: string }>) => void;
  /** An exec with a TTY (`/bin/sh`) in one of this flow-manager's running flows. */
  terminal_open: (payload: { container_id: string; cols: number; rows: number }, ack: Ack<{ terminal_id: string; container_id: string }>) => void;
  terminal_input: (payload: { terminal_id: string; data: string }, ack: Ack<{ bytes: number }>) => void;
  terminal_resize: (payload: { terminal_id: string; cols: number; rows: number }, ack: Ack<{ cols: number; rows: number }>) => void;
  terminal_close: (payload: { terminal_id: string }, ack: Ack<{ terminal_id: string }>) => void;
}

/** Live pushes, each to its room only (`live:overview`, `logs:<id>`) or to the terminal's own client. */
export interface LiveServerToClientEvents {
  container_status: (status: ContainerStatus) => void;
  /** Every interval while someone watches: this flow-manager's statuses (uptime, health), the others, samples. */
  live_tick: (tick: { flows: ContainerStatus[]; others: LiveContainer[]; samples: StatsSample[] }) => void;
  live_log: (batch: { container_id: string; lines: LogLine[] }) => void;
  terminal_output: (out: { terminal_id: string; data: string }) => void;
  terminal_exit: (end: { terminal_id: string; reason: 'exited' | 'closed' | 'idle' | 'disconnected' | 'shutdown' | 'error' }) => void;
}

export const OVERVIEW_ROOM = 'live:overview';
export const logsRoomOf = (containerId: string): string => `logs:${containerId}`;
