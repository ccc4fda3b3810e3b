import { z } from 'zod';

/**
 * The `cluster` option: several flow-managers share one Redis (Socket.IO's Redis adapter). Off when absent.
 * Each member needs its own `instance` (the containers' label) and its own `socketDir`.
 */
export const clusterOptionsSchema = z
  .object({
    /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). The password is never logged. */
    redisUrl: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'redisUrl: redis://host:port or rediss://host:port'),
    /** The cluster's name: the prefix of its Redis keys and channels (several clusters may share one Redis). */
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/).default('default'),
    /** How often this instance renews its heartbeat key. */
    heartbeatMs: z.number().int().min(100).max(60_000).default(1_000),
    /** The heartbeat key's lifetime: an instance silent this long is dead, and a survivor on the same engine adopts its flows. */
    heartbeatTtlMs: z.number().int().min(300).max(600_000).default(5_000),
    /** What a forwarded request (or a cluster-wide list) waits for the other instances at most. */
    requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Adopt the flows of dead instances on the same engine and host (default true). */
    adopt: z.boolean().default(true),
    /** How long a client id's subscriptions stay in Redis after its last change (default 7 days). */
    subscriptionTtlMs: z.number().int().min(1_000).default(7 * 24 * 3_600_000),
  })
  .strict()
  .refine((c) => c.heartbeatTtlMs > c.heartbeatMs * 2, { message: 'heartbeatTtlMs must be more than twice heartbeatMs', path: ['heartbeatTtlMs'] });

export type ClusterOptions = z.input<typeof clusterOptionsSchema>;
export type ResolvedClusterOptions = z.output<typeof clusterOptionsSchema>;
