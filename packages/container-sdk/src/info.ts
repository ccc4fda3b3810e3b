import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from './engine-errors.js';
import { containerName, imageName } from './engine-names.js';

/** What `Container.info()` reports. Resource figures are undefined when the container is not running. */
export interface ContainerInfo {
  id: string;
  name: string;
  /** The engine's state: `created`, `running`, `paused`, `restarting`, `exited`, `dead`... */
  status: string;
  image: string;
  createdAt: Date;
  startedAt: Date | undefined;
  uptimeMs: number;
  /** Bytes in use (page cache that can be dropped not counted, as `docker stats` does). */
  memoryUsage: number | undefined;
  memoryLimit: number | undefined;
  memoryPercent: number | undefined;
  /** Over a 100 ms window; 100 = one full core. */
  cpuPercent: number | undefined;
  pids: number | undefined;
  networks: string[];
  ipAddress: string;
  ports: Array<{ containerPort: string; hostIp: string; hostPort: string }>;
  processes: Array<{ pid: number; user: string; command: string }>;
}

interface Inspect {
  Id: string;
  Name: string;
  Created: string;
  Config: { Image: string };
  State: { Status: string; Running: boolean; StartedAt?: string };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }>; Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
}

interface Stats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
}

interface Top {
  Titles?: string[];
  Processes?: string[][];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function sample(engine: EngineClient, id: string): Promise<{ stats: Stats; at: number }> {
  // one-shot: no engine-side second sample (Docker would wait ~1 s for it); we take our own two.
  const stats = await engine.json<Stats>({ path: `/containers/${id}/stats`, query: { stream: false, 'one-shot': true } });
  return { stats, at: performance.now() };
}

async function cpuAndStats(engine: EngineClient, id: string): Promise<{ stats: Stats; cpuPercent: number | undefined }> {
  const a = await sample(engine, id);
  await sleep(100);
  const b = await sample(engine, id);
  const cpuDelta = (b.stats.cpu_stats?.cpu_usage?.total_usage ?? 0) - (a.stats.cpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (b.stats.cpu_stats?.system_cpu_usage ?? 0) - (a.stats.cpu_stats?.system_cpu_usage ?? 0);
  const cpus = b.stats.cpu_stats?.online_cpus ?? 1;
  let cpuPercent: number | undefined;
  if (sysDelta > 0) cpuPercent = (cpuDelta / sysDelta) * cpus * 100;
  else if (b.at > a.at) cpuPercent = (cpuDelta / ((b.at - a.at) * 1e6)) * 100; // nanoseconds of CPU per wall nanosecond
  return { stats: b.stats, cpuPercent: cpuPercent === undefined ? undefined : Math.max(0, cpuPercent) };
}

/** Docker answers `ps` columns; Podman one string per process ("PID USER COMMAND"). */
export function parseTop(top: Top): ContainerInfo['processes'] {
  const titles = top.Titles ?? [];
  const rows = top.Processes ?? [];
  if (titles.length > 1) {
    const col = (...names: string[]): number => titles.findIndex((t) => names.includes(t.trim().toUpperCase()));
    const pid = col('PID');
    const user = col('UID', 'USER');
    const cmd = col('CMD', 'COMMAND');
    return rows.map((r) => ({ pid: Number(r[pid]), user: r[user] ?? '', command: r[cmd] ?? '' }));
  }
  return rows.map((r) => {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(r.join(' '));
    return m ? { pid: Number(m[1]), user: m[2]!, command: m[3]! } : { pid: NaN, user: '', command: r.join(' ') };
  });
}

/**
 * Inspect, then (when running) stats and the process list in parallel. A container that stops or disappears
 * between those calls is reported as far as it could be; one that is gone at the start is `CONTAINER_NOT_FOUND`.
 */
export async function containerInfo(engine: EngineClient, id: string): Promise<ContainerInfo> {
  let inspect: Inspect;
  try {
    inspect = await engine.json<Inspect>({ path: `/containers/${id}/json` });
  } catch (err) {
    throw containerError(err, 'info');
  }
  const running = inspect.State.Running;
  const [live, top] = running
    ? await Promise.all([cpuAndStats(engine, id).catch(() => undefined), engine.json<Top>({ path: `/containers/${id}/top` }).catch(() => undefined)])
    : [undefined, undefined];
  const mem = live?.stats.memory_stats;
  const cache = mem?.stats?.total_inactive_file ?? mem?.stats?.inactive_file ?? 0;
  const memoryUsage = mem?.usage === undefined ? undefined : Math.max(0, mem.usage - cache);
  const memoryLimit = mem?.limit;
  const startedAt = inspect.State.StartedAt && !inspect.State.StartedAt.startsWith('0001') ? new Date(inspect.State.StartedAt) : undefined;
  const networks = inspect.NetworkSettings?.Networks ?? {};
  return {
    id: inspect.Id,
    name: containerName(inspect.Name),
    status: inspect.State.Status,
    image: imageName(inspect.Config.Image),
    createdAt: new Date(inspect.Created),
    startedAt,
    uptimeMs: running && startedAt ? Math.max(0, Date.now() - startedAt.getTime()) : 0,
    memoryUsage,
    memoryLimit,
    memoryPercent: memoryUsage !== undefined && memoryLimit ? (memoryUsage / memoryLimit) * 100 : undefined,
    cpuPercent: live?.cpuPercent,
    pids: live?.stats.pids_stats?.current,
    networks: Object.keys(networks),
    ipAddress: Object.values(networks).find((n) => n.IPAddress)?.IPAddress ?? '',
    ports: Object.entries(inspect.NetworkSettings?.Ports ?? {}).flatMap(([containerPort, bindings]) =>
      (bindings ?? []).map((b) => ({ containerPort, hostIp: b.HostIp, hostPort: b.HostPort })),
    ),
    processes: top ? parseTop(top) : [],
  };
}
