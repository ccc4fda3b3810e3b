import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineClient } from '@pocketdock/engine-socket';
import { z } from 'zod';
import { clusterOptionsSchema } from './cluster/cluster-options.js';
import { FlowManagerError } from './errors.js';
import type { SystemLogger } from './system-logger.js';

const positiveInt = z.number().int().positive();

/** The service's options (plain, typed; the bin reads them from a file and the environment with convict). */
export const flowManagerOptionsSchema = z
  .object({
    /** Interface to bind; loopback unless you mean it. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (see `address`). */
    port: z.number().int().min(0).max(65_535).default(7070),
    /** Clients must send it as `auth: { token }` in the Socket.IO handshake. */
    token: z.string().min(16, 'token: at least 16 characters').optional(),
    /** Without a token the service refuses to start, unless this is set and `host` is a loopback address. */
    allowOpenLoopback: z.boolean().default(false),
    /** Browser origins allowed to connect (exact `scheme://host[:port]`); clients without an Origin header are not affected. */
    allowedOrigins: z.array(z.string().url()).default([]),
    /** Host directory of the flows' sockets (`{socketDir}/{id}.sock`). Short: a socket path must fit in 107 bytes. */
    socketDir: z.string().startsWith('/').default(join(tmpdir(), 'pocketdock-flows')),
    /** Host directories volumes and code paths may come from; empty = none allowed. */
    allowedRoots: z.array(z.string().startsWith('/')).default([]),
    allowWritableVolumes: z.boolean().default(false),
    maxContainers: positiveInt.default(50),
    /** Largest Socket.IO message a client may send (Socket.IO's maxHttpBufferSize). */
    maxPayloadBytes: positiveInt.default(1024 * 1024),
    /** Largest message on a flow's socket. */
    maxMessageBytes: z.number().int().min(1024).default(1024 * 1024),
    /** Authenticated Socket.IO clients at most (unauthenticated sessions count separately, see below). */
    maxClients: positiveInt.default(10_000),
    /**
     * Engine.IO sessions that have not authenticated yet, at most; at the limit the oldest one is dropped for a new
     * one. A handshake that carries the token (`Authorization: Bearer <token>`) is authenticated at once.
     */
    maxUnauthenticatedClients: positiveInt.default(1_000),
    /** An unauthenticated session that has not connected with a valid token by then is closed (Socket.IO's connectTimeout). */
    authTimeoutMs: positiveInt.default(10_000),
    /** `stop()` (SIGTERM) waits this long for clients to disconnect gracefully, then cuts them. */
    shutdownGraceMs: z.number().int().min(0).default(2_000),
    /** `update_container` waits this long for the new code's flow to connect before it restores the previous code. */
    updateTimeoutMs: positiveInt.default(10_000),
    /** Default wait for a flow's answer to `send_message`. */
    replyTimeoutMs: positiveInt.default(5_000),
    /** This flow-manager's name; it only sees containers labelled with it. */
    instance: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/).default('default'),
    defaultImage: z.string().min(1).optional(),
    defaultCommand: z.array(z.string()).min(1).default(['node', '/app/index.js']),
    /** Extra labels on every container. */
    labels: z.record(z.string(), z.string()).default({}),
    network: z.string().min(1).default('none'),
    stopTimeoutMs: z.number().int().min(0).default(2_000),
    statsMaxAgeMs: positiveInt.default(5_000),
    /** The engine's socket (detected when absent), or a connected client to share. */
    engineSocket: z.string().startsWith('/').optional(),
    engine: z.custom<EngineClient>((v) => typeof v === 'object' && v !== null && typeof (v as EngineClient).json === 'function').optional(),
    logger: z.custom<SystemLogger>((v) => typeof v === 'object' && v !== null && typeof (v as SystemLogger).info === 'function').optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    activityHistorySize: z.number().int().min(0).default(50),
    /** kawaflow's protocol too: reply events, its event names, its pushes to every client (see the README). */
    kawaflow: z.boolean().default(false),
    /** Monitoring period (resource samples, thresholds, status pushes); 0: off until a client enables it. */
    monitorIntervalMs: z.number().int().min(0).default(0),
    /** Entries kept per container in each monitoring history (status, resource usage, health checks). */
    monitorHistorySize: z.number().int().min(1).max(100_000).default(100),
    /** The dashboard's built page (`@pocketdock/dashboard`'s `dashboardDir()`), served at `/` on this port; absent: no page. */
    dashboardDir: z.string().startsWith('/').optional(),
    /** Terminals (exec with a TTY, the dashboard's) open at most, all clients together; one per container per client. */
    maxTerminals: positiveInt.max(1_000).default(16),
    /** A terminal with no input and no output for this long is closed. */
    terminalIdleMs: positiveInt.default(10 * 60_000),
    /** How often the dashboard's overview gets resource samples (while someone watches it). */
    liveStatsIntervalMs: z.number().int().min(250).default(2_000),
    /** Run as a member of a cluster of flow-managers sharing one Redis (see the README's Cluster); off when absent. */
    cluster: clusterOptionsSchema.optional(),
  })
  .strict();

export type FlowManagerOptions = z.input<typeof flowManagerOptionsSchema>;
export type ResolvedFlowManagerOptions = z.output<typeof flowManagerOptionsSchema>;

export function parseFlowManagerOptions(options: FlowManagerOptions): ResolvedFlowManagerOptions {
  const parsed = flowManagerOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const text = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new FlowManagerError('FM_INVALID_OPTIONS', `invalid flow-manager options: ${text}`, { cause: parsed.error, details: { fields: parsed.error.issues.map((i) => i.path.join('.')) } });
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);
