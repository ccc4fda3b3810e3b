import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ContainerError, validateContainerOptions } from '@pocketdock/container-sdk';
import type { NewContainerOptions } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { PoolError } from './errors.js';
import type { PoolNetwork } from './network.js';
import type { PoolEvents } from './pool-events.js';

/** Container options passed through to container-sdk's `createNewContainer` (the pool sets image, labels, engine). */
export type PoolContainerOptions = Omit<NewContainerOptions, 'image' | 'labels' | 'engine' | 'socketPath' | 'name' | 'persist' | 'command'>;

const count = z.number().int().min(0);
const ms = z.number().int().positive();

const schema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'names: 1-63 letters, digits, _ . - (not first)'),
    image: z.string().min(1),
    command: z.array(z.string()).min(1).optional(),
    minIdle: count.default(0),
    maxIdle: count.optional(),
    maxSize: z.number().int().positive().default(10),
    maxWaiting: count.default(1000),
    acquireTimeoutMs: ms.default(30_000),
    maxUses: z.number().int().positive().optional(),
    maxLifetimeMs: ms.optional(),
    lifetimeJitter: z.number().min(0).max(1).default(0.1),
    idleTimeoutMs: ms.optional(),
    refillIntervalMs: ms.default(1_000),
    maxBackoffMs: ms.default(30_000),
    maxConcurrentEngineOps: z.number().int().positive().default(8),
    resetTimeoutMs: ms.default(10_000),
    cleanLeases: z.boolean().default(false),
    network: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'network names: letters, digits, _ . - (not first)'),
        driver: z.string().min(1).optional(),
        create: z.boolean().default(true),
        remove: z.boolean().default(false),
        labels: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .optional(),
    container: z.record(z.string(), z.unknown()).default({}),
    labels: z.record(z.string(), z.string()).default({}),
    socketPath: z.string().min(1).optional(),
    engine: z
      .custom<EngineClient>((v) => typeof v === 'object' && v !== null && typeof (v as EngineClient).json === 'function', {
        message: 'engine must be an EngineClient from @pocketdock/engine-socket',
      })
      .optional(),
    onError: z.custom<(err: Error) => void>((v) => typeof v === 'function', { message: 'must be a function' }).optional(),
  })
  .strict()
  .transform((o) => ({ ...o, maxIdle: o.maxIdle ?? Math.max(o.minIdle, o.maxSize) }))
  .superRefine((o, ctx) => {
    if (o.maxIdle < o.minIdle) ctx.addIssue({ code: 'custom', path: ['maxIdle'], message: `must be >= minIdle (${o.minIdle})` });
    if (o.minIdle > o.maxSize) ctx.addIssue({ code: 'custom', path: ['minIdle'], message: `must be <= maxSize (${o.maxSize})` });
    if (o.network && o.container.network !== undefined) ctx.addIssue({ code: 'custom', path: ['container', 'network'], message: 'set network or container.network, not both' });
  });

/** Options of {@link createPool}: see the package README for each one. */
export interface PoolOptions {
  name: string;
  image: string;
  command?: string[];
  minIdle?: number;
  maxIdle?: number;
  maxSize?: number;
  maxWaiting?: number;
  acquireTimeoutMs?: number;
  maxUses?: number;
  maxLifetimeMs?: number;
  lifetimeJitter?: number;
  idleTimeoutMs?: number;
  refillIntervalMs?: number;
  maxBackoffMs?: number;
  maxConcurrentEngineOps?: number;
  resetTimeoutMs?: number;
  cleanLeases?: boolean;
  network?: PoolNetwork;
  container?: PoolContainerOptions;
  labels?: Record<string, string>;
  socketPath?: string;
  engine?: EngineClient;
  onError?: PoolEvents['error'];
}

export type ResolvedPoolOptions = z.output<typeof schema> & { container: PoolContainerOptions };

/** Validates pool options once; a failure -> `POOL_INVALID_OPTIONS` naming the bad keys, `cause` the ZodError. */
export function parsePoolOptions(value: unknown): ResolvedPoolOptions {
  const result = schema.safeParse(value ?? {});
  if (result.success) {
    checkContainerOptions(result.data.container);
    return result.data;
  }
  const detail = result.error.issues
    .map((i) => (i.code === 'unrecognized_keys' ? `unknown option(s) ${i.keys.join(', ')}` : `${i.path.join('.') || '(options)'}: ${i.message}`))
    .join('; ');
  throw new PoolError('POOL_INVALID_OPTIONS', `invalid pool options: ${detail}`, { cause: result.error });
}

/** Keys the pool sets itself: refused in `container`. */
const POOL_OWNED = ['image', 'labels', 'engine', 'socketPath', 'name', 'persist', 'command'];

/** `container` checked up front with container-sdk's own rules (else a bad key would only fail each create, later). */
function checkContainerOptions(container: Record<string, unknown>): void {
  const owned = Object.keys(container).filter((k) => POOL_OWNED.includes(k));
  if (owned.length > 0) {
    throw new PoolError('POOL_INVALID_OPTIONS', `invalid pool options: container: ${owned.join(', ')} ${owned.length > 1 ? 'are' : 'is'} set by the pool (use the pool's own option)`);
  }
  try {
    validateContainerOptions(container, 'pool container');
  } catch (err) {
    if (!ContainerError.is(err)) throw err;
    throw new PoolError('POOL_INVALID_OPTIONS', err.message, { cause: err });
  }
}

/** JSON with sorted keys: equal configurations hash equally whatever the key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A hash of everything that shapes a pooled container (image, command, container options, labels, network): a restarted
 * pool adopts only containers whose hash matches its own. Sizes and timings are left out: they do not change a
 * container.
 */
export function configHash(opts: Pick<ResolvedPoolOptions, 'image' | 'command' | 'container' | 'labels'> & { network?: { name: string } | undefined }): string {
  const material = stable({ image: opts.image, command: opts.command, container: opts.container, labels: opts.labels, network: opts.network?.name });
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
