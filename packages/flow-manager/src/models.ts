import { z } from 'zod';

/** The engine states a flow container can be in, as the design names them. */
export const CONTAINER_STATES = ['created', 'running', 'stopped', 'paused', 'restarting', 'removing', 'exited', 'dead'] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** healthy: running with its flow connected; starting: running, flow not (yet) connected; unhealthy: crashed. */
export type ContainerHealth = 'healthy' | 'starting' | 'unhealthy' | 'none';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/** A bind mount in the design's (docker-py) shape: `{ '/host/dir': { bind: '/in/container', mode: 'ro' } }`. */
export const volumeSchema = z.object({
  bind: z.string().startsWith('/').max(4096),
  mode: z.enum(['ro', 'rw']).default('ro'),
});

/** The seed's shape: `{ '/host/dir': '/in/container' }`, always read-only. */
const seedVolumeSchema = z
  .string()
  .startsWith('/')
  .max(4096)
  .transform((bind) => ({ bind, mode: 'ro' as const }));

/** The `create_container` payload (snake_case, as the design has it). */
export const containerConfigSchema = z
  .object({
    /** Optional when the service has a `defaultImage`. */
    image: z.string().min(1).max(512).optional(),
    name: z.string().regex(NAME, 'names: letters, digits, _ . - (not first), at most 128').optional(),
    environment: z.record(z.string().regex(ENV_KEY, 'environment names: letters, digits and _, not starting with a digit'), z.string().max(65_536)).default({}),
    /** `{ '/host': { bind, mode } }`, or the seed's `{ '/host': '/in/container' }` (read-only). */
    volumes: z.record(z.string().startsWith('/').max(4096), z.union([volumeSchema, seedVolumeSchema])).default({}),
    ports: z.record(z.string().regex(/^\d{1,5}(\/(tcp|udp))?$/, "ports: '8080' or '8080/tcp'"), z.number().int().min(1).max(65_535)).default({}),
    command: z.union([z.string().min(1).max(65_536), z.array(z.string().max(65_536)).min(1).max(1_000)]).optional(),
    working_dir: z.string().startsWith('/').max(4096).optional(),
    /**
     * The flow's code: a host directory (or file) under allowedRoots, copied into a directory the service owns and
     * mounted read-only at `working_dir` (default `/app`). Only flows created with it can be updated.
     */
    code_path: z.string().startsWith('/').max(4096).optional(),
  })
  .strict();

export type ContainerConfig = z.input<typeof containerConfigSchema>;
export type ResolvedContainerConfig = z.output<typeof containerConfigSchema>;

/** What the flow-manager reports about a container it manages. Environment values are never part of it. */
export interface ContainerInfo {
  container_id: string;
  name: string;
  image: string;
  state: ContainerState;
  created_at: string;
  started_at: string | null;
  /** The flow's socket on the host: `{socketDir}/{container_id}.sock`. */
  socket_path: string;
  command: string[] | null;
  working_dir: string | null;
  /** The host path the flow's current code was copied from (`code_path`), or null: not updatable. */
  code_path: string | null;
  environment_keys: string[];
  volumes: Array<{ host_path: string; container_path: string; mode: 'ro' | 'rw' }>;
  ports: Record<string, number>;
}

export interface ResourceUsage {
  memory_bytes: number | null;
  memory_limit_bytes: number | null;
  memory_percent: number | null;
  cpu_percent: number | null;
  pids: number | null;
  sampled_at: string;
}

export interface ContainerStatus {
  container_id: string;
  name: string;
  state: ContainerState;
  health: ContainerHealth;
  /** Seconds since the container started; 0 when it is not running. */
  uptime: number;
  exit_code: number | null;
  socket_connected: boolean;
  /** The last message either way on the flow's socket (ISO 8601), or null. */
  last_communication: string | null;
  /** The latest sample (at most `statsMaxAgeMs` old unless asked with `refresh`), or null before the first one. */
  resource_usage: ResourceUsage | null;
}

/** One entry of the user-facing activity log. Messages name containers, never environment values. */
export interface ActivityEntry {
  container_id: string;
  name: string;
  type:
    | 'created'
    | 'started'
    | 'stopped'
    | 'restarted'
    | 'updated'
    | 'update_failed'
    | 'deleted'
    | 'crashed'
    | 'exited'
    | 'flow_connected'
    | 'flow_disconnected'
    | 'message_sent'
    | 'message_received';
  message: string;
  timestamp: string;
}
