import type { EngineClient } from '@pocketdock/engine-socket';
import { LABEL_INSTANCE } from '../labels.js';
import type { ContainerHealth, ContainerState } from '../models.js';
import type { LiveContainer, LiveKind } from './live-events.js';

/** What `GET /containers/json` answers (the fields used here). */
interface ListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
  Labels?: Record<string, string> | null;
}

const STATES: Record<string, ContainerState> = {
  created: 'created',
  running: 'running',
  paused: 'paused',
  restarting: 'restarting',
  removing: 'removing',
  exited: 'exited',
  dead: 'dead',
  stopped: 'exited',
  configured: 'created',
};

/** `Up 3 minutes (healthy)` and the like: the engine's own summary is all a list call gives. */
function healthOf(status: string | undefined): ContainerHealth {
  if (status === undefined) return 'none';
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(health: starting\)|\(starting\)/.test(status)) return 'starting';
  return 'none';
}

function kindOf(labels: Record<string, string>): LiveKind {
  if (labels[LABEL_INSTANCE] !== undefined) return 'flow';
  if (Object.keys(labels).some((k) => k.startsWith('pocketdock.pool'))) return 'pool';
  return 'sandbox';
}

/**
 * Every pocketdock-managed container on the engine (label `pocketdock.managed=true`) that is NOT one of this
 * flow-manager's flows: sandboxes, pool members and other flow-managers' flows, read-only. One list call.
 */
export async function listOtherContainers(engine: EngineClient, instance: string, signal?: AbortSignal): Promise<LiveContainer[]> {
  const listed = await engine.json<ListedContainer[]>({
    path: '/containers/json',
    query: { all: true, filters: JSON.stringify({ label: ['pocketdock.managed=true'] }) },
    ...(signal ? { signal } : {}),
  });
  const out: LiveContainer[] = [];
  for (const c of listed) {
    const labels = c.Labels ?? {};
    if (labels[LABEL_INSTANCE] === instance) continue;
    const state = STATES[c.State ?? ''] ?? 'dead';
    const started = Number(labels['pocketdock.created-at'] ? Date.parse(labels['pocketdock.created-at']) : NaN);
    out.push({
      container_id: c.Id,
      name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      image: c.Image ?? '',
      state,
      health: healthOf(c.Status),
      uptime: state === 'running' && Number.isFinite(started) ? Math.max(0, Math.round((Date.now() - started) / 1000)) : 0,
      kind: kindOf(labels),
      managed_here: false,
      status: null,
    });
  }
  return out;
}
