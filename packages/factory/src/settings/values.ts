import type { SshOptions } from '@pocketdock/engine-socket';
import type { PoolContainerOptions, PoolOptions } from '@pocketdock/pool';

/** The container keys shared by `sandbox` and each pool's `container`: container-sdk's, plus `secretEnv`. */
export type ContainerSettings = Pick<PoolContainerOptions, 'memLimit' | 'cpuPercent' | 'pidsLimit' | 'network' | 'env' | 'workdir' | 'user' | 'timeoutMs'> & {
  /** Merged into `env`; its values are never shown. */
  secretEnv?: Record<string, string>;
};

export interface SandboxSettings extends ContainerSettings {
  image?: string;
  maxOutputBytes?: number;
  labels?: Record<string, string>;
  project?: string;
  persist?: boolean;
}

/** What the factory sets itself (`name`: the key; `engine`, `onError`: its own) or never passes (`socketPath`). */
type PoolOptionsNotSettings = 'name' | 'socketPath' | 'engine' | 'onError';

/**
 * `pools.<name>`: pool's own `PoolOptions`, every key optional (`image` falls back to `sandbox.image`; a network's
 * `name` is checked on the merged settings), with the factory's container settings (`secretEnv`).
 */
export type PoolSettings = Omit<Partial<PoolOptions>, PoolOptionsNotSettings | 'network' | 'container'> & {
  network?: Partial<NonNullable<PoolOptions['network']>>;
  container?: ContainerSettings;
};

export interface EngineSettings {
  socket?: string;
  host?: string;
  context?: string;
  tls?: { enabled?: boolean; verify?: boolean; certPath?: string; caFile?: string; certFile?: string; keyFile?: string; servername?: string };
  /** engine-socket's `ssh` option but the key's contents (`privateKey`): settings name a key file. */
  ssh?: Omit<SshOptions, 'privateKey'>;
  allowInsecureTcp?: boolean;
  connectionMode?: 'keep-alive' | 'per-operation';
  maxConnections?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  probeTimeoutMs?: number;
  maxJsonBytes?: number;
  apiVersion?: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface FlowManagerSettings {
  host?: string;
  port?: number;
  token?: string;
  allowOpenLoopback?: boolean;
  allowedOrigins?: string[];
  socketDir?: string;
  allowedRoots?: string[];
  allowWritableVolumes?: boolean;
  maxContainers?: number;
  maxPayloadBytes?: number;
  maxMessageBytes?: number;
  maxClients?: number;
  maxUnauthenticatedClients?: number;
  authTimeoutMs?: number;
  shutdownGraceMs?: number;
  updateTimeoutMs?: number;
  replyTimeoutMs?: number;
  instance?: string;
  defaultImage?: string;
  defaultCommand?: string[];
  labels?: Record<string, string>;
  network?: string;
  stopTimeoutMs?: number;
  statsMaxAgeMs?: number;
  logLevel?: LogLevel;
  activityHistorySize?: number;
  dashboardDir?: string;
  maxTerminals?: number;
  terminalIdleMs?: number;
  liveStatsIntervalMs?: number;
  kawaflow?: boolean;
  monitorIntervalMs?: number;
  monitorHistorySize?: number;
  cluster?: FlowManagerClusterSettings;
}

/** `flowManager.cluster`: set `redisUrl` to join a cluster (the other keys keep the flow-manager's defaults). */
export interface FlowManagerClusterSettings {
  redisUrl?: string;
  name?: string;
  heartbeatMs?: number;
  heartbeatTtlMs?: number;
  requestTimeoutMs?: number;
  adopt?: boolean;
  subscriptionTtlMs?: number;
}

export interface IpcSettings {
  socketDir: string;
  defaultTimeoutMs: number;
  bufferSize: number;
  timezone: string;
  messageQueueSize: number;
  blockingMode: boolean;
  allowClientSend: boolean;
  maxMessageBytes: number;
  highWaterMarkBytes?: number;
  slowConsumerTimeoutMs: number;
  unix: { maxConnections: number; socketPermissions: string; autoRemoveSocket: boolean };
  tcp: { host: string; portRangeStart: number; portRangeEnd: number; maxConnections: number };
  client: {
    receiveBufferSize: number;
    expectedOwner?: number;
    reconnect: { enabled: boolean; initialDelayMs: number; maxDelayMs: number; maxAttempts: number; factor: number; jitter: number };
  };
}

/**
 * Every setting, typed. A key that is `?` is unset unless a layer sets it: the library it belongs to then applies
 * its own default.
 */
export interface SettingsValues {
  engine: EngineSettings;
  sandbox: SandboxSettings;
  pools: Record<string, PoolSettings>;
  flowManager: FlowManagerSettings;
  ipc: IpcSettings;
  log: { level: LogLevel; format: 'json' | 'text' };
}

/** Settings a caller passes over every layer (`overrides`): any part of the tree. */
export type SettingsOverrides = DeepPartial<SettingsValues>;

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

type Join<K extends string, P> = P extends string ? `${K}.${P}` : never;

/** Every dotted key `get()` takes: `'sandbox.memLimit'`, `'pools.runners.minIdle'`, `'ipc'`... */
export type SettingsKey<T = SettingsValues> = T extends readonly unknown[]
  ? never
  : T extends object
    ? { [K in keyof T & string]: K | Join<K, SettingsKey<NonNullable<T[K]>>> }[keyof T & string]
    : never;

/** The type of the value at a dotted key. */
export type SettingsValueAt<P extends string, T = SettingsValues> = P extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? SettingsValueAt<R, NonNullable<T[H]>> | (undefined extends T[H] ? undefined : never)
    : string extends keyof T
      ? SettingsValueAt<R, NonNullable<T[string & keyof T]>> | undefined
      : never
  : P extends keyof T
    ? T[P]
    : string extends keyof T
      ? T[string & keyof T] | undefined
      : never;
