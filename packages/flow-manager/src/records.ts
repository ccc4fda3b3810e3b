import type { Container } from '@pocketdock/container-sdk';
import { FLOW_SOCKET_DIR } from '@pocketdock/flow-runtime';
import type { ContainerEvent } from './engine-events.js';
import { portsOf, startedAt, volumesOf } from './engine-inspect.js';
import type { Inspected } from './engine-inspect.js';
import { LABEL_CODE_TARGET, LABEL_ENV_KEYS, LABEL_SOCKET_KEY } from './labels.js';
import type { ContainerInfo, ContainerState, ContainerStatus, ResourceUsage } from './models.js';

/** The flow-manager's own operations on a container: a `die` during one of them is expected, not a crash. */
export type OpKind = 'start' | 'stop' | 'restart' | 'update' | 'delete';

/** When an operation ran, in the engine's (this host's) clock; `toMs` undefined while it runs. */
export interface OpWindow {
  kind: OpKind;
  fromMs: number;
  toMs: number | undefined;
}

/** What the flow-manager keeps about each container it manages. */
export interface FlowRecord {
  id: string;
  name: string;
  image: string;
  /** The random key of the container's socket (and code) directory, also a label. */
  key: string;
  createdAt: Date;
  startedAt: Date | undefined;
  state: ContainerState;
  exitCode: number | null;
  crashed: boolean;
  /** Stopped by the flow-manager and not started since (kept across service restarts): `exited` then reads `stopped`. */
  stoppedByUs: boolean;
  /** The recent operations, to tell an expected `die` from a crash whatever order (and however late) events arrive. */
  ops: OpWindow[];
  /** The state reflects the engine as of this time: older events only report, they do not change it. */
  stateAsOfMs: number;
  /** The end (engine time) of the last run already reported as crashed or exited (kept across service restarts). */
  reportedEndMs: number | undefined;
  /** Where the service-owned code is mounted in the container (`code_path` at creation), or null: not updatable. */
  codeTarget: string | null;
  /** The host path the current code was copied from. */
  codePath: string | null;
  command: string[] | null;
  workingDir: string | null;
  environmentKeys: string[];
  volumes: ContainerInfo['volumes'];
  ports: Record<string, number>;
  /** A container-sdk handle (for stats). */
  handle: Container | undefined;
  usage: ResourceUsage | null;
  usageRefresh: Promise<void> | undefined;
  /** Operations on one container run one at a time. */
  lock: Promise<unknown>;
  /** Set once the container is gone: the cleanup everyone waits for. */
  forgotten?: Promise<void>;
}

/** Slack around an operation's window, for the clocks' granularity (engine events carry nanoseconds, Date.now ms). */
const WINDOW_SLACK_MS = 10;
/** How long an operation's window is kept to judge `die` events that arrive late. */
export const OP_WINDOW_RETENTION_MS = 10 * 60_000;
const MAX_OP_WINDOWS = 1_000;
/** A run's end seen twice (its `die` event, then an inspect's FinishedAt after an outage) is reported once. */
const SAME_END_MS = 1_000;

export function toInfo(r: FlowRecord, socketPath: string): ContainerInfo {
  return {
    container_id: r.id,
    name: r.name,
    image: r.image,
    state: r.state,
    created_at: r.createdAt.toISOString(),
    started_at: r.startedAt && r.state === 'running' ? r.startedAt.toISOString() : null,
    socket_path: socketPath,
    command: r.command,
    working_dir: r.workingDir,
    code_path: r.codePath,
    environment_keys: r.environmentKeys,
    volumes: r.volumes,
    ports: r.ports,
  };
}

