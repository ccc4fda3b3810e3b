import type { NewContainerOptions } from '@pocketdock/container-sdk';
import type { ConnectOptions } from '@pocketdock/engine-socket';
import type { FlowManagerOptions } from '@pocketdock/flow-manager';
import type { PoolContainerOptions, PoolOptions } from '@pocketdock/pool';
import type { Settings } from './settings/settings.js';
import type { ContainerSettings } from './settings/values.js';

/** The keys of `from` that are set: unset ones are left to the library's own default. */
function setOnly<T extends object, K extends keyof T>(from: T | undefined, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from?.[key] !== undefined) picked[key] = from[key];
  return picked;
}

const CONTAINER_KEYS = ['memLimit', 'cpuPercent', 'pidsLimit', 'network', 'workdir', 'user', 'timeoutMs'] as const;

function containerOptions(...layers: (ContainerSettings | undefined)[]): PoolContainerOptions {
  const options: PoolContainerOptions = {};
  const env: Record<string, string> = {};
  for (const layer of layers) {
    Object.assign(options, setOnly(layer, CONTAINER_KEYS));
    Object.assign(env, layer?.env, layer?.secretEnv);
  }
  return Object.keys(env).length > 0 ? { ...options, env } : options;
}

const ENGINE_KEYS = ['connectionMode', 'maxConnections', 'keepAliveTimeoutMs', 'connectTimeoutMs', 'timeoutMs', 'probeTimeoutMs', 'maxJsonBytes', 'apiVersion'] as const;

/**
 * `EngineClient.connect` options: the `engine` settings. The settings already hold what pocketdock's own files and
 * variables say (`socket:` of pocketdock.yaml, `$POCKETDOCK_SOCKET`): engine-socket reads no pocketdock file
 * (`configFiles: false`) and is not shown `$POCKETDOCK_SOCKET`; when `engine.socket` is unset its detection goes on
 * with Docker's own places (`$DOCKER_HOST`, the Docker context, the usual sockets) in the same environment and directory.
 */
export function connectOptions(settings: Settings, env: Readonly<Record<string, string | undefined>>, cwd: string): ConnectOptions {
  const { socket, host: address, context, tls, ssh, allowInsecureTcp, ...rest } = settings.engine;
  const { POCKETDOCK_SOCKET: _resolved, ...dockerEnv } = env;
  // `engine.context` is `docker --context`: it wins over $DOCKER_HOST (and $DOCKER_CONTEXT), which the docker CLI
  // would otherwise prefer; engine-socket reads the context the docker CLI's way from that environment.
  let detectionEnv = dockerEnv;
  if (context !== undefined) {
    const { DOCKER_HOST: _overridden, ...others } = dockerEnv;
    detectionEnv = { ...others, DOCKER_CONTEXT: context };
  }
  const host = { env: detectionEnv, cwd, ...(env['HOME'] ? { homedir: env['HOME'] } : {}) };
  return {
    ...setOnly(rest, ENGINE_KEYS),
    ...(socket ? { socketPath: socket } : {}),
    ...(address ? { dockerHost: address } : {}),
    ...tlsOption(tls),
    ...(ssh && Object.keys(ssh).length > 0 ? { ssh: { ...ssh } } : {}),
    ...(allowInsecureTcp === undefined ? {} : { allowInsecureTcp }),
    configFiles: false,
    host,
  };
}

/**
 * engine-socket's `tls` from `engine.tls`: unset, its own rules apply ($DOCKER_TLS_VERIFY, $DOCKER_CERT_PATH, port
 * 2376); `enabled: false` is plain; any other key set is TLS with those files and checks.
 */
function tlsOption(tls: Settings['engine']['tls']): Pick<ConnectOptions, 'tls'> {
  const { enabled, ...rest } = tls ?? {};
  if (enabled === false) return { tls: false };
  if (Object.keys(rest).length > 0) return { tls: { ...rest } };
  return enabled === true ? { tls: true } : {};
}

