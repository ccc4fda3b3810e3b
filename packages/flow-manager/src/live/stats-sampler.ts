import type { EngineClient } from '@pocketdock/engine-socket';
import type { StatsSample } from './live-events.js';

interface OneShot {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

interface Previous {
  cpu: number;
  system: number;
}

/**
 * Resource samples for many containers at once, cheaply: one one-shot stats call per running container per round
 * (no second engine sample, no process list), CPU computed against this sampler's previous round for the same
 * container. The first round of a container has no CPU figure (null). Bounded concurrency.
 *
 * Kept apart from flow-manager's own `usage.ts` (two samples 100 ms apart, per status request) on purpose: it is
 * the dashboard's periodic view of every container, including ones this flow-manager does not manage. A stats
 * sampler for monitoring thresholds may merge with it later.
 */
export class StatsSampler {
  readonly #engine: EngineClient;
  readonly #concurrency: number;
  readonly #previous = new Map<string, Previous>();

  constructor(options: { engine: EngineClient; concurrency: number }) {
    this.#engine = options.engine;
    this.#concurrency = options.concurrency;
  }

  /** One round over `ids` (running containers). Containers that fail (gone, stopped) are left out. */
  async sample(ids: readonly string[], signal?: AbortSignal): Promise<StatsSample[]> {
    const out: StatsSample[] = [];
    const queue = [...ids];
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        if (signal?.aborted) return;
        const s = await this.#one(id, signal).catch(() => undefined);
        if (s !== undefined) out.push(s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, ids.length) }, worker));
    const alive = new Set(ids);
    for (const id of this.#previous.keys()) if (!alive.has(id)) this.#previous.delete(id);
    return out;
  }

  async #one(id: string, signal: AbortSignal | undefined): Promise<StatsSample> {
    const s = await this.#engine.json<OneShot>({
      path: `/containers/${encodeURIComponent(id)}/stats`,
      query: { stream: false, 'one-shot': true },
      timeoutMs: 5_000,
      ...(signal ? { signal } : {}),
    });
    const cpu = s.cpu_stats?.cpu_usage?.total_usage;
    const system = s.cpu_stats?.system_cpu_usage;
    let cpuPercent: number | null = null;
    const prev = this.#previous.get(id);
    if (cpu !== undefined && system !== undefined) {
      if (prev !== undefined && system > prev.system) {
        const cpus = s.cpu_stats?.online_cpus ?? 1;
        cpuPercent = Math.max(0, ((cpu - prev.cpu) / (system - prev.system)) * cpus * 100);
        cpuPercent = Math.round(cpuPercent * 100) / 100;
      }
      this.#previous.set(id, { cpu, system });
    }
    const mem = s.memory_stats;
    const cache = mem?.stats?.['total_inactive_file'] ?? mem?.stats?.['inactive_file'] ?? 0;
    return {
      container_id: id,
      cpu_percent: cpuPercent,
      memory_bytes: mem?.usage === undefined ? null : Math.max(0, mem.usage - cache),
      memory_limit_bytes: mem?.limit ?? null,
      sampled_at: new Date().toISOString(),
    };
  }
}
