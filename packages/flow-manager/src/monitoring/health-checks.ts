import { z } from 'zod';

/**
 * A flow's health check, in kawaflow's terms (times in seconds). `command` runs in the container (exec; exit code
 * 0 = pass); `socket` pings the flow over its own Unix socket (any answer within `timeout` = pass). kawaflow's
 * `http` and `tcp` checks would be traffic to the container's IP address, which pocketdock never sends: refused.
 */
export const healthCheckConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    check_type: z.enum(['command', 'socket'], { message: "check_type: 'command' or 'socket' (http and tcp would reach into the container's network: not offered)" }).default('socket'),
    command: z.array(z.string().max(4096)).min(1).max(100).optional(),
    interval: z.number().min(1).max(86_400).default(30),
    timeout: z.number().min(0.1).max(300).default(10),
    /** Consecutive failures (after the start period) before the flow is `unhealthy`. */
    retries: z.number().int().min(1).max(100).default(3),
    /** Seconds after a start during which failures do not count (health `starting`). */
    start_period: z.number().min(0).max(86_400).default(60),
    auto_recovery: z.boolean().default(false),
    /** What auto recovery does: restart the container, or nothing. */
    recovery_action: z.enum(['restart', 'none']).default('restart'),
    max_recovery_attempts: z.number().int().min(0).max(100).default(3),
    recovery_cooldown: z.number().min(0).max(86_400).default(300),
  })
  .strict()
  .refine((c) => c.check_type !== 'command' || c.command !== undefined, { message: "command: required when check_type is 'command'", path: ['command'] });

export type HealthCheckConfig = z.output<typeof healthCheckConfigSchema>;

export type CheckHealth = 'starting' | 'healthy' | 'unhealthy';

/** One check's outcome. */
export interface HealthCheckResult {
  container_id: string;
  check_type: HealthCheckConfig['check_type'];
  success: boolean;
  /** The health after this result. */
  health: CheckHealth;
  response_time_ms: number;
  error: string | null;
  timestamp: string;
}

/** What the monitoring keeps about one container's checks. */
export interface HealthState {
  config: HealthCheckConfig;
  health: CheckHealth;
  failures: number;
  /** Start of the run being checked (ms); the start period counts from it. */
  runStartMs: number;
  history: HealthCheckResult[];
  timer: NodeJS.Timeout | undefined;
  checking: boolean;
  recoveryAttempts: number;
  lastRecoveryMs: number | undefined;
}

/** The health after a result: a pass is healthy; failures count only after the start period, `retries` in a row make it unhealthy. */
export function nextHealth(state: Pick<HealthState, 'config' | 'health' | 'failures' | 'runStartMs'>, success: boolean, nowMs: number): { health: CheckHealth; failures: number } {
  if (success) return { health: 'healthy', failures: 0 };
  const inStartPeriod = nowMs - state.runStartMs < state.config.start_period * 1000;
  if (inStartPeriod && state.health === 'starting') return { health: 'starting', failures: 0 };
  const failures = state.failures + 1;
  return { health: failures >= state.config.retries ? 'unhealthy' : state.health, failures };
}

/** Whether auto recovery should act now. */
export function shouldRecover(state: Pick<HealthState, 'config' | 'health' | 'recoveryAttempts' | 'lastRecoveryMs'>, nowMs: number): boolean {
  const c = state.config;
  if (!c.auto_recovery || c.recovery_action === 'none' || state.health !== 'unhealthy') return false;
  if (state.recoveryAttempts >= c.max_recovery_attempts) return false;
  return state.lastRecoveryMs === undefined || nowMs - state.lastRecoveryMs >= c.recovery_cooldown * 1000;
}