/** `createNewContainer` options: the `sandbox` settings, then the caller's (`env` and `labels` merge, key by key). */
export function sandboxOptions(settings: Settings, options: Omit<NewContainerOptions, 'engine' | 'socketPath'>): Omit<NewContainerOptions, 'engine' | 'socketPath'> {
  const sandbox = settings.sandbox;
  const base = { ...containerOptions(sandbox), ...setOnly(sandbox, ['image', 'project', 'persist']) };
  const labels = { ...sandbox.labels, ...options.labels };
  const env = { ...base.env, ...options.env };
  return { ...base, ...options, ...(Object.keys(env).length > 0 ? { env } : {}), ...(Object.keys(labels).length > 0 ? { labels } : {}) };
}

const POOL_KEYS = [
  'command',
  'minIdle',
  'maxIdle',
  'maxSize',
  'maxWaiting',
  'acquireTimeoutMs',
  'maxUses',
  'maxLifetimeMs',
  'lifetimeJitter',
  'idleTimeoutMs',
  'refillIntervalMs',
  'maxBackoffMs',
  'maxConcurrentEngineOps',
  'resetTimeoutMs',
  'cleanLeases',
  'scratch',
  'labels',
] as const;

// A pool option the settings do not cover fails the typecheck here (name, image, network, container are set below).
type UncoveredPoolOption = Exclude<keyof PoolOptions, (typeof POOL_KEYS)[number] | 'name' | 'image' | 'network' | 'container' | 'socketPath' | 'engine' | 'onError'>;
const _poolOptionsCovered: [UncoveredPoolOption] extends [never] ? true : UncoveredPoolOption = true;

/**
 * `createPool` options of pool `name`: its settings, its image (else `sandbox.image`), and container options of
 * `sandbox` under its own `container` ones (the sandbox's `network` only when the pool has no `network` of its own).
 */
export function poolOptions(settings: Settings, name: string): Omit<PoolOptions, 'engine' | 'onError'> {
  const pool = settings.pools[name]!;
  const { network: _network, ...sandboxNoNetwork } = settings.sandbox;
  const container = containerOptions(pool.network ? sandboxNoNetwork : settings.sandbox, pool.container);
  return {
    name,
    image: (pool.image ?? settings.sandbox.image)!,
    ...setOnly(pool, POOL_KEYS),
    ...(pool.network ? { network: { ...pool.network, name: pool.network.name! } } : {}),
    container,
  };
}

const FM_KEYS = [
  'host',
  'port',
  'token',
  'allowOpenLoopback',
  'allowedOrigins',
  'socketDir',
  'allowedRoots',
  'allowWritableVolumes',
  'maxContainers',
  'maxPayloadBytes',
  'maxMessageBytes',
  'maxClients',
  'maxUnauthenticatedClients',
  'authTimeoutMs',
  'shutdownGraceMs',
  'updateTimeoutMs',
  'replyTimeoutMs',
  'instance',
  'defaultImage',
  'defaultCommand',
  'labels',
  'network',
  'stopTimeoutMs',
  'statsMaxAgeMs',
  'activityHistorySize',
  'dashboardDir',
  'maxTerminals',
  'terminalIdleMs',
  'liveStatsIntervalMs',
  'kawaflow',
  'monitorIntervalMs',
  'monitorHistorySize',
] as const;

type UncoveredFlowManagerOption = Exclude<keyof FlowManagerOptions, (typeof FM_KEYS)[number] | 'logLevel' | 'engine' | 'engineSocket' | 'logger' | 'cluster'>;
const _flowManagerOptionsCovered: [UncoveredFlowManagerOption] extends [never] ? true : UncoveredFlowManagerOption = true;

/** `FlowManager.start` options: the `flowManager` settings; its log level defaults to `log.level`. */
export function flowManagerOptions(settings: Settings): FlowManagerOptions {
  const fm = settings.flowManager;
  // A cluster only when its Redis is named: the other cluster keys alone (from a shared file, say) join nothing.
  const { redisUrl, ...cluster } = fm.cluster ?? {};
  return {
    ...setOnly(fm, FM_KEYS),
    logLevel: fm.logLevel ?? settings.log.level,
    ...(redisUrl ? { cluster: { redisUrl, ...cluster } } : {}),
  };
}
