import { z } from 'zod';
import type { ResourceSample } from './stats-sampler.js';

const limit = z.number().nonnegative().nullable();

/** Resource thresholds (kawaflow's keys, plus `memory_bytes` and `pids`); null = not watched. */
export const thresholdsSchema = z
  .object({
    cpu_percent: limit,
    memory_percent: limit,
    memory_bytes: limit,
    pids: limit,
    disk_read_bytes_per_sec: limit,
    disk_write_bytes_per_sec: limit,
    network_rx_bytes_per_sec: limit,
    network_tx_bytes_per_sec: limit,
  })
  .partial()
  .strict();

export type Thresholds = Required<z.output<typeof thresholdsSchema>>;
export type ThresholdKey = keyof Thresholds;

/** kawaflow's defaults: CPU 80 %, memory 85 %, disk 100 MB/s, network 50 MB/s; bytes and pids not watched. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  cpu_percent: 80,
  memory_percent: 85,
  memory_bytes: null,
  pids: null,
  disk_read_bytes_per_sec: 100 * 1024 * 1024,
  disk_write_bytes_per_sec: 100 * 1024 * 1024,
  network_rx_bytes_per_sec: 50 * 1024 * 1024,
  network_tx_bytes_per_sec: 50 * 1024 * 1024,
};

/** A resource over its threshold. */
export interface ResourceAlert {
  container_id: string;
  resource: ThresholdKey;
  value: number;
  threshold: number;
  usage: ResourceSample;
  timestamp: string;
}

/** The figure each threshold watches, from a sample and the one before it (rates need both). */
export function figuresOf(s: ResourceSample, prev: ResourceSample | undefined): Record<ThresholdKey, number | null> {
  const dt = prev ? (Date.parse(s.sampled_at) - Date.parse(prev.sampled_at)) / 1000 : 0;
  const rate = (k: 'disk_read_bytes' | 'disk_write_bytes' | 'network_rx_bytes' | 'network_tx_bytes'): number | null => {
    const a = prev?.[k];
    const b = s[k];
    return dt > 0 && a !== null && a !== undefined && b !== null && b >= a ? (b - a) / dt : null;
  };
  return {
    cpu_percent: s.cpu_percent,
    memory_percent: s.memory_percent,
    memory_bytes: s.memory_bytes,
    pids: s.pids,
    disk_read_bytes_per_sec: rate('disk_read_bytes'),
    disk_write_bytes_per_sec: rate('disk_write_bytes'),
    network_rx_bytes_per_sec: rate('network_rx_bytes'),
    network_tx_bytes_per_sec: rate('network_tx_bytes'),
  };
}

/**
 * The alerts a sample raises: a resource that crosses its threshold alerts once, and again only after it went
 * back under it (`over` holds which are over now; it is updated).
 */
export function checkThresholds(s: ResourceSample, prev: ResourceSample | undefined, t: Thresholds, over: Set<ThresholdKey>): ResourceAlert[] {
  const alerts: ResourceAlert[] = [];
  const figures = figuresOf(s, prev);
  for (const key of Object.keys(t) as ThresholdKey[]) {
    const threshold = t[key];
    const value = figures[key];
    if (threshold === null || value === null) continue;
    if (value > threshold) {
      if (!over.has(key)) alerts.push({ container_id: s.container_id, resource: key, value, threshold, usage: s, timestamp: s.sampled_at });
      over.add(key);
    } else over.delete(key);
  }
  return alerts;
}
