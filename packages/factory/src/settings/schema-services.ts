import { leaf, map, section } from './schema-nodes.js';
import type { LeafNode } from './schema-nodes.js';
import { argv, bool, custom, int, oneOf, str, stringList, text } from './value-types.js';
import type { ValueType } from './value-types.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** engine-socket's socket addresses: a path, or `unix://` and a path. Relative paths: see `resolveSocket`. */
const socketAddress = custom('path or `unix://` address', (v) => {
  if (typeof v !== 'string' || v.trim() === '') return 'must be a socket path or unix:// address';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !v.startsWith('unix://')) return 'must be a Unix socket (a path or unix://...): other schemes are not supported';
  return undefined;
});

const engine = (type: ValueType, doc: string, extra: Partial<LeafNode> = {}): LeafNode => leaf(type, doc, { library: 'engine-socket', ...extra });

/** `engine`: how the one shared engine client connects (engine-socket's `EngineClient.connect`). */
export const engineSection = section(
  {
    socket: engine(socketAddress, 'The engine socket; a relative path is relative to the file that names it. Unset: detected', {
      envAliases: ['POCKETDOCK_SOCKET'],
    }),
    connectionMode: engine(oneOf(['keep-alive', 'per-operation']), 'How short calls reach the engine'),
    maxConnections: engine(int(1, 1024), 'Kept-alive connections at most'),
    keepAliveTimeoutMs: engine(int(1, 2_147_483_647), 'An idle connection is closed after this long (ms)'),
    connectTimeoutMs: engine(int(1, 2_147_483_647), 'Most time to open a connection (ms)'),
    timeoutMs: engine(int(1, 2_147_483_647), 'Default per-call timeout (ms)'),
    probeTimeoutMs: engine(int(1, 2_147_483_647), 'Most time each detected socket gets to answer (ms)'),
    maxJsonBytes: engine(int(1), 'Largest JSON answer read'),
  },
  'The shared engine client; meanings in the engine-socket README',
);

const fm = (type: ValueType, doc: string, env?: string, extra: Partial<LeafNode> = {}): LeafNode =>
  leaf(type, doc, { library: 'flow-manager', ...(env ? { envAliases: [`FLOW_MANAGER_${env}`] } : {}), ...extra });

const list = stringList();
const origin = custom(
  'list of origins (`scheme://host[:port]`)',
  (v) => {
    if (!Array.isArray(v) || !v.every((o): o is string => typeof o === 'string')) return 'must be a list of origins';
    return v.every((o) => URL.canParse(o)) ? undefined : 'must be URLs like https://app.example.com';
  },
  (text) => list.fromEnv(text),
);

/** `flowManager`: `pd.flowManager()`'s options (flow-manager's `FlowManager.start`). */
export const flowManagerSection = section(
  {
    host: fm(str(), 'Interface to bind', 'HOST'),
    port: fm(int(0, 65_535), 'TCP port (0: any free one)', 'PORT'),
    token: fm(
      custom('string, 16+ characters', (v) => (typeof v === 'string' && v.length >= 16 ? undefined : 'must be a string of at least 16 characters')),
      'Clients send it as `auth.token`',
      'TOKEN',
      { sensitive: true },
    ),
    allowOpenLoopback: fm(bool, 'Run without a token (loopback hosts only)', 'ALLOW_OPEN_LOOPBACK'),
    allowedOrigins: fm(origin, 'Browser origins allowed', 'ALLOWED_ORIGINS'),
    socketDir: fm(str({ absolute: true }), "Host directory of the flows' sockets", 'SOCKET_DIR'),
    allowedRoots: fm(stringList({ absolute: true }), 'Host directories volumes and code may come from', 'ALLOWED_ROOTS'),
    allowWritableVolumes: fm(bool, 'Allow writable volumes', 'ALLOW_WRITABLE_VOLUMES'),
    maxContainers: fm(int(1), 'Flow containers at most', 'MAX_CONTAINERS'),
    maxPayloadBytes: fm(int(1), 'Largest Socket.IO message', 'MAX_PAYLOAD_BYTES'),
    maxMessageBytes: fm(int(1024), "Largest message on a flow's socket"),
    maxClients: fm(int(1), 'Authenticated Socket.IO clients at most', 'MAX_CLIENTS'),
    maxUnauthenticatedClients: fm(int(1), 'Sessions not yet authenticated, at most', 'MAX_UNAUTHENTICATED_CLIENTS'),
    authTimeoutMs: fm(int(1), 'Time a session has to authenticate (ms)', 'AUTH_TIMEOUT_MS'),
    shutdownGraceMs: fm(int(0), 'Grace for clients on stop (ms)', 'SHUTDOWN_GRACE_MS'),
    updateTimeoutMs: fm(int(1), 'Wait for updated code to connect (ms)', 'UPDATE_TIMEOUT_MS'),
    replyTimeoutMs: fm(int(1), 'Default wait for a flow answer (ms)', 'REPLY_TIMEOUT_MS'),
    instance: fm(str({ pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, patternDoc: 'a name (1-63 letters, digits, _ . -)' }), 'Name of this flow-manager (label)', 'INSTANCE'),
    defaultImage: fm(str(), 'Image when a payload names none', 'DEFAULT_IMAGE'),
    defaultCommand: fm(argv, 'Command when a payload names none'),
    labels: map(leaf(text, 'Extra labels on flow containers'), 'Extra labels on flow containers', {
      pattern: /^[a-zA-Z0-9][a-zA-Z0-9._/-]*$/,
      doc: 'a label key',
      fromEnv: 'lower',
    }),
    network: fm(str(), 'Engine network of flow containers', 'NETWORK'),
    stopTimeoutMs: fm(int(0), 'Grace period of a stop (ms)'),
    statsMaxAgeMs: fm(int(1), 'Age of cached resource usage (ms)'),
    logLevel: leaf(oneOf(LOG_LEVELS), 'Level of its logs', { fallback: 'log.level', envAliases: ['FLOW_MANAGER_LOG_LEVEL'] }),
    activityHistorySize: fm(int(0), 'Activity entries kept per container'),
  },
  'The flow-manager service; meanings in the flow-manager README',
);

/** `log`: the factory's own log lines (stderr), and the default level of the flow-manager's. */
export const logSection = section(
  {
    level: leaf(oneOf(LOG_LEVELS), 'Least severe level written', { default: 'info' }),
    format: leaf(oneOf(['json', 'text']), 'One JSON object per line, or plain text', { default: 'json' }),
  },
  "The factory's log (stderr)",
);
