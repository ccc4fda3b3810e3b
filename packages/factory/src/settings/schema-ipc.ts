import { ClientConfigSchema, TcpSocketConfigSchema, UnixSocketConfigSchema, isTimeZone } from '@pocketdock/ipc-core';
import { leaf, section } from './schema-nodes.js';
import type { LeafNode } from './schema-nodes.js';
import { bool, custom, int, num, str } from './value-types.js';
import type { ValueType } from './value-types.js';

// The libraries' own defaults are the settings' defaults: one source of truth.
const unix = UnixSocketConfigSchema.parse({});
const tcp = TcpSocketConfigSchema.parse({});
const client = ClientConfigSchema.parse({});

/** A user id. */
const uid = int(0, 4_294_967_295);

const port = int(1, 65_535);
const timezone = custom('IANA time zone', (v) => (typeof v === 'string' && isTimeZone(v) ? undefined : 'must be an IANA time zone name'));
const octalMode = custom("octal mode, e.g. `'0600'`", (v) =>
  typeof v === 'string' && /^0?[0-7]{3}$/.test(v) ? undefined : "must be an octal mode in quotes, like '0600'",
);

/** An ipc setting whose environment variable keeps its earlier name (`POCKETDOCK_IPC_SOCKET_DIR`...). */
function ipc(type: ValueType, doc: string, value: unknown, legacyEnv: string): LeafNode {
  return leaf(type, doc, { default: value, envAliases: [`POCKETDOCK_IPC_${legacyEnv}`] });
}

/** `ipc`: the settings of `createServer` / `createClient` (ipc-core, ipc-unix, ipc-tcp). */
export const ipcSection = section(
  {
    socketDir: ipc(str(), 'Directory of Unix socket files', unix.socketDir, 'SOCKET_DIR'),
    defaultTimeoutMs: ipc(int(1), 'Connect/receive timeout (ms)', unix.defaultTimeoutMs, 'DEFAULT_TIMEOUT_MS'),
    bufferSize: ipc(int(1024), 'Unsent bytes per peer', unix.bufferSize, 'BUFFER_SIZE'),
    timezone: ipc(timezone, 'Time zone of `timestampIso`', unix.timezone, 'TIMEZONE'),
    messageQueueSize: ipc(int(0), 'Messages kept while no client is connected', unix.messageQueueSize, 'MESSAGE_QUEUE_SIZE'),
    blockingMode: ipc(bool, '`start()` resolves when stopped', unix.blockingMode, 'BLOCKING_MODE'),
    allowClientSend: ipc(bool, 'Accept client messages', unix.allowClientSend, 'ALLOW_CLIENT_SEND'),
    maxMessageBytes: ipc(int(64, 0xffff_ffff), 'Largest message payload', unix.maxMessageBytes, 'MAX_MESSAGE_BYTES'),
    highWaterMarkBytes: leaf(int(1), "Server: a client's unsent bytes at which `send()` returns false (not above `bufferSize`)", {
      library: 'ipc-core',
      libraryNote: '64 KiB, or half of `bufferSize` when that is less',
    }),
    slowConsumerTimeoutMs: leaf(int(1), 'Server: a client that took none of its unsent bytes for this long is dropped (ms)', { default: unix.slowConsumerTimeoutMs }),
    unix: section({
      maxConnections: ipc(int(1), 'Clients per Unix server', unix.maxConnections, 'UNIX_MAX_CONNECTIONS'),
      socketPermissions: ipc(octalMode, 'Mode of socket files', unix.socketPermissions, 'UNIX_SOCKET_PERMISSIONS'),
      autoRemoveSocket: ipc(bool, 'Remove the socket file on stop', unix.autoRemoveSocket, 'UNIX_AUTO_REMOVE_SOCKET'),
    }),
    tcp: section({
      host: ipc(str(), 'Address to bind and connect to', tcp.host, 'TCP_HOST'),
      portRangeStart: ipc(port, 'First port tried', tcp.portRangeStart, 'TCP_PORT_RANGE_START'),
      portRangeEnd: ipc(port, 'Last port tried (>= `portRangeStart`)', tcp.portRangeEnd, 'TCP_PORT_RANGE_END'),
      maxConnections: ipc(int(1), 'Clients per TCP server', tcp.maxConnections, 'TCP_MAX_CONNECTIONS'),
    }),
    client: section({
      receiveBufferSize: ipc(int(1), 'Messages kept for `receive()`', client.receiveBufferSize, 'CLIENT_RECEIVE_BUFFER_SIZE'),
      expectedOwner: leaf(uid, "Unix clients: the uid that must own the server's socket (and its directories safe), checked before every connect", {
        library: 'ipc-unix',
        libraryNote: 'not checked',
      }),
      reconnect: section({
        enabled: ipc(bool, 'Reconnect after losing the server', client.reconnect.enabled, 'CLIENT_RECONNECT_ENABLED'),
        initialDelayMs: ipc(int(1), 'First reconnect delay (ms)', client.reconnect.initialDelayMs, 'CLIENT_RECONNECT_INITIAL_DELAY_MS'),
        maxDelayMs: ipc(int(1), 'Longest reconnect delay (ms)', client.reconnect.maxDelayMs, 'CLIENT_RECONNECT_MAX_DELAY_MS'),
        maxAttempts: ipc(int(0), 'Attempts before giving up (0: never)', client.reconnect.maxAttempts, 'CLIENT_RECONNECT_MAX_ATTEMPTS'),
        factor: leaf(num({ min: 1, max: 1_000 }), 'Each delay is the last one times this', { default: client.reconnect.factor }),
        jitter: leaf(num({ min: 0, max: 1 }), 'Random part of each delay (0 to 1)', { default: client.reconnect.jitter }),
      }),
    }),
  },
  'Message servers and clients (`pd.ipcServer`, `createServer`); meanings in the ipc-core, ipc-unix and ipc-tcp READMEs',
);
