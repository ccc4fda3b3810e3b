/** The container keys shared by `sandbox` and each pool's `container`. */
export interface ContainerSettings {
  memLimit?: string | number;
  cpuPercent?: number;
  pidsLimit?: number;
  network?: string;
  env?: Record<string, string>;
  secretEnv?: Record<string, string>;
  workdir?: string;
  user?: string;
  timeoutMs?: number;
}

export interface SandboxSettings extends ContainerSettings {
  image?: string;
  maxOutputBytes?: number;
  labels?: Record<string, string>;
  project?: string;
  persist?: boolean;
}

export interface PoolSettings {
  image?: string;
  command?: string[];
  minIdle?: number;
  maxIdle?: number;
  maxSize?: number;
  maxWaiting?: number;
  acquireTimeoutMs?: number;
  maxUses?: number;
  maxLifetimeMs?: number;
  lifetimeJitter?: number;
  idleTimeoutMs?: number;
  refillIntervalMs?: number;
  maxBackoffMs?: number;
  maxConcurrentEngineOps?: number;
  resetTimeoutMs?: number;
  network?: { name?: string; driver?: string; create?: boolean; remove?: boolean; labels?: Record<string, string> };
  container?: ContainerSettings;
  labels?: Record<string, string>;
}

export interface EngineSettings {
  socket?: string;
  connectionMode?: 'keep-alive' | 'per-operation';
  maxConnections?: number;
  keepAliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  probeTimeoutMs?: number;
  maxJsonBytes?: number;
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
  unix: { maxConnections: number; socketPermissions: string; autoRemoveSocket: boolean };
  tcp: { host: string; portRangeStart: number; portRangeEnd: number; maxConnections: number };
  client: {
    receiveBufferSize: number;
    reconnect: { enabled: boolean; initialDelayMs: number; maxDelayMs: number; maxAttempts: number };
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
