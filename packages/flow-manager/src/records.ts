import type { Container } from '@pocketdock/container-sdk';
import { FLOW_SOCKET_DIR } from '@pocketdock/flow-runtime';
import type { ContainerEvent } from './engine-events.js';
import { portsOf, startedAt, volumesOf } from './engine-inspect.js';
import type { Inspected } from './engine-inspect.js';
import { LABEL_ENV_KEYS, LABEL_SOCKET_KEY } from './labels.js';
import type { ContainerInfo, ContainerState, ContainerStatus, ResourceUsage } from './models.js';

/** Why the flow-manager itself is taking a container down: its `die` is then expected, not a crash. */
export type Intent = 'stop' | 'restart' | 'delete' | undefined;

/** What the flow-manager keeps about each container it manages. */
export interface FlowRecord {
  id: string;
  name: string;
  image: string;
  /** The random key of the container's socket directory (`{socketDir}/mounts/{key}`), also a label. */
  key: string;
  createdAt: Date;
  startedAt: Date | undefined;
  state: ContainerState;
  exitCode: number | null;
  crashed: boolean;
  intent: Intent;
  command: string[] | null;
  workingDir: string | null;
  environmentKeys: string[];
  volumes: ContainerInfo['volumes'];
  ports: Record<string, number>;
  /** A container-sdk handle while it runs (for stats and files). */
  handle: Container | undefined;
  usage: ResourceUsage | null;
  usageRefresh: Promise<void> | undefined;
  /** Set once the container is gone: the cleanup everyone waits for. */
  forgotten?: Promise<void>;
}

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

/** The engine's state word -> the design's state. `exited` after our own stop reads `stopped`. */
export function stateOf(engineStatus: string, intent: Intent): ContainerState {
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
      return intent === 'stop' ? 'stopped' : 'exited';
    default:
      return 'exited';
  }
}

/** A record from an engine inspect document (with the labels the flow-manager set at creation). */
export function recordFrom(i: Inspected, handle: FlowRecord['handle']): FlowRecord {
  const labels = i.Config.Labels ?? {};
  return {
    id: i.Id,
    name: i.Name.replace(/^\//, ''),
    image: i.Config.Image.replace(/^localhost\//, ''),
    key: labels[LABEL_SOCKET_KEY] ?? '',
    createdAt: new Date(i.Created),
    startedAt: startedAt(i.State.StartedAt),
    state: stateOf(i.State.Status, undefined),
    exitCode: i.State.Running ? null : (i.State.ExitCode ?? null),
    crashed: false,
    intent: undefined,
    command: i.Config.Cmd ?? null,
    workingDir: i.Config.WorkingDir || null,
    environmentKeys: (labels[LABEL_ENV_KEYS] ?? '').split(',').filter(Boolean),
    volumes: volumesOf(i.HostConfig?.Binds ?? [], FLOW_SOCKET_DIR),
    ports: portsOf(i.HostConfig?.PortBindings),
    handle,
    usage: null,
    usageRefresh: undefined,
  };
}

/** A flow that exited without being asked to: crashed unless its exit code is 0 (an unknown one counts as 0). */
export function endedOnItsOwn(r: FlowRecord): 'crashed' | 'exited' {
  r.handle = undefined;
  r.crashed = (r.exitCode ?? 0) !== 0;
  return r.crashed ? 'crashed' : 'exited';
}

/**
 * Applies an engine event to a record. `die` is a crash (non-zero) or an exit (zero) unless the flow-manager
 * itself was stopping, deleting or restarting the container; `start` ends whatever it was doing.
 */
export function applyEvent(r: FlowRecord, e: ContainerEvent): 'changed' | 'crashed' | 'exited' | 'gone' | 'ignored' {
  switch (e.action) {
    case 'start':
      r.state = 'running';
      r.startedAt = e.timeMs ? new Date(e.timeMs) : new Date();
      r.exitCode = null;
      r.crashed = false;
      // Whatever we were doing (a restart's die comes before this start) is over; a later die is the flow's own.
      r.intent = undefined;
      return 'changed';
    case 'die':
      r.exitCode = e.exitCode ?? null;
      r.handle = undefined;
      if (r.intent === 'stop' || r.intent === 'delete') r.state = 'stopped';
      else if (r.intent === 'restart') r.state = 'restarting';
      else {
        r.state = 'exited';
        return endedOnItsOwn(r);
      }
      return 'changed';
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
