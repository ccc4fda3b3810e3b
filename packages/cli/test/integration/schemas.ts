import { z } from 'zod';

/** The documented `--json` shapes (README "JSON output"). */
export const createJson = z.object({ id: z.string().min(12), name: z.string().min(1), image: z.string() }).strict();

export const listJson = z.array(
  z
    .object({
      id: z.string(),
      name: z.string(),
      image: z.string(),
      status: z.string(),
      running: z.boolean(),
      persist: z.boolean(),
      project: z.string().nullable(),
      createdAt: z.string().datetime(),
    })
    .strict(),
);

export const infoJson = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    image: z.string(),
    createdAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    uptimeMs: z.number().nullable(),
    memoryUsage: z.number().nullable(),
    memoryLimit: z.number().nullable(),
    pids: z.number().nullable(),
    processes: z.array(z.object({ pid: z.number(), user: z.string(), command: z.string() })),
  })
  .passthrough();

export const stateJson = z.object({ name: z.string(), state: z.enum(['stopped', 'running', 'removed']) }).strict();

export const rebootJson = z.object({ name: z.string(), id: z.string(), state: z.literal('running') }).strict();

export const copyJson = z.object({ source: z.string(), destination: z.string(), durationMs: z.number() }).strict();

export const configJson = z.array(
  z
    .object({
      key: z.string(),
      value: z.unknown(),
      source: z.string(),
      layer: z.string(),
      overrode: z.array(z.object({ value: z.unknown(), source: z.string() })),
    })
    .strict(),
);

export const enginesJson = z.array(
  z
    .object({
      source: z.string(),
      socketPath: z.string().nullable(),
      address: z.string().nullable(),
      status: z.enum(['selected', 'answers', 'skipped']),
      reason: z.string().nullable(),
      engine: z.enum(['docker', 'podman']).nullable(),
      apiVersion: z.string().nullable(),
      version: z.string().nullable(),
    })
    .strict(),
);

const imageRow = z.object({ id: z.string(), tags: z.array(z.string()), sizeBytes: z.number(), createdAt: z.string().datetime(), profile: z.string().nullable() }).strict();

export const statusJson = z
  .object({
    engine: z.object({ name: z.enum(['docker', 'podman']), version: z.string().nullable(), apiVersion: z.string(), socketPath: z.string() }).strict(),
    project: z.string().nullable(),
    containers: z.object({ running: z.number().int(), stopped: z.number().int(), persistent: z.number().int() }).strict(),
    pools: z.array(z.object({ name: z.string(), containers: z.number().int() }).strict()),
    images: z.array(imageRow),
  })
  .strict();

export const doctorJson = z.array(
  z.object({ check: z.enum(['settings', 'engine', 'image', 'sandbox']), ok: z.boolean(), detail: z.string(), hint: z.string().nullable() }).strict(),
);

export const quickstartJson = z
  .object({ engine: z.enum(['docker', 'podman']), socketPath: z.string(), image: z.string(), name: z.string(), created: z.boolean(), output: z.string() })
  .strict();

export const initJson = z.object({ path: z.string(), project: z.string(), image: z.string() }).strict();

export const snapshotJson = z.object({ name: z.string(), image: z.string(), id: z.string() }).strict();

export const historyJson = z.array(
  z.object({ time: z.string().datetime(), argv: z.array(z.string()), exitCode: z.number().int(), durationMs: z.number(), timedOut: z.boolean() }).strict(),
);

export const profilesJson = z.array(
  z.object({ name: z.string(), image: z.string(), description: z.string(), slow: z.boolean(), present: z.string().nullable() }).strict(),
);

export const buildJson = z.array(
  z.object({ profile: z.string(), image: z.string(), id: z.string(), rootfsBytes: z.number().int().positive(), durationMs: z.number() }).strict(),
);

export const exportJson = z.object({ image: z.string(), id: z.string(), file: z.string(), bytes: z.number().int().positive(), durationMs: z.number() }).strict();

export const importJson = z.object({ file: z.string(), images: z.array(z.string()).min(1), durationMs: z.number() }).strict();

export const serveJson = z.object({ url: z.string().url(), port: z.number().int().positive(), pid: z.number().int() }).strict();

export const poolJson = z.array(
  z.object({ id: z.string(), name: z.string(), pool: z.string(), image: z.string(), status: z.string(), running: z.boolean(), createdAt: z.string().datetime() }).strict(),
);
