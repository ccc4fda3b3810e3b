import { z } from 'zod';
import { MAX_API_VERSION, MIN_API_VERSION, compareApiVersions } from './api-version.js';
import { EngineError } from './errors.js';
import type { DetectionHost } from './detection/detection-host.js';
import type { TlsOptions } from './remote/tcp-endpoint.js';
import type { SshOptions } from './remote/ssh-endpoint.js';

/** How short request/response calls reach the engine. Streams and hijacks always get their own connection. */
export type ConnectionMode = 'keep-alive' | 'per-operation';

const positiveMs = z.number().int().positive().max(2_147_483_647);

const apiVersion = z
  .string()
  .regex(/^\d+\.\d+$/, 'must be an API version like 1.41')
  .refine((v) => !/^\d+\.\d+$/.test(v) || (compareApiVersions(v, MIN_API_VERSION) >= 0 && compareApiVersions(v, MAX_API_VERSION) <= 0), {
    message: `must be between ${MIN_API_VERSION} and ${MAX_API_VERSION}`,
  });

const pem = z.union([z.string().min(1), z.instanceof(Buffer)]).optional();

const connectOptionsSchema = z
  .strictObject({
    socketPath: z.string().min(1).optional(),
    dockerHost: z.string().min(1).optional(),
    tls: z
      .union([
        z.boolean(),
        z.strictObject({ certPath: z.string().min(1).optional(), ca: pem, cert: pem, key: pem, verify: z.boolean().optional(), servername: z.string().min(1).optional() }),
      ])
      .optional(),
    allowInsecureTcp: z.boolean().default(false),
    ssh: z
      .strictObject({
        identityFile: z.string().min(1).optional(),
        privateKey: pem,
        passphrase: z.string().optional(),
        agent: z.union([z.string().min(1), z.literal(false)]).optional(),
        knownHostsFiles: z.array(z.string().min(1)).optional(),
        hostKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be an OpenSSH SHA256 fingerprint (SHA256:...)').optional(),
        acceptUnknownHost: z.boolean().optional(),
        engine: z.enum(['docker', 'podman']).optional(),
      })
      .optional(),
    connectionMode: z.enum(['keep-alive', 'per-operation']).default('keep-alive'),
    maxConnections: z.number().int().min(1).max(1024).default(32),
    keepAliveTimeoutMs: positiveMs.default(4_000),
    connectTimeoutMs: positiveMs.default(5_000),
    timeoutMs: positiveMs.default(30_000),
    probeTimeoutMs: positiveMs.default(2_000),
    apiVersion: apiVersion.optional(),
    configFiles: z.boolean().default(true),
    maxJsonBytes: z.number().int().positive().default(64 * 1024 * 1024),
    signal: z.instanceof(AbortSignal).optional(),
    host: z
      .strictObject({
        env: z.record(z.string(), z.string().optional()).optional(),
        platform: z.string().optional(),
        homedir: z.string().optional(),
        cwd: z.string().optional(),
        fs: z.custom<DetectionHost['fs']>((v) => typeof v === 'object' && v !== null).optional(),
      })
      .optional(),
  })
  .refine((o) => o.socketPath === undefined || o.dockerHost === undefined, { message: 'give socketPath or dockerHost, not both' });

/** Options of {@link EngineClient.connect}; every field is optional. See the README's options table. */
export interface ConnectOptions {
  /** The engine's Unix socket; skips detection (and its fallbacks). */
  socketPath?: string;
  /** The engine's address, as `DOCKER_HOST` takes it: `unix://...` or `tcp://host[:port]`; skips detection. */
  dockerHost?: string;
  /** TLS for a `tcp://` engine: `true`, or certificates and settings (see the README); default from the environment. */
  tls?: boolean | TlsOptions;
  /** Allow plain, unencrypted TCP to a host that is not loopback (default false: `ENGINE_INSECURE_HOST`). */
  allowInsecureTcp?: boolean;
  /** Settings of an `ssh://` engine: key, agent, known_hosts, which engine's dial-stdio (see the README). */
  ssh?: SshOptions;
  /** `'keep-alive'` (default): short calls share a pool of kept-alive connections; `'per-operation'`: a fresh connection for each. */
  connectionMode?: ConnectionMode;
  /** Most kept-alive connections at once (keep-alive mode); further calls wait in order. */
  maxConnections?: number;
  /** An idle kept-alive connection is closed after this long. */
  keepAliveTimeoutMs?: number;
  /** Most time to open a connection. */
  connectTimeoutMs?: number;
  /** Default per-request timeout (see `RequestOptions.timeoutMs`). */
  timeoutMs?: number;
  /** Most time each detection candidate gets to answer `/_ping`. */
  probeTimeoutMs?: number;
  /** Largest body `json()` reads, and longest line `jsonLines()` accepts. */
  maxJsonBytes?: number;
  /**
   * The newest engine API version to speak (between `MIN_API_VERSION` and `MAX_API_VERSION`; default the latter):
   * the client speaks the lower of it and the engine's. Pins the version on an engine at least that new.
   */
  apiVersion?: string;
  /**
   * Detection reads `socket:` from pocketdock.yaml files (default true). `false` when the caller already read them
   * (the factory passes their `socket:` as `socketPath`): detection then reads no pocketdock file.
   */
  configFiles?: boolean;
  /** Aborts connecting (detection, ping, negotiation). */
  signal?: AbortSignal;
  /** What detection reads from the machine (env, platform, home directory, cwd, file system); for tests. */
  host?: Partial<DetectionHost>;
}

export type ResolvedConnectOptions = z.output<typeof connectOptionsSchema>;

/** Validates connect options once; a bad one throws `ENGINE_INVALID_OPTIONS` with the ZodError as `cause`. */
export function parseConnectOptions(options: unknown): ResolvedConnectOptions {
  const result = connectOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new EngineError('ENGINE_INVALID_OPTIONS', `invalid EngineClient options: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}
