export { createPocketdock, Pocketdock } from './pocketdock.js';
export type { CreatePocketdockOptions, PocketdockContainerOptions } from './pocketdock.js';
export { loadSettings } from './load-settings.js';
export type { LoadSettingsOptions } from './load-settings.js';
export { Settings } from './settings/settings.js';
export type { SettingExplanation } from './settings/settings.js';
export type { SettingsFiles } from './settings/discover.js';
export type { LayerName, SettingsIssue } from './settings/sources.js';
export type {
  ContainerSettings,
  EngineSettings,
  FlowManagerSettings,
  IpcSettings,
  LogLevel,
  PoolSettings,
  SandboxSettings,
  SettingsKey,
  SettingsOverrides,
  SettingsValueAt,
  SettingsValues,
} from './settings/values.js';
export { settingsReference, settingsTable } from './settings/reference.js';
export type { SettingReference } from './settings/reference.js';
export { createLogger } from './log.js';
export type { PocketdockLogger } from './log.js';
export { createServer, createClient } from './create-socket.js';
export type { CreateServerOptions, CreateClientOptions, IpcSettingsSource } from './create-socket.js';
export { SocketType } from './socket-type.js';
export { FactoryError, FACTORY_ERROR_CODES } from './errors.js';
export type { FactoryErrorCode } from './errors.js';
