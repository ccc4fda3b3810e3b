import type { EngineClient } from '@pocketdock/engine-socket';

/** One resource sample of a running container; a figure the engine did not report is null. */
export interface ResourceSample {
  container_id: string;
  /** Over the sampling window; 100 = one full core. */
  cpu_percent: number | null;
  /** In use, reclaimable page cache not counted (as `docker stats`). */
  memory_bytes: number | null;
  memory_limit_bytes: number | null;
  memory_percent: number | null;
  pids: number | null;
  /** Totals since the container started (all interfaces / devices). */
  network_rx_bytes: number | null;
  network_tx_bytes: number | null;
  disk_read_bytes: number | null;
  disk_write_bytes: number | null;
  sampled_at: string;
}

/**
 * Takes resource samples of containers. The monitoring uses it; anything else that shows resource figures (the
 * dashboard) can share it. `sample` rejects with the engine's error when the container is gone or not running.
 */
export interface StatsSampler {
  sample(containerId: string): Promise<ResourceSample>;
}

export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
}

const sum = (values: Array<number | undefined>): number | null => (values.length === 0 ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0));

/**
 * CPU share between two stats documents, 100 = one full core, rounded to 0.01: against the host's CPU time when the
 * engine reports it, else against `elapsedMs` of wall time; null without the later document's figure. Shared with the
 * dashboard's periodic sampler (live/stats-sampler.ts), so both show the same figure for the same container.
 */
export function cpuPercent(a: Pick<EngineStats, 'cpu_stats'>, b: Pick<EngineStats, 'cpu_stats'>, elapsedMs: number): number | null {
  const total = b.cpu_stats?.cpu_usage?.total_usage;
  if (total === undefined) return null;
  const cpuDelta = total - (a.cpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (b.cpu_stats?.system_cpu_usage ?? 0) - (a.cpu_stats?.system_cpu_usage ?? 0);
  let cpu: number;
  if (sysDelta > 0) cpu = (cpuDelta / sysDelta) * (b.cpu_stats?.online_cpus ?? 1) * 100;
  else if (elapsedMs > 0) cpu = (cpuDelta / (elapsedMs * 1e6)) * 100; // CPU nanoseconds per wall nanosecond
  else return null;
  return Math.max(0, Math.round(cpu * 100) / 100);
}

/** Memory in use as `docker stats` counts it: usage minus reclaimable page cache (cgroup v2 `inactive_file`, v1 `total_inactive_file`). */
export function memoryInUse(mem: EngineStats['memory_stats']): number | null {
  if (mem?.usage === undefined) return null;
  const cache = mem.stats?.['inactive_file'] ?? mem.stats?.['total_inactive_file'] ?? mem.stats?.['cache'] ?? 0;
  return Math.max(0, mem.usage - cache);
}

/** The figures of two one-shot stats documents taken `elapsedMs` apart (pure: unit-tested). */
export function toSample(containerId: string, a: EngineStats, b: EngineStats, elapsedMs: number, at = new Date()): ResourceSample {
  const cpu = cpuPercent(a, b, elapsedMs);
  const mem = b.memory_stats;
  const used = memoryInUse(mem);
  const limit = mem?.limit ?? null;
  const nets = Object.values(b.networks ?? {});
  const io = b.blkio_stats?.io_service_bytes_recursive ?? [];
  const disk = (op: string): number | null => sum(io.filter((e) => e.op?.toLowerCase() === op).map((e) => e.value));
  return {
    container_id: containerId,
    cpu_percent: cpu,
    memory_bytes: used,
    memory_limit_bytes: limit,
    memory_percent: used !== null && limit ? Math.round((used / limit) * 10_000) / 100 : null,
    pids: b.pids_stats?.current ?? null,
    network_rx_bytes: sum(nets.map((n) => n.rx_bytes)) ?? 0,
    network_tx_bytes: sum(nets.map((n) => n.tx_bytes)) ?? 0,
    disk_read_bytes: disk('read'),
    disk_write_bytes: disk('write'),
    sampled_at: at.toISOString(),
  };
}

/**
 * A sampler over the engine's stats endpoint: two one-shot documents `windowMs` apart (Docker's own second sample
 * would take about a second), so CPU is the share over that window.
 *
 * @example
 * const sampler = createStatsSampler(engine);
 * const { cpu_percent, memory_bytes, pids } = await sampler.sample(containerId);
 */
export function createStatsSampler(engine: EngineClient, options: { windowMs?: number } = {}): StatsSampler {
  const windowMs = options.windowMs ?? 100;
  const read = (id: string): Promise<EngineStats> => engine.json<EngineStats>({ path: `/containers/${id}/stats`, query: { stream: false, 'one-shot': true }, timeoutMs: 10_000 });
  return {
    async sample(containerId) {
      const a = await read(containerId);
      const from = performance.now();
      await new Promise((r) => setTimeout(r, windowMs));
      const b = await read(containerId);
      return toSample(containerId, a, b, performance.now() - from);
    },
  };
}
