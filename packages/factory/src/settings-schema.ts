import { ClientConfigSchema, TcpSocketConfigSchema, UnixSocketConfigSchema, isTimeZone } from '@pocketdock/ipc-core';

// The libraries' own defaults are the settings' defaults: one source of truth.
const unix = UnixSocketConfigSchema.parse({});
const tcp = TcpSocketConfigSchema.parse({});
const client = ClientConfigSchema.parse({});

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const positiveInt = (value: unknown): void => assert(Number.isInteger(value) && (value as number) > 0, 'must be a positive integer');
const nonNegativeInt = (value: unknown): void => assert(Number.isInteger(value) && (value as number) >= 0, 'must be an integer >= 0');
const port = (value: unknown): void =>
  assert(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65_535, 'must be a port from 1 to 65535');

/** The convict schema of every setting, with its environment variable. Documented in the README. */
export const settingsSchema = {
  ipc: {
    socketDir: { doc: 'Directory of Unix socket files', format: String, default: unix.socketDir, env: 'POCKETDOCK_IPC_SOCKET_DIR' },
    defaultTimeoutMs: { doc: 'Connect/receive timeout (ms)', format: positiveInt, default: unix.defaultTimeoutMs, env: 'POCKETDOCK_IPC_DEFAULT_TIMEOUT_MS' },
    bufferSize: { doc: 'Unsent bytes per peer', format: positiveInt, default: unix.bufferSize, env: 'POCKETDOCK_IPC_BUFFER_SIZE' },
    timezone: {
      doc: 'IANA time zone of timestampIso',
      format: (value: unknown): void => assert(typeof value === 'string' && isTimeZone(value), 'must be an IANA time zone name'),
      default: unix.timezone,
      env: 'POCKETDOCK_IPC_TIMEZONE',
    },
    messageQueueSize: { doc: 'Messages kept while no client is connected', format: nonNegativeInt, default: unix.messageQueueSize, env: 'POCKETDOCK_IPC_MESSAGE_QUEUE_SIZE' },
    blockingMode: { doc: 'start() resolves when stopped', format: Boolean, default: unix.blockingMode, env: 'POCKETDOCK_IPC_BLOCKING_MODE' },
    allowClientSend: { doc: 'Accept client messages', format: Boolean, default: unix.allowClientSend, env: 'POCKETDOCK_IPC_ALLOW_CLIENT_SEND' },
    maxMessageBytes: { doc: 'Largest message payload', format: positiveInt, default: unix.maxMessageBytes, env: 'POCKETDOCK_IPC_MAX_MESSAGE_BYTES' },
    unix: {
      maxConnections: { doc: 'Clients per Unix server', format: positiveInt, default: unix.maxConnections, env: 'POCKETDOCK_IPC_UNIX_MAX_CONNECTIONS' },
      socketPermissions: {
        doc: 'Octal mode of socket files',
        format: (value: unknown): void => assert(typeof value === 'string' && /^0?[0-7]{3}$/.test(value), "must be an octal mode like '0600'"),
        default: unix.socketPermissions,
        env: 'POCKETDOCK_IPC_UNIX_SOCKET_PERMISSIONS',
      },
      autoRemoveSocket: { doc: 'Remove the socket file on stop', format: Boolean, default: unix.autoRemoveSocket, env: 'POCKETDOCK_IPC_UNIX_AUTO_REMOVE_SOCKET' },
    },
    tcp: {
      host: { doc: 'Address to bind and connect to', format: String, default: tcp.host, env: 'POCKETDOCK_IPC_TCP_HOST' },
      portRangeStart: { doc: 'First port tried', format: port, default: tcp.portRangeStart, env: 'POCKETDOCK_IPC_TCP_PORT_RANGE_START' },
      portRangeEnd: { doc: 'Last port tried', format: port, default: tcp.portRangeEnd, env: 'POCKETDOCK_IPC_TCP_PORT_RANGE_END' },
      maxConnections: { doc: 'Clients per TCP server', format: positiveInt, default: tcp.maxConnections, env: 'POCKETDOCK_IPC_TCP_MAX_CONNECTIONS' },
    },
    client: {
      receiveBufferSize: { doc: 'Messages kept for receive()', format: positiveInt, default: client.receiveBufferSize, env: 'POCKETDOCK_IPC_CLIENT_RECEIVE_BUFFER_SIZE' },
      reconnect: {
        enabled: { doc: 'Reconnect after losing the server', format: Boolean, default: client.reconnect.enabled, env: 'POCKETDOCK_IPC_CLIENT_RECONNECT_ENABLED' },
        initialDelayMs: { doc: 'First reconnect delay', format: positiveInt, default: client.reconnect.initialDelayMs, env: 'POCKETDOCK_IPC_CLIENT_RECONNECT_INITIAL_DELAY_MS' },
        maxDelayMs: { doc: 'Longest reconnect delay', format: positiveInt, default: client.reconnect.maxDelayMs, env: 'POCKETDOCK_IPC_CLIENT_RECONNECT_MAX_DELAY_MS' },
        maxAttempts: { doc: 'Attempts before giving up (0 = never)', format: nonNegativeInt, default: client.reconnect.maxAttempts, env: 'POCKETDOCK_IPC_CLIENT_RECONNECT_MAX_ATTEMPTS' },
      },
    },
  },
};

/** The settings `loadSettings()` returns. */
export interface Settings {
  ipc: {
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
  };
}
