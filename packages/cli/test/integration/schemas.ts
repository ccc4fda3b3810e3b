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
      status: z.enum(['selected', 'answers', 'skipped']),
      reason: z.string().nullable(),
      engine: z.enum(['docker', 'podman']).nullable(),
      apiVersion: z.string().nullable(),
      version: z.string().nullable(),
    })
    .strict(),
);
