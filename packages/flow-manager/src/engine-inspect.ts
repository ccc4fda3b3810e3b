import type { EngineClient } from '@pocketdock/engine-socket';
import type { ContainerInfo } from './models.js';

/** The part of a container's inspect document the flow-manager reads. */
export interface Inspected {
  Id: string;
  Name: string;
  Created: string;
  Config: { Image: string; Labels?: Record<string, string> | null; Env?: string[] | null; Cmd?: string[] | null; WorkingDir?: string };
  State: { Status: string; Running: boolean; StartedAt?: string; FinishedAt?: string; ExitCode?: number };
  HostConfig?: { Binds?: string[] | null; PortBindings?: Record<string, Array<{ HostPort?: string }> | null> | null };
}

export function inspect(engine: EngineClient, id: string): Promise<Inspected> {
  return engine.json<Inspected>({ path: `/containers/${encodeURIComponent(id)}/json` });
}

/** `/host:/in:ro` -> a volume entry; the service's own mounts (the flow's socket directory, its code) are left out. */
export function volumesOf(binds: readonly string[], hiddenTargets: readonly string[]): ContainerInfo['volumes'] {
  const out: ContainerInfo['volumes'] = [];
  for (const b of binds) {
    const [host = '', target = '', flags = ''] = b.split(':');
    if (hiddenTargets.includes(target)) continue;
    out.push({ host_path: host, container_path: target, mode: flags.split(',').includes('ro') ? 'ro' : 'rw' });
  }
  return out;
}

export function portsOf(bindings: Record<string, Array<{ HostPort?: string }> | null> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [port, list] of Object.entries(bindings ?? {})) {
    const host = Number(list?.[0]?.HostPort);
    if (host > 0) out[port] = host;
  }
  return out;
}

/** An engine time (StartedAt, FinishedAt); undefined for the zero time the engines report for "never". */
export function startedAt(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
