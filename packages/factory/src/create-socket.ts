import type { ClientConfigInput, SocketClient, SocketServer, TcpSocketConfigInput, UnixSocketConfigInput } from '@pocketdock/ipc-core';
import { TcpSocketClient, TcpSocketServer } from '@pocketdock/ipc-tcp';
import { UnixSocketClient, UnixSocketServer } from '@pocketdock/ipc-unix';
import { loadSettings } from './load-settings.js';
import type { IpcSettings } from './settings/values.js';
import { SocketType, toSocketType } from './socket-type.js';

/** Settings to build from: a `Settings` from `loadSettings()`, or any object with its `ipc` part. */
export type IpcSettingsSource = { readonly ipc: IpcSettings };

/** `settings` (default: `loadSettings()`), and any server option to override them. */
export type CreateServerOptions = { settings?: IpcSettingsSource } & Partial<UnixSocketConfigInput & TcpSocketConfigInput>;

/** `settings` (default: `loadSettings()`), client options to override them, and for TCP the server's `port`. */
export type CreateClientOptions = { settings?: IpcSettingsSource; host?: string; port?: number } & Partial<ClientConfigInput>;

function shared(ipc: IpcSettings) {
  const { unix: _unix, tcp: _tcp, client: _client, ...common } = ipc;
  return common;
}

/**
 * A message server of the given transport, configured from settings. Option errors of the transport
 * (`IPC_INVALID_OPTIONS`, ...) pass through.
 *
 * @example
 * const server = createServer(SocketType.UNIX, 'metrics');
 * await server.start();
 */
export function createServer(type: SocketType | 'unix' | 'tcp', eventName: string, options: CreateServerOptions = {}): SocketServer {
  const kind = toSocketType(type);
  const { settings, ...overrides } = options;
  const { ipc } = settings ?? loadSettings();
  if (kind === SocketType.UNIX) {
    return new UnixSocketServer(eventName, { ...shared(ipc), ...ipc.unix, ...overrides });
  }
  return new TcpSocketServer(eventName, { ...shared(ipc), ...ipc.tcp, ...overrides });
}

/**
 * A message client of the given transport, configured from settings. TCP needs the server's `port`.
 *
 * @example
 * const client = createClient('tcp', 'metrics', { port: 47800 });
 * await client.connect();
 */
export function createClient(type: SocketType | 'unix' | 'tcp', eventName: string, options: CreateClientOptions = {}): SocketClient {
  const kind = toSocketType(type);
  const { settings, host, port, ...overrides } = options;
  const { ipc } = settings ?? loadSettings();
  const { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes } = ipc;
  const base = { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes, ...ipc.client, reconnect: { ...ipc.client.reconnect }, ...overrides };
  if (kind === SocketType.UNIX) return new UnixSocketClient(eventName, base);
  return new TcpSocketClient(eventName, { ...base, host: host ?? ipc.tcp.host, port: port as number });
}
