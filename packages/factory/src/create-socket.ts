import type { ClientConfigInput, SocketClient, SocketServer, TcpSocketConfigInput, UnixSocketConfigInput } from '@pocketdock/ipc-core';
import { TcpSocketClient, TcpSocketServer } from '@pocketdock/ipc-tcp';
import { UnixSocketClient, UnixSocketServer } from '@pocketdock/ipc-unix';
import { loadSettings } from './load-settings.js';
import type { Settings } from './settings-schema.js';
import { SocketType, toSocketType } from './socket-type.js';

/** `settings` (default: `loadSettings()`), and any server option to override them. */
export type CreateServerOptions = { settings?: Settings } & Partial<UnixSocketConfigInput & TcpSocketConfigInput>;

/** `settings` (default: `loadSettings()`), client options to override them, and for TCP the server's `port`. */
export type CreateClientOptions = { settings?: Settings; host?: string; port?: number } & Partial<ClientConfigInput>;

function shared(settings: Settings) {
  const { unix: _unix, tcp: _tcp, client: _client, ...common } = settings.ipc;
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
  const { settings = loadSettings(), ...overrides } = options;
  if (kind === SocketType.UNIX) {
    return new UnixSocketServer(eventName, { ...shared(settings), ...settings.ipc.unix, ...overrides });
  }
  return new TcpSocketServer(eventName, { ...shared(settings), ...settings.ipc.tcp, ...overrides });
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
  const { settings = loadSettings(), host, port, ...overrides } = options;
  const { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes } = settings.ipc;
  const base = { socketDir, defaultTimeoutMs, bufferSize, timezone, maxMessageBytes, ...settings.ipc.client, ...overrides };
  if (kind === SocketType.UNIX) return new UnixSocketClient(eventName, base);
  return new TcpSocketClient(eventName, { ...base, host: host ?? settings.ipc.tcp.host, port: port as number });
}
