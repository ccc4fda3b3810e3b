export { createServer, createClient } from './create-socket.js';
export type { CreateServerOptions, CreateClientOptions } from './create-socket.js';
export { SocketType } from './socket-type.js';
export { loadSettings } from './load-settings.js';
export type { LoadSettingsOptions } from './load-settings.js';
export type { Settings } from './settings-schema.js';
export { FactoryError, FACTORY_ERROR_CODES } from './errors.js';
export type { FactoryErrorCode } from './errors.js';
