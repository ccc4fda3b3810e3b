import type { z } from 'zod';
import type { connectOptionsSchema } from './connect-schema.js';
import type { DetectionHost } from './detection/detection-host.js';
import { EngineError } from './errors.js';
import type { TlsOptions } from './remote/tcp-endpoint.js';
import type { SshOptions } from './remote/ssh-endpoint.js';

/** How short request/response calls reach the engine. Streams and hijacks always get their own connection. */
export type ConnectionMode = 'keep-alive' | 'per-operation';

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

/**
 * Validates connect options once; a bad one throws `ENGINE_INVALID_OPTIONS` with the ZodError as `cause`. zod and
 * the schema are loaded on the first call (load.ts).
 */
export async function parseConnectOptions(options: unknown): Promise<ResolvedConnectOptions> {
  const { connectOptionsSchema, z: zod } = await import('./connect-schema.js');
  const result = connectOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new EngineError('ENGINE_INVALID_OPTIONS', `invalid EngineClient options: ${zod.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}