export function toStatus(r: FlowRecord, socketConnected: boolean, lastCommunication: Date | undefined, now = Date.now()): ContainerStatus {
  const running = r.state === 'running';
  return {
    container_id: r.id,
    name: r.name,
    state: r.state,
    health: r.crashed ? 'unhealthy' : running ? (socketConnected ? 'healthy' : 'starting') : 'none',
    uptime: running && r.startedAt ? Math.max(0, Math.round((now - r.startedAt.getTime()) / 100) / 10) : 0,
    exit_code: running ? null : r.exitCode,
    socket_connected: socketConnected,
    last_communication: lastCommunication?.toISOString() ?? null,
    resource_usage: running ? r.usage : null,
  };
}

/** The engine's state word -> the design's state. `exited` after the flow-manager's own stop reads `stopped`. */
export function stateOf(engineStatus: string, stoppedByUs: boolean): ContainerState {
  switch (engineStatus) {
    case 'running':
    case 'created':
    case 'paused':
    case 'restarting':
    case 'removing':
    case 'dead':
      return engineStatus;
    case 'exited':
    case 'stopped':
      return stoppedByUs ? 'stopped' : 'exited';
    default:
      return 'exited';
  }
}

/** A record from an engine inspect document (with the labels the flow-manager set at creation); `applyInspect` fills in the state. */
export function recordFrom(i: Inspected, persisted: { stoppedByUs: boolean; reportedEndMs: number | undefined; codePath: string | null }, asOfMs: number): FlowRecord {
  const labels = i.Config.Labels ?? {};
  const codeTarget = labels[LABEL_CODE_TARGET] || null;
  const r: FlowRecord = {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    image: i.Config.Image.replace(/^localhost\//, ''),
    key: labels[LABEL_SOCKET_KEY] ?? '',
    createdAt: new Date(i.Created),
    startedAt: undefined,
    state: 'created',
    exitCode: null,
    crashed: false,
    stoppedByUs: persisted.stoppedByUs,
    ops: [],
    stateAsOfMs: asOfMs,
    reportedEndMs: persisted.reportedEndMs,
    codeTarget,
    codePath: codeTarget ? persisted.codePath : null,
    command: i.Config.Cmd ?? null,
    workingDir: i.Config.WorkingDir || null,
    environmentKeys: (labels[LABEL_ENV_KEYS] ?? '').split(',').filter(Boolean),
    volumes: volumesOf(i.HostConfig?.Binds ?? [], [FLOW_SOCKET_DIR, ...(codeTarget ? [codeTarget] : [])]),
    ports: portsOf(i.HostConfig?.PortBindings),
    handle: undefined,
    usage: null,
    usageRefresh: undefined,
    lock: Promise.resolve(),
  };
  return r;
}

/**
 * Brings a record up to an inspect document taken at `asOfMs`. Returns the run's end when it is one nobody has
 * reported yet (it crashed or exited while no event could tell: the service or the engine's event stream was down).
 */
export function applyInspect(r: FlowRecord, i: Inspected, asOfMs: number): 'crashed' | 'exited' | undefined {
  const wasRunning = r.state === 'running';
  r.stateAsOfMs = Math.max(r.stateAsOfMs, asOfMs);
  r.state = stateOf(i.State.Status, r.stoppedByUs);
  r.startedAt = startedAt(i.State.StartedAt);
  r.exitCode = i.State.Running ? null : (i.State.ExitCode ?? null);
  if (r.state === 'running') {
    if (!wasRunning) r.usage = null;
    r.crashed = false;
    return undefined;
  }
  r.crashed = r.state === 'exited' && (r.exitCode ?? 0) !== 0;
  if (r.state !== 'exited') return undefined;
  const endMs = startedAt(i.State.FinishedAt)?.getTime();
  if (endMs === undefined || alreadyReported(r, endMs) || (r.reportedEndMs !== undefined && endMs < r.reportedEndMs)) return undefined;
  r.reportedEndMs = endMs;
  return r.crashed ? 'crashed' : 'exited';
}

/** The window of one of the flow-manager's operations that covers engine time `t`, if any. */
export function opAt(r: FlowRecord, t: number): OpWindow | undefined {
  return r.ops.find((w) => w.fromMs - WINDOW_SLACK_MS <= t && (w.toMs === undefined || t <= w.toMs + WINDOW_SLACK_MS));
}

/**
 * Opens an operation's window; call the returned function when it ends. Windows are kept for
 * `OP_WINDOW_RETENTION_MS` (an engine under load was seen delivering a burst of `die` events a minute late), at most
 * `MAX_OP_WINDOWS` of them (operations on one container run one at a time, so that is minutes of them).
 */
export function beginOp(r: FlowRecord, kind: OpKind, now = Date.now()): () => void {
  const w: OpWindow = { kind, fromMs: now, toMs: undefined };
  while (r.ops.length > 0 && ((r.ops[0]!.toMs ?? now) < now - OP_WINDOW_RETENTION_MS || r.ops.length >= MAX_OP_WINDOWS)) r.ops.shift();
  r.ops.push(w);
  return () => {
    w.toMs = Date.now();
  };
}

/**
 * Applies an engine event to a record, by the event's own time: Podman delivers events late (120-320 ms seen), so a
 * `start` from before the state was last read changes nothing, and a `die` within one of the flow-manager's own
 * operations (or after its stop) is expected, whenever it arrives. Any other `die` is the flow ending by itself:
 * `crashed` unless its exit code is 0, reported once.
 */
export function applyEvent(r: FlowRecord, e: ContainerEvent): 'changed' | 'crashed' | 'exited' | 'gone' | 'ignored' {
  const t = e.timeMs || Date.now();
  switch (e.action) {
    case 'start':
      if (t < r.stateAsOfMs) return 'ignored';
      r.state = 'running';
      r.startedAt = new Date(t);
      r.exitCode = null;
      r.crashed = false;
      r.usage = null;
      r.stateAsOfMs = t;
      if (!opAt(r, t)) r.stoppedByUs = false; // started by someone else
      return 'changed';
    case 'die': {
      const op = opAt(r, t);
      const stoppedEarlier = r.stoppedByUs && r.ops.some((w) => (w.kind === 'stop' || w.kind === 'delete') && t >= w.fromMs);
      if (op === undefined && !stoppedEarlier) return ended(r, t, e.exitCode);
      if (t < r.stateAsOfMs) return 'ignored';
      r.exitCode = e.exitCode ?? null;
      r.handle = undefined;
      r.usage = null;
      r.stateAsOfMs = t;
      r.state = op === undefined || op.kind === 'stop' || op.kind === 'delete' ? 'stopped' : 'restarting';
      return 'changed';
    }
    case 'pause':
      r.state = 'paused';
      return 'changed';
    case 'unpause':
      r.state = 'running';
      return 'changed';
    case 'destroy': // Docker
    case 'remove': // Podman
      return 'gone';
    default:
      return 'ignored';
  }
}

function ended(r: FlowRecord, t: number, exitCode: number | undefined): 'crashed' | 'exited' | 'ignored' {
  if (alreadyReported(r, t)) return 'ignored';
  r.reportedEndMs = t;
  const outcome = (exitCode ?? 0) !== 0 ? 'crashed' : 'exited';
  // A late event about a run that is over (the state was read since and shows it ended) still sets the outcome.
  if (t >= r.stateAsOfMs || r.state !== 'running') {
    r.state = 'exited';
    r.exitCode = exitCode ?? null;
    r.crashed = outcome === 'crashed';
    r.handle = undefined;
    r.usage = null;
    r.stateAsOfMs = Math.max(r.stateAsOfMs, t);
  }
  return outcome;
}

/** Whether a run that ended at `t` is the one reported last (seen once by its event, once by an inspect). */
function alreadyReported(r: FlowRecord, t: number): boolean {
  const last = r.reportedEndMs;
  if (last === undefined || Math.abs(t - last) > SAME_END_MS) return false;
  return r.startedAt === undefined || r.startedAt.getTime() <= Math.min(t, last); // no run started in between
}
