import { z } from 'zod';
import type { ConnectOptions } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import { parsePoolOptions } from './options.js';
import type { PoolOptions } from './options.js';
import { placementPolicy } from './placement.js';
import type { PlacementName, PlacementPolicy } from './placement.js';

/** engine-socket's connection options for one engine (TLS, ssh, timeouts...); where it is comes from the entry. */
export type EngineConnectOptions = Omit<ConnectOptions, 'socketPath' | 'dockerHost' | 'signal' | 'host' | 'configFiles'>;

/** One engine of a pool over several engines: exactly one of `socketPath`, `dockerHost` or `context`. */
export interface EngineEntry {
  /** Names the engine in stats and events, and its containers' pool label (`<pool name>.<engine name>`); default `e<index>`. */
  name?: string;
  /** The engine's Unix socket. */
  socketPath?: string;
  /** An address as `DOCKER_HOST` takes it: `unix://`, `tcp://` (TLS from `connect.tls`), `ssh://user@host`. */
  dockerHost?: string;
  /** A Docker context's name (as `docker context use` would pick it). */
  context?: string;
  /** The rest of engine-socket's `EngineClient.connect` options: `tls`, `ssh`, `allowInsecureTcp`, timeouts... */
  connect?: EngineConnectOptions;
  /** Cap on this engine's containers (default: the total `maxSize`). */
  maxSize?: number;
  /** Idle containers this engine keeps whatever the others hold (part of the total `minIdle`). */
  minIdle?: number;
  /** Idle containers kept on this engine (default: the pool's `maxIdle`, else this engine's `maxSize`). */
  maxIdle?: number;
}

/** Options of a pool over several engines: {@link createPool} with `engines`. Sizes are totals over every engine. */
export interface MultiPoolOptions extends Omit<PoolOptions, 'socketPath' | 'engine'> {
  /** The engines: a socket path or an address (`unix://`, `tcp://`, `ssh://`), or an {@link EngineEntry}. */
  engines: (string | EngineEntry)[];
  /** Where each lease comes from: `'least-loaded'` (default), `'round-robin'`, `'in-order'`, or your own policy. */
  placement?: PlacementName | PlacementPolicy;
  /** How often an engine in service is pinged (`/_ping`). Default 1 000. */
  healthIntervalMs?: number;
  /** Most time one ping, or one reconnection attempt, may take. Default 2 000. */
  probeTimeoutMs?: number;
  /** Failed pings in a row (100 ms apart) that take an engine out of service. Default 2. */
  downAfterFailures?: number;
  /** First wait before reconnecting an engine out of service; doubles up to `maxBackoffMs`. Default 500. */
  probeIntervalMs?: number;
}

/** One engine, resolved: how to connect, its name and limits. */
export interface ResolvedEngine {
  name: string;
  connect: ConnectOptions;
  maxSize: number;
  minIdle: number;
  maxIdle: number;
}

export interface ResolvedMultiOptions {
  name: string;
  engines: ResolvedEngine[];
  /** The options each engine's own pool is made with (sizes and engine set per engine). */
  pool: Omit<PoolOptions, 'socketPath' | 'engine' | 'onError'>;
  maxSize: number;
  minIdle: number;
  maxWaiting: number;
  acquireTimeoutMs: number;
  maxBackoffMs: number;
  placement: PlacementPolicy;
  healthIntervalMs: number;
  probeTimeoutMs: number;
  downAfterFailures: number;
  probeIntervalMs: number;
  onError: ((err: Error) => void) | undefined;
}

const count = z.number().int().min(0);
const ms = z.number().int().positive();
const where = z.string().min(1).optional();

const entrySchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,30}$/, 'engine names: 1-31 letters, digits, _ - (not first)').optional(),
    socketPath: where,
    dockerHost: where,
    context: where,
    connect: z.record(z.string(), z.unknown()).optional(), // checked by EngineClient.connect (ENGINE_INVALID_OPTIONS)
    maxSize: z.number().int().positive().optional(),
    minIdle: count.optional(),
    maxIdle: count.optional(),
  })
  .refine((e) => [e.socketPath, e.dockerHost, e.context].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of socketPath, dockerHost, context' });

const schema = z.object({
  engines: z.array(z.union([z.string().min(1), entrySchema])).min(1).max(32),
  placement: z
    .union([z.enum(['least-loaded', 'round-robin', 'in-order']), z.custom<PlacementPolicy>((v) => typeof (v as PlacementPolicy | null)?.choose === 'function', { message: 'must be a built-in name or { name, choose() }' })])
    .default('least-loaded'),
  healthIntervalMs: ms.default(1_000),
  probeTimeoutMs: ms.default(2_000),
  downAfterFailures: z.number().int().min(1).max(100).default(2),
  probeIntervalMs: ms.default(500),
  maxSize: z.number().int().positive().optional(),
  minIdle: count.optional(),
  maxIdle: count.optional(),
  socketPath: z.undefined({ message: 'a pool over several engines takes engines, not socketPath' }).optional(),
  engine: z.undefined({ message: 'a pool over several engines takes engines, not engine' }).optional(),
});

const MULTI_KEYS = ['engines', 'placement', 'healthIntervalMs', 'probeTimeoutMs', 'downAfterFailures', 'probeIntervalMs', 'maxSize', 'minIdle', 'maxIdle', 'socketPath', 'engine'];

function invalid(detail: string, cause?: unknown): PoolError {
  return new PoolError('POOL_INVALID_OPTIONS', `invalid pool options: ${detail}`, cause === undefined ? undefined : { cause });
}

/** How to connect to one entry's engine. A context is read by engine-socket's detection, as the docker CLI would. */
function connectOptions(e: z.output<typeof entrySchema>): ConnectOptions {
  const rest = (e.connect ?? {}) as EngineConnectOptions;
  if (e.socketPath !== undefined) return { ...rest, socketPath: e.socketPath };
  if (e.dockerHost !== undefined) return { ...rest, dockerHost: e.dockerHost };
  // Only this context: no $DOCKER_HOST or $POCKETDOCK_SOCKET may win over it, no pocketdock.yaml either.
  const env = { ...process.env, DOCKER_HOST: undefined, POCKETDOCK_SOCKET: undefined, DOCKER_CONTEXT: e.context };
  return { ...rest, configFiles: false, host: { env } };
}

/**
 * Validates the options of a pool over several engines once: the multi-engine keys here, the rest with the single
 * pool's own rules. A failure -> `POOL_INVALID_OPTIONS` naming the bad keys.
 */
export function parseMultiPoolOptions(value: MultiPoolOptions): ResolvedMultiOptions {
  const raw = (value ?? {}) as unknown as Record<string, unknown>;
  const result = schema.safeParse(Object.fromEntries(MULTI_KEYS.filter((k) => k in raw).map((k) => [k, raw[k]])));
  if (!result.success) {
    throw invalid(result.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; '), result.error);
  }
  const o = result.data;
  if (raw.onError !== undefined && typeof raw.onError !== 'function') throw invalid('onError: must be a function');
  const entries = o.engines.map((e) => (typeof e === 'string' ? (e.includes('://') ? { dockerHost: e } : { socketPath: e }) : e));
  const perEngineDefault = 10;
  const maxSize = o.maxSize ?? entries.reduce((sum, e) => sum + (e.maxSize ?? perEngineDefault), 0);
  const engines: ResolvedEngine[] = entries.map((e, i) => {
    const size = e.maxSize ?? maxSize;
    return { name: e.name ?? `e${i}`, connect: connectOptions(e), maxSize: size, minIdle: e.minIdle ?? 0, maxIdle: e.maxIdle ?? o.maxIdle ?? size };
  });
  const names = engines.map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw invalid(`engines: the name ${dup} is used twice`);
  const ownMinIdle = engines.reduce((sum, e) => sum + e.minIdle, 0);
  const minIdle = o.minIdle ?? ownMinIdle;
  if (minIdle < ownMinIdle) throw invalid(`minIdle: must be >= the engines' own minIdle (${ownMinIdle} in all)`);
  if (minIdle > maxSize) throw invalid(`minIdle: must be <= maxSize (${maxSize})`);
  const common = Object.fromEntries(Object.entries(raw).filter(([k]) => !MULTI_KEYS.includes(k) && k !== 'onError')) as unknown as MultiPoolOptions;
  // The rest with the single pool's rules (name, image, container options...), and each engine's limits.
  for (const e of engines) parsePoolOptions({ ...common, name: `${common.name}.${e.name}`, maxSize: e.maxSize, maxIdle: e.maxIdle, minIdle: Math.min(e.minIdle, e.maxIdle) });
  if (engines.some((e) => e.minIdle > Math.min(e.maxIdle, e.maxSize))) throw invalid('engines: an engine\'s minIdle must be <= its maxIdle and maxSize');
  const pool = parsePoolOptions({ ...common, name: common.name }); // defaults of the shared keys
  return {
    name: common.name,
    engines,
    pool: common,
    maxSize,
    minIdle,
    maxWaiting: pool.maxWaiting,
    acquireTimeoutMs: pool.acquireTimeoutMs,
    maxBackoffMs: pool.maxBackoffMs,
    placement: placementPolicy(o.placement),
    healthIntervalMs: o.healthIntervalMs,
    probeTimeoutMs: o.probeTimeoutMs,
    downAfterFailures: o.downAfterFailures,
    probeIntervalMs: o.probeIntervalMs,
    onError: typeof raw.onError === 'function' ? (raw.onError as (err: Error) => void) : undefined,
  };
}
