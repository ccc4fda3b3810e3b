import { Readable } from 'node:stream';
import type { z } from 'zod';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from './errors.js';
import { lazySchema } from './lazy-schema.js';
import type { LazySchema, SchemaOf, Zod } from './lazy-schema.js';
import { keysAt, unknownKeyMessage } from './option-keys.js';

const MEMORY = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** '256m', '1g', '512k', '1.5g' or a number of bytes -> bytes. */
export function parseMemory(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = MEMORY.exec(value.trim());
  if (!m) throw new Error(`not a memory size: "${value}" (use e.g. "256m", "1g" or a number of bytes)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

/** setTimeout's ceiling: a longer delay fires at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
/** The process cap a sandbox gets unless `pidsLimit` says otherwise (a fork bomb stops there, not at the host's limit). */
export const DEFAULT_PIDS_LIMIT = 1024;

/** Schema parts several option schemas share; built once, with zod, on first use. */
function parts(z: Zod) {
  partsBuilt ??= buildParts(z);
  return partsBuilt;
}
let partsBuilt: ReturnType<typeof buildParts> | undefined;

function buildParts(z: Zod) {
  const memory = z
    .union([z.number().int().positive(), z.string()])
    .transform((v, ctx) => {
      try {
        return parseMemory(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .refine((n) => n >= 6 * 1024 * 1024, { message: 'memLimit must be at least 6 MiB (the engines refuse less)' });
  /** Strings that reach the engine or the kernel as C strings: a NUL would cut them (or fail with engine text). */
  const text = z.string().refine((s) => !s.includes('\0'), { message: 'must not contain a NUL byte' });
  const stringRecord = z.record(z.string(), z.string());
  const envRecord = z.record(text.refine((k) => k !== '' && !k.includes('='), { message: 'env names must be non-empty, without "="' }), text);
  const timeoutMs = z.number().int().positive().max(MAX_TIMEOUT_MS);
  const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'must be a function' });
  // Duck-typed: `instanceof` fails across duplicated installs, and the class has a private constructor.
  const engineField = z
    .custom<EngineClient>((v) => typeof v === 'object' && v !== null && typeof (v as EngineClient).json === 'function' && typeof (v as EngineClient).hijack === 'function', {
      message: 'engine must be an EngineClient from @pocketdock/engine-socket',
    })
    .optional();
  return { memory, text, stringRecord, envRecord, timeoutMs, fn, engineField };
}

/** A function option (callbacks): `fn(z).optional()`. */
export const fn = (z: Zod) => parts(z).fn;

export const createOptionsSchema = lazySchema((z) => {
  const { memory, text, stringRecord, envRecord, timeoutMs, engineField } = parts(z);
  return z.strictObject({
    /** Image reference; default `pocketdock/busybox:test`. A malformed one is `IMAGE_INVALID` before any engine call. */
    image: z.string().min(1).default('pocketdock/busybox:test'),
    /** The container's name (default: engine-chosen); a taken one is `CONTAINER_NAME_CONFLICT`. */
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'names: letters, digits, _ . - (not first)').optional(),
    /** The engine's Unix socket; default: auto-detected (engine-socket's detection). */
    socketPath: z.string().min(1).optional(),
    /** An `EngineClient` to share instead of `socketPath` (not closed by `shutdown()`). */
    engine: engineField,
    /** Default timeout of `run` and session commands; default 30 000. */
    timeoutMs: timeoutMs.default(30_000),
    /** Memory cap: `'256m'`, `'1g'` or bytes (at least 6 MiB); default none. */
    memLimit: memory.optional(),
    /** CPU cap in percent of one core (50 = half a core); default none. */
    cpuPercent: z.number().positive().max(100 * 1024).optional(),
    /** Process (and thread) cap of the whole container; default 1024 (`DEFAULT_PIDS_LIMIT`). */
    pidsLimit: z.number().int().positive().default(DEFAULT_PIDS_LIMIT),
    /** Environment of every command (no NUL bytes; names without `=`). */
    env: envRecord.default({}),
    /** Working directory of every command (absolute). */
    workdir: text.startsWith('/').optional(),
    /** User of every command; one the container does not have is `CONTAINER_INVALID_USER`. */
    user: text.min(1).optional(),
    /** Network; default `'none'`: sandboxes are offline unless asked. */
    network: z.string().min(1).default('none'),
    /** Bind mounts: `{ '/host/path': '/in/container' }` or `{ '/host': { path: '/in', readOnly: true } }`. */
    volumes: z
      .record(z.string().startsWith('/'), z.union([z.string().startsWith('/'), z.strictObject({ path: z.string().startsWith('/'), readOnly: z.boolean().default(false) })]))
      .default({}),
    /** Published ports, on 127.0.0.1: `{ '8080/tcp': 18080 }`. */
    ports: z.record(z.string().regex(/^\d+(\/(tcp|udp))?$/), z.number().int().min(0).max(65535)).default({}),
    /** Devices: `['/dev/fuse']` or `'host:container:perms'`. */
    devices: z.array(z.string().min(1)).default([]),
    /** The image's file system mounted read-only (writes fail with EROFS); give writable places with `tmpfs`. Default false. */
    readOnlyRoot: z.boolean().default(false),
    /** tmpfs mounts: `{ '/tmp': 'size=64m,mode=1777' }` (path -> mount options; `''` for the engine's defaults). */
    tmpfs: z
      .record(text.startsWith('/').refine((p) => p !== '/', { message: 'not the root' }), text.refine((o) => !/\s/.test(o), { message: 'mount options: no spaces' }))
      .default({}),
    /** Extra labels (pocketdock's own are always set). */
    labels: stringRecord.default({}),
    /** `shutdown()` stops the container instead of removing it; default false. */
    persist: z.boolean().default(false),
    /** Becomes the `pocketdock.project` label (for `listContainers`/`prune` by project). */
    project: z.string().min(1).optional(),
    /** The main process (under the init process); default `['sleep', 'infinity']`. */
    command: z.array(text).min(1).optional(),
    /** Grace period of a (non-force) stop; default 2 000. */
    stopTimeoutMs: z.number().int().min(0).max(MAX_TIMEOUT_MS).default(2_000),
    ttlMs: timeoutMs.min(1000).optional(),
    idleTimeoutMs: timeoutMs.min(1000).optional(),
    keepAlive: z.boolean().default(true),
  });
});

export type CreateContainerOptions = z.input<SchemaOf<typeof createOptionsSchema>>;

/**
 * Checks `createNewContainer` options without creating anything (for a caller that passes them on later, as the pool
 * does): a bad one throws `CONTAINER_INVALID_OPTIONS` naming it (an unknown key with the closest valid one).
 */
export function validateContainerOptions(options: unknown, what = 'container'): void {
  const opts = parseOptions(createOptionsSchema, options, what, ['onStdout', 'onStderr', 'onExit', 'onCallbackError']);
  selfReapingConflict(opts, what);
}

/** `command` replaces the main process, and a self-reaping sandbox's main process is its reaper. */
export function selfReapingConflict(opts: { command?: unknown; ttlMs?: number | undefined; idleTimeoutMs?: number | undefined }, what: string): void {
  if (opts.command !== undefined && (opts.ttlMs !== undefined || opts.idleTimeoutMs !== undefined)) {
    throw new ContainerError('CONTAINER_INVALID_OPTIONS', `invalid ${what} options: command: cannot be combined with ttlMs or idleTimeoutMs (the main process is the reaper that enforces them)`);
  }
}
export type ResolvedCreateOptions = z.output<SchemaOf<typeof createOptionsSchema>>;

export const runOptionsSchema = lazySchema((z) => {
  const { text, envRecord, timeoutMs, fn } = parts(z);
  return z
    .strictObject({
      timeoutMs: timeoutMs.optional(),
      maxOutputBytes: z.number().int().min(0).default(10 * 1024 * 1024),
      env: envRecord.default({}),
      workdir: text.startsWith('/').optional(),
      user: text.min(1).optional(),
      stdin: z.union([z.string(), z.instanceof(Buffer), z.instanceof(Readable)]).optional(),
      signal: z.instanceof(AbortSignal).optional(),
      stream: z.boolean().default(false),
      detach: z.boolean().default(false),
      encoding: z.enum(['utf8', 'buffer']).default('utf8'),
      bufferBytes: z.number().int().positive().default(1024 * 1024),
      onStdout: fn.optional(),
      onStderr: fn.optional(),
      onExit: fn.optional(),
    })
    .refine((o) => !(o.stream && o.detach), { message: 'stream and detach cannot both be set', path: ['detach'] });
});

export const sessionOptionsSchema = lazySchema((z) => {
  const { text, envRecord, timeoutMs } = parts(z);
  return z.strictObject({
    timeoutMs: timeoutMs.optional(),
    maxOutputBytes: z.number().int().min(0).optional(),
    env: envRecord.default({}),
    workdir: text.startsWith('/').optional(),
    user: text.min(1).optional(),
  });
});

/** `{ timeoutMs? }`, as `Session.run` takes it. */
export const timeoutOptionsSchema = lazySchema((z) => z.strictObject({ timeoutMs: parts(z).timeoutMs.optional() }));
/** `{ timeoutMs? }` where 0 makes sense (`Container.stop`: no grace period; `Process.wait`: do not wait). */
export const waitOptionsSchema = lazySchema((z) => z.strictObject({ timeoutMs: z.number().int().min(0).max(MAX_TIMEOUT_MS).optional() }));

export const rebootOptionsSchema = lazySchema((z) => z.strictObject({ fresh: z.boolean().optional() }));
export const shutdownOptionsSchema = lazySchema((z) => z.strictObject({ force: z.boolean().optional() }));

/** `{ engine?, socketPath? }` plus `extra`: the options of the standalone functions (inside a `lazySchema`). */
export function engineOptionsSchema<T extends z.ZodRawShape>(z: Zod, extra: T) {
  return z.strictObject({ engine: parts(z).engineField, socketPath: z.string().min(1).optional(), ...extra });
}

/**
 * Parses options with `schema` (strict: an unknown key is refused, naming the closest valid one), turning a failure
 * into `CONTAINER_INVALID_OPTIONS` naming the bad keys. `alsoKnown`: keys the caller took out before parsing.
 */
export function parseOptions<L extends z.ZodType | LazySchema<z.ZodType>>(lazy: L, value: unknown, what: string, alsoKnown: readonly string[] = []): z.output<SchemaOf<L>> {
  const schema: z.ZodType = 'safeParse' in lazy ? lazy : lazy.schema;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data as z.output<SchemaOf<L>>;
  const detail = result.error.issues
    .map((i) => {
      const at = i.path.map(String).join('.');
      if (i.code !== 'unrecognized_keys') return `${at || '(options)'}: ${i.message}`;
      const known = [...keysAt(schema, i.path), ...(i.path.length === 0 ? alsoKnown : [])];
      return i.keys.map((k) => `${at ? `${at}: ` : ''}${unknownKeyMessage(k, known)}`).join('; ');
    })
    .join('; ');
  throw new ContainerError('CONTAINER_INVALID_OPTIONS', `invalid ${what} options: ${detail}`, { cause: result.error });
}

/** A rejected promise carrying `err` (what a promise-returning method gives instead of throwing synchronously). */
export function rejected(err: unknown): Promise<never> {
  return Promise.reject(err instanceof Error ? err : new Error(String(err)));
}
