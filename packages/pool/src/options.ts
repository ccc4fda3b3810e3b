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
    cleanLeases: z
      .union([z.boolean(), z.enum(['wipe', 'replace'])])
      .default(false)
      .transform((v): false | 'wipe' | 'replace' => (v === true ? 'replace' : v)),
    scratch: z
      .record(z.string(), z.string().regex(/^[^\0\s]*$/, 'tmpfs mount options: no spaces'))
      .optional(),
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
    for (const path of Object.keys(o.scratch ?? {})) {
      if (!/^\/[^\0\s]*[^/\0\s]$/.test(path) || /^\/(proc|sys|dev)(\/|$)/.test(path)) {
        ctx.addIssue({ code: 'custom', path: ['scratch', path], message: 'an absolute path (not /, no trailing /, no spaces), not under /proc, /sys or /dev' });
      }
    }
    if (o.scratch !== undefined && o.cleanLeases !== 'wipe') ctx.addIssue({ code: 'custom', path: ['scratch'], message: "only with cleanLeases: 'wipe'" });
    if (o.cleanLeases === 'wipe') wipeConflicts(o.container, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
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
  /** `'wipe'` (read-only root, scratch tmpfs wiped on release), `'replace'` (a new container per lease; `true` too). See *Clean leases*. */
  cleanLeases?: boolean | 'wipe' | 'replace';
  /** With `cleanLeases: 'wipe'`: the scratch tmpfs mounts, path -> mount options (default: `DEFAULT_SCRATCH`). */
  scratch?: Record<string, string>;
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

/**
 * What a wiped container cannot have: a `user` (the wipe runs as root in the pool's shell), its own `readOnlyRoot` or
 * `tmpfs` (the pool sets them), or a writable volume (it outlives any wipe).
 */
function wipeConflicts(container: Record<string, unknown>, issue: (path: string[], message: string) => void): void {
  const why = "with cleanLeases: 'wipe'";
  if (container.user !== undefined) issue(['container', 'user'], `not ${why}: the wipe runs as root in the pool's shell (give a user per run: lease.run(cmd, { user }))`);
  if (container.readOnlyRoot !== undefined) issue(['container', 'readOnlyRoot'], `set by the pool ${why}`);
  if (container.tmpfs !== undefined) issue(['container', 'tmpfs'], `set by the pool ${why}: use scratch`);
  const volumes = (container.volumes ?? {}) as Record<string, string | { readOnly?: boolean }>;
  const writable = Object.entries(volumes).filter(([, v]) => typeof v === 'string' || v.readOnly !== true);
  if (writable.length > 0) issue(['container', 'volumes'], `${writable.map(([k]) => k).join(', ')}: writable volumes outlive any wipe; mount them readOnly ${why}, or use cleanLeases: 'replace'`);
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
export function configHash(
  opts: Pick<ResolvedPoolOptions, 'image' | 'command' | 'container' | 'labels'> & { network?: { name: string } | undefined; cleanLeases?: unknown; scratch?: Record<string, string> | undefined },
): string {
  // A wiped container is another container (read-only root, scratch mounts): the mode and the mounts are part of it.
  const wipe = opts.cleanLeases === 'wipe' ? { wipe: opts.scratch ?? 'default' } : {};
  const material = stable({ image: opts.image, command: opts.command, container: opts.container, labels: opts.labels, network: opts.network?.name, ...wipe });
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
