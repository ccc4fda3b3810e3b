import { Readable } from 'node:stream';
import { z } from 'zod';
import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from './errors.js';

const MEMORY = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** '256m', '1g', '512k', '1.5g' or a number of bytes -> bytes. */
export function parseMemory(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = MEMORY.exec(value.trim());
  if (!m) throw new Error(`not a memory size: "${value}" (use e.g. "256m", "1g" or a number of bytes)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

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

const stringRecord = z.record(z.string(), z.string());
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'must be a function' });

export const createOptionsSchema = z.object({
  image: z.string().min(1).default('pocketdock/busybox:test'),
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'names: letters, digits, _ . - (not first)').optional(),
  socketPath: z.string().min(1).optional(),
  // Duck-typed: `instanceof` fails across duplicated installs, and the class has a private constructor.
  engine: z
    .custom<EngineClient>((v) => typeof v === 'object' && v !== null && typeof (v as EngineClient).json === 'function' && typeof (v as EngineClient).hijack === 'function', {
      message: 'engine must be an EngineClient from @pocketdock/engine-socket',
    })
    .optional(),
  timeoutMs: z.number().int().positive().default(30_000),
  memLimit: memory.optional(),
  cpuPercent: z.number().positive().max(100 * 1024).optional(),
  pidsLimit: z.number().int().positive().optional(),
  env: stringRecord.default({}),
  workdir: z.string().startsWith('/').optional(),
  user: z.string().min(1).optional(),
  network: z.string().min(1).default('none'),
  volumes: z
    .record(z.string().startsWith('/'), z.union([z.string().startsWith('/'), z.object({ path: z.string().startsWith('/'), readOnly: z.boolean().default(false) })]))
    .default({}),
  ports: z.record(z.string().regex(/^\d+(\/(tcp|udp))?$/), z.number().int().min(0).max(65535)).default({}),
  devices: z.array(z.string().min(1)).default([]),
  labels: stringRecord.default({}),
  persist: z.boolean().default(false),
  project: z.string().min(1).optional(),
  command: z.array(z.string()).min(1).optional(),
  stopTimeoutMs: z.number().int().min(0).default(2_000),
});

export type CreateContainerOptions = z.input<typeof createOptionsSchema>;
export type ResolvedCreateOptions = z.output<typeof createOptionsSchema>;

export const runOptionsSchema = z
  .object({
    timeoutMs: z.number().int().positive().optional(),
    maxOutputBytes: z.number().int().min(0).default(10 * 1024 * 1024),
    env: stringRecord.default({}),
    workdir: z.string().startsWith('/').optional(),
    user: z.string().min(1).optional(),
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

/** Parses options with `schema`, turning a failure into `CONTAINER_INVALID_OPTIONS` naming the bad keys. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const detail = result.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new ContainerError('CONTAINER_INVALID_OPTIONS', `invalid ${what} options: ${detail}`, { cause: result.error });
}
