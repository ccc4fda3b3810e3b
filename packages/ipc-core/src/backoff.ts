import type { ReconnectConfig } from './config.js';

/**
 * The wait before reconnect attempt `attempt` (1-based): `initialDelayMs * factor^(attempt-1)`, capped at
 * `maxDelayMs`, of which the fraction `jitter` is random (so clients that lost the same server spread out).
 *
 * @example
 * backoffDelay(3, { initialDelayMs: 100, factor: 2, maxDelayMs: 5000, jitter: 0.5 }, Math.random); // 200..400
 */
export function backoffDelay(
  attempt: number,
  config: Pick<ReconnectConfig, 'initialDelayMs' | 'factor' | 'maxDelayMs' | 'jitter'>,
  random: () => number = Math.random,
): number {
  const base = Math.min(config.maxDelayMs, config.initialDelayMs * config.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - config.jitter * random()));
}
