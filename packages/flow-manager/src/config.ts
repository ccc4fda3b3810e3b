import { existsSync } from 'node:fs';
import convict from 'convict';
import { FlowManagerError } from './errors.js';
import { flowManagerOptionsSchema, parseFlowManagerOptions } from './options.js';
import type { ResolvedFlowManagerOptions } from './options.js';

// The library's defaults are the configuration's defaults: one source of truth.
const d = flowManagerOptionsSchema.parse({});
const list = (value: unknown): void => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error('must be a list of strings (comma-separated in the environment)');
};
convict.addFormat({ name: 'string-list', validate: list, coerce: (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean) });

/** The convict schema: each setting, its environment variable and its default. Documented in the README. */
export const configSchema = {
  host: { doc: 'Interface to bind', format: String, default: d.host, env: 'FLOW_MANAGER_HOST' },
  port: { doc: 'TCP port (0: any free one)', format: 'port', default: d.port, env: 'FLOW_MANAGER_PORT' },
  token: { doc: 'Clients send it as auth.token', format: '*', default: null as string | null, env: 'FLOW_MANAGER_TOKEN', sensitive: true },
  allowOpenLoopback: { doc: 'Run without a token (loopback only)', format: Boolean, default: d.allowOpenLoopback, env: 'FLOW_MANAGER_ALLOW_OPEN_LOOPBACK' },
  allowedOrigins: { doc: 'Browser origins allowed', format: 'string-list', default: d.allowedOrigins, env: 'FLOW_MANAGER_ALLOWED_ORIGINS' },
  socketDir: { doc: 'Host directory of the flows\' sockets', format: String, default: d.socketDir, env: 'FLOW_MANAGER_SOCKET_DIR' },
  allowedRoots: { doc: 'Host directories volumes and code may come from', format: 'string-list', default: d.allowedRoots, env: 'FLOW_MANAGER_ALLOWED_ROOTS' },
  allowWritableVolumes: { doc: 'Allow rw volumes', format: Boolean, default: d.allowWritableVolumes, env: 'FLOW_MANAGER_ALLOW_WRITABLE_VOLUMES' },
  maxContainers: { doc: 'Containers managed at most', format: 'nat', default: d.maxContainers, env: 'FLOW_MANAGER_MAX_CONTAINERS' },
  maxPayloadBytes: { doc: 'Largest Socket.IO message', format: 'nat', default: d.maxPayloadBytes, env: 'FLOW_MANAGER_MAX_PAYLOAD_BYTES' },
  maxClients: { doc: 'Socket.IO clients at most', format: 'nat', default: d.maxClients, env: 'FLOW_MANAGER_MAX_CLIENTS' },
  maxUnauthenticatedClients: { doc: 'Unauthenticated sessions at most', format: 'nat', default: d.maxUnauthenticatedClients, env: 'FLOW_MANAGER_MAX_UNAUTHENTICATED_CLIENTS' },
  authTimeoutMs: { doc: 'Time to authenticate (ms)', format: 'nat', default: d.authTimeoutMs, env: 'FLOW_MANAGER_AUTH_TIMEOUT_MS' },
  shutdownGraceMs: { doc: 'Grace for clients on shutdown (ms)', format: 'nat', default: d.shutdownGraceMs, env: 'FLOW_MANAGER_SHUTDOWN_GRACE_MS' },
  updateTimeoutMs: { doc: 'Wait for updated code to connect (ms)', format: 'nat', default: d.updateTimeoutMs, env: 'FLOW_MANAGER_UPDATE_TIMEOUT_MS' },
  replyTimeoutMs: { doc: 'Default wait for a flow answer (ms)', format: 'nat', default: d.replyTimeoutMs, env: 'FLOW_MANAGER_REPLY_TIMEOUT_MS' },
  instance: { doc: 'Name of this flow-manager (label)', format: String, default: d.instance, env: 'FLOW_MANAGER_INSTANCE' },
  defaultImage: { doc: 'Image when a payload names none', format: '*', default: null as string | null, env: 'FLOW_MANAGER_DEFAULT_IMAGE' },
  network: { doc: 'Engine network of flow containers', format: String, default: d.network, env: 'FLOW_MANAGER_NETWORK' },
  engineSocket: { doc: 'Engine socket (detected when unset)', format: '*', default: null as string | null, env: 'POCKETDOCK_SOCKET' },
  dashboardDir: { doc: 'Directory of the dashboard\'s built page (served at /)', format: '*', default: null as string | null, env: 'FLOW_MANAGER_DASHBOARD_DIR' },
  maxTerminals: { doc: 'Dashboard terminals open at most', format: 'nat', default: d.maxTerminals, env: 'FLOW_MANAGER_MAX_TERMINALS' },
  terminalIdleMs: { doc: 'Idle terminal closed after (ms)', format: 'nat', default: d.terminalIdleMs, env: 'FLOW_MANAGER_TERMINAL_IDLE_MS' },
  kawaflow: { doc: 'Speak kawaflow\'s protocol too', format: Boolean, default: d.kawaflow, env: 'FLOW_MANAGER_KAWAFLOW' },
  monitorIntervalMs: { doc: 'Monitoring period (ms, 0: off)', format: 'nat', default: d.monitorIntervalMs, env: 'FLOW_MANAGER_MONITOR_INTERVAL_MS' },
  monitorHistorySize: { doc: 'Monitoring history entries per container', format: 'nat', default: d.monitorHistorySize, env: 'FLOW_MANAGER_MONITOR_HISTORY_SIZE' },
  clusterRedisUrl: { doc: 'Redis of the flow-manager cluster (redis:// or rediss://); unset: no cluster', format: '*', default: null as string | null, env: 'FLOW_MANAGER_CLUSTER_REDIS_URL', sensitive: true },
  clusterName: { doc: 'Name of the cluster (prefix of its Redis keys)', format: String, default: 'default', env: 'FLOW_MANAGER_CLUSTER_NAME' },
  clusterHeartbeatMs: { doc: 'Cluster heartbeat period (ms)', format: 'nat', default: 1_000, env: 'FLOW_MANAGER_CLUSTER_HEARTBEAT_MS' },
  clusterHeartbeatTtlMs: { doc: 'A member silent this long is dead and its flows adopted (ms)', format: 'nat', default: 5_000, env: 'FLOW_MANAGER_CLUSTER_HEARTBEAT_TTL_MS' },
  logLevel: { doc: 'pino level', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: d.logLevel, env: 'FLOW_MANAGER_LOG_LEVEL' },
};

