import type { EngineClient } from '@pocketdock/engine-socket';
import type { StatsSample } from './live-events.js';
import { cpuPercent, memoryInUse } from '../monitoring/stats-sampler.js';
import type { EngineStats } from '../monitoring/stats-sampler.js';

interface Previous {
  cpu_stats: NonNullable<EngineStats['cpu_stats']>;
  at: number;
}

/**
 * Resource samples for many containers at once, cheaply: one one-shot stats call per running container per round
 * (no second engine sample, no process list), CPU computed against this sampler's previous round for the same
 * container. The first round of a container has no CPU figure (null). Bounded concurrency.
 *
 * Kept apart from the monitoring's sampler (two samples 100 ms apart, per container) on purpose: it is the dashboard's
 * periodic view of every container, including ones this flow-manager does not manage. Both compute their figures
 * with the monitoring's `cpuPercent` and `memoryInUse`, so the page and the thresholds agree.
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
    const s = await this.#engine.json<EngineStats>({
      path: `/containers/${encodeURIComponent(id)}/stats`,
      query: { stream: false, 'one-shot': true },
      timeoutMs: 5_000,
      ...(signal ? { signal } : {}),
    });
    const now = performance.now();
    const prev = this.#previous.get(id);
    const cpu = prev === undefined ? null : cpuPercent(prev, s, now - prev.at);
    if (s.cpu_stats?.cpu_usage?.total_usage !== undefined) this.#previous.set(id, { cpu_stats: s.cpu_stats, at: now });
    return {
      container_id: id,
      cpu_percent: cpu,
      memory_bytes: memoryInUse(s.memory_stats),
      memory_limit_bytes: s.memory_stats?.limit ?? null,
      sampled_at: new Date().toISOString(),
    };
  }
}
