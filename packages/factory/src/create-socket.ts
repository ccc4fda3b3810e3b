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
export type CreateClientOptions = { settings?: IpcSettingsSource; host?: string; port?: number; expectedOwner?: number } & Partial<ClientConfigInput>;

function shared(ipc: IpcSettings) {
  const { unix: _unix, tcp: _tcp, client: _client, ...common } = ipc;
  return common;
}

/**
 * A message server of the given transport, configured from settings. Option errors of the transport
 * (`IPC_INVALID_OPTIONS`, ...) pass through. The return type follows `type` (a `TcpSocketServer` has `port`).
 *
 * @example
 * const server = createServer(SocketType.UNIX, 'metrics');
 * await server.start();
 */
export function createServer(type: typeof SocketType.UNIX, eventName: string, options?: CreateServerOptions): UnixSocketServer;
export function createServer(type: typeof SocketType.TCP, eventName: string, options?: CreateServerOptions): TcpSocketServer;
export function createServer(type: SocketType, eventName: string, options?: CreateServerOptions): SocketServer;
export function createServer(type: SocketType, eventName: string, options: CreateServerOptions = {}): SocketServer {
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
 * The return type follows `type`.
 *
 * @example
 * const client = createClient('tcp', 'metrics', { port: 47800 });
 * await client.connect();
 */
export function createClient(type: typeof SocketType.UNIX, eventName: string, options?: CreateClientOptions): UnixSocketClient;
export function createClient(type: typeof SocketType.TCP, eventName: string, options?: CreateClientOptions): TcpSocketClient;
export function createClient(type: SocketType, eventName: string, options?: CreateClientOptions): SocketClient;
export function createClient(type: SocketType, eventName: string, options: CreateClientOptions = {}): SocketClient {
  const kind = toSocketType(type);
  const { settings, host, port, expectedOwner, ...overrides } = options;
  const { ipc } = settings ?? loadSettings();
  const { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes } = ipc;
  const { expectedOwner: ownerSetting, ...client } = ipc.client;
  const base = { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes, ...client, reconnect: { ...client.reconnect }, ...overrides };
  if (kind === SocketType.UNIX) {
    const owner = expectedOwner ?? ownerSetting;
    return new UnixSocketClient(eventName, owner === undefined ? base : { ...base, expectedOwner: owner });
  }
  // Only a Unix socket has an owner: `expectedOwner` does not apply to TCP.
  return new TcpSocketClient(eventName, { ...base, host: host ?? ipc.tcp.host, port: port as number });
}