type Raw = { [K in keyof typeof configSchema]: (typeof configSchema)[K]['default'] };

/**
 * The service's options from (lowest first) the defaults, a JSON config file (`file`, else
 * `$FLOW_MANAGER_CONFIG`), and the environment. Throws `FM_INVALID_OPTIONS` naming the bad setting.
 */
export function loadFlowManagerConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): ResolvedFlowManagerOptions {
  const env = options.env ?? process.env;
  const config = convict<Raw>(configSchema, { env, args: [] });
  const file = options.file ?? env['FLOW_MANAGER_CONFIG'];
  if (file) {
    if (!existsSync(file)) throw new FlowManagerError('FM_INVALID_OPTIONS', `config file ${file} does not exist`, { details: { field: 'config' } });
    try {
      config.loadFile(file);
    } catch (cause) {
      throw new FlowManagerError('FM_INVALID_OPTIONS', `cannot read config file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (cause) {
    throw new FlowManagerError('FM_INVALID_OPTIONS', `invalid configuration: ${(cause as Error).message}`, { cause });
  }
  const raw = config.getProperties();
  const { token, defaultImage, engineSocket, dashboardDir, clusterRedisUrl, clusterName, clusterHeartbeatMs, clusterHeartbeatTtlMs, ...rest } = raw;
  return parseFlowManagerOptions({
    ...rest,
    ...(clusterRedisUrl ? { cluster: { redisUrl: clusterRedisUrl, name: clusterName, heartbeatMs: clusterHeartbeatMs, heartbeatTtlMs: clusterHeartbeatTtlMs } } : {}),
    logLevel: rest.logLevel,
    ...(token ? { token } : {}),
    ...(defaultImage ? { defaultImage } : {}),
    ...(engineSocket ? { engineSocket } : {}),
    ...(dashboardDir ? { dashboardDir } : {}),
  });
}
