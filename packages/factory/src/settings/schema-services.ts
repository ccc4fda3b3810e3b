import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const engine = (type: ValueType, doc: string, libraryDefault: unknown, extra: Partial<LeafNode> = {}): LeafNode =>
  leaf(type, doc, { library: 'engine-socket', ...(libraryDefault === undefined ? {} : { libraryDefault }), ...extra });

/** engine-socket's `MIN_API_VERSION` and `MAX_API_VERSION` (a test checks they agree). */
export const API_VERSIONS = { min: '1.40', max: '1.41' } as const;
const minor = (v: string): number => Number(v.split('.')[1]);
const apiVersion = custom(`API version \`${API_VERSIONS.min}\` to \`${API_VERSIONS.max}\``, (v) => {
  if (typeof v !== 'string' || !/^1\.\d+$/.test(v)) return "must be an API version like '1.41' (quote it in YAML and TOML)";
  return minor(v) < minor(API_VERSIONS.min) || minor(v) > minor(API_VERSIONS.max) ? `must be between ${API_VERSIONS.min} and ${API_VERSIONS.max}` : undefined;
});

/** engine-socket's `dockerHost`: `unix://`, `tcp://host[:port]` or `ssh://[user@]host[:port][/socket]`. */
const hostAddress = custom('`unix://`, `tcp://` or `ssh://` address', (v) => {
  if (typeof v !== 'string' || v.trim() === '') return 'must be an address: unix://path, tcp://host[:port] or ssh://[user@]host[:port]';
  if (!/^(unix|tcp|ssh):\/\/./.test(v)) return 'must start with unix://, tcp:// or ssh:// (as DOCKER_HOST)';
  return v.includes('\0') ? 'must not contain a NUL byte' : undefined;
});

/** `false` (no agent) or the agent's socket path. */
const agentSocket = custom('absolute path, or `false`', (v) => (v === false || (typeof v === 'string' && v.startsWith('/')) ? undefined : 'must be the agent socket (an absolute path) or false'), (text) =>
  ['false', '0', 'no', 'off'].includes(text.trim().toLowerCase()) ? false : text,
);

const path = str({ absolute: true });
const ADDRESS_KEYS = 'Of `engine.socket`, `engine.host` and `engine.context`, the one set in the highest layer is used';

/** `engine.tls`: engine-socket's `tls` option. */
const tlsSection = section(
  {
    enabled: engine(bool, 'TLS to a `tcp://` engine (`false`: plain even on port 2376); any other `engine.tls` key set turns it on', undefined, {
      libraryNote: 'on with $DOCKER_TLS_VERIFY or $DOCKER_TLS, or port 2376',
    }),
    verify: engine(bool, "Check the engine's certificate against `ca.pem` (`false`: encrypted, but not verified)", true),
    certPath: engine(path, 'Directory of `ca.pem`, `cert.pem` and `key.pem` (the client certificate; its key mode 0600)', undefined, {
      libraryNote: '$DOCKER_CERT_PATH, else ~/.docker',
    }),
    caFile: engine(path, "The CA file the engine's certificate must chain to; wins over `certPath`'s `ca.pem`", undefined, { libraryNote: 'certPath\'s ca.pem' }),
    certFile: engine(path, "Our client certificate; wins over `certPath`'s `cert.pem`", undefined, { libraryNote: 'certPath\'s cert.pem' }),
    keyFile: engine(path, "Our client certificate's key (mode 0600); wins over `certPath`'s `key.pem`", undefined, { libraryNote: 'certPath\'s key.pem' }),
    servername: engine(str(), "Name the engine's certificate must carry", undefined, { libraryNote: "the address's host" }),
  },
  'TLS of a `tcp://` engine; meanings in the engine-socket README',
);

/** `engine.ssh`: engine-socket's `ssh` option. */
const sshSection = section(
  {
    identityFile: engine(path, 'Private key file (mode 0600)', undefined, { libraryNote: 'the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa' }),
    passphrase: engine(text, 'Passphrase of an encrypted key', undefined, { sensitive: true, libraryNote: 'none' }),
    agent: engine(agentSocket, 'ssh-agent socket (`false`: none)', undefined, { libraryNote: '$SSH_AUTH_SOCK' }),
    knownHostsFiles: engine(stringList({ absolute: true }), 'Where host keys are checked', undefined, { libraryNote: '~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts' }),
    hostKeyFingerprint: engine(str({ pattern: /^SHA256:[A-Za-z0-9+/]{43}$/, patternDoc: 'an OpenSSH fingerprint `SHA256:...`' }), 'Also trust this host key', undefined, { libraryNote: 'none' }),
    acceptUnknownHost: engine(bool, 'Connect to a host known_hosts does not list (never to one whose key changed)', false),
    engine: engine(oneOf(['docker', 'podman']), 'Which CLI runs `system dial-stdio` on the host', 'docker'),
  },
  'An `ssh://` engine; meanings in the engine-socket README',
);

/** `engine`: how the one shared engine client connects (engine-socket's `EngineClient.connect`). */
export const engineSection = section(
  {
    socket: engine(socketAddress, `The engine socket; a relative path is relative to the file that names it. Unset: detected. ${ADDRESS_KEYS}`, undefined, {
      envAliases: ['POCKETDOCK_SOCKET'],
      libraryNote: 'detected: $DOCKER_HOST, the Docker context, then the usual sockets',
    }),
    host: engine(hostAddress, `The engine's address, as DOCKER_HOST takes it (a remote engine: tcp:// with TLS, or ssh://). ${ADDRESS_KEYS}`, undefined, {
      libraryNote: '$DOCKER_HOST',
    }),
    context: engine(str(), `Docker context to use (as \`docker --context\`; wins over $DOCKER_HOST). ${ADDRESS_KEYS}`, undefined, {
      libraryNote: '$DOCKER_CONTEXT, else `docker context use`',
    }),
    tls: tlsSection,
    ssh: sshSection,
    allowInsecureTcp: engine(bool, 'Allow plain (unencrypted) `tcp://` to a host that is not loopback', false),
    apiVersion: engine(apiVersion, "Newest engine API version to speak: the lower of it and the engine's is used (pins it)", API_VERSIONS.max),
    connectionMode: engine(oneOf(['keep-alive', 'per-operation']), 'How short calls reach the engine', 'keep-alive'),
    maxConnections: engine(int(1, 1024), 'Kept-alive connections at most', 32),
    keepAliveTimeoutMs: engine(int(1, 2_147_483_647), 'An idle connection is closed after this long (ms)', 4_000),
    connectTimeoutMs: engine(int(1, 2_147_483_647), 'Most time to open a connection (ms)', 5_000),
    timeoutMs: engine(int(1, 2_147_483_647), 'Default per-call timeout (ms)', 30_000),
    probeTimeoutMs: engine(int(1, 2_147_483_647), 'Most time each detected socket gets to answer (ms)', 2_000),
    maxJsonBytes: engine(int(1), 'Largest JSON answer read', 64 * 1024 * 1024),
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

const instanceName = str({ pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, patternDoc: 'a name (1-63 letters, digits, _ . -)' });

/** `flowManager.cluster`: the flow-manager's `cluster` option (several members sharing one Redis). */
const clusterSection = section(
  {
    redisUrl: fm(
      custom('`redis://` or `rediss://` URL', (v) => (typeof v === 'string' && /^rediss?:\/\/\S+$/.test(v) ? undefined : 'must be redis://host:port or rediss://host:port')),
      'Redis the members share; set: this flow-manager joins a cluster',
      'CLUSTER_REDIS_URL',
      { sensitive: true, libraryNote: 'none: no cluster' },
    ),
    name: fm(instanceName, 'Name of the cluster (prefix of its Redis keys and channels)', 'CLUSTER_NAME', { libraryDefault: 'default' }),
    heartbeatMs: fm(int(100, 60_000), 'How often a member renews its heartbeat (ms)', 'CLUSTER_HEARTBEAT_MS', { libraryDefault: 1_000 }),
    heartbeatTtlMs: fm(int(300, 600_000), "A member silent this long is dead; a survivor on its engine adopts its flows (ms)", 'CLUSTER_HEARTBEAT_TTL_MS', { libraryDefault: 5_000 }),
    requestTimeoutMs: fm(int(100, 600_000), 'Wait for other members on a forwarded request or a cluster-wide list (ms)', undefined, { libraryDefault: 30_000 }),
    adopt: fm(bool, "Adopt dead members' flows on the same engine and host", undefined, { libraryDefault: true }),
    subscriptionTtlMs: fm(int(1_000), "How long a client id's subscriptions stay in Redis after their last change (ms)", undefined, { libraryDefault: 7 * 24 * 3_600_000 }),
  },
  'A flow-manager cluster on Redis; meanings in the flow-manager README (Cluster)',
);

/** `flowManager`: `pd.flowManager()`'s options (flow-manager's `FlowManager.start`). */
export const flowManagerSection = section(
  {
    host: fm(str(), 'Interface to bind', 'HOST', { libraryDefault: '127.0.0.1' }),
    port: fm(int(0, 65_535), 'TCP port (0: any free one)', 'PORT', { libraryDefault: 7070 }),
    token: fm(
      custom('string, 16+ characters', (v) => (typeof v === 'string' && v.length >= 16 ? undefined : 'must be a string of at least 16 characters')),
      'Clients send it as `auth.token`',
      'TOKEN',
      { sensitive: true, libraryNote: 'none: it refuses to start unless allowOpenLoopback' },
    ),
    allowOpenLoopback: fm(bool, 'Run without a token (loopback hosts only)', 'ALLOW_OPEN_LOOPBACK', { libraryDefault: false }),
    allowedOrigins: fm(origin, 'Browser origins allowed', 'ALLOWED_ORIGINS', { libraryDefault: [] }),
    socketDir: fm(str({ absolute: true }), "Host directory of the flows' sockets", 'SOCKET_DIR', { libraryDefault: join(tmpdir(), 'pocketdock-flows') }),
    allowedRoots: fm(stringList({ absolute: true }), 'Host directories volumes and code may come from', 'ALLOWED_ROOTS', { libraryDefault: [] }),
    allowWritableVolumes: fm(bool, 'Allow writable volumes', 'ALLOW_WRITABLE_VOLUMES', { libraryDefault: false }),
    maxContainers: fm(int(1), 'Flow containers at most', 'MAX_CONTAINERS', { libraryDefault: 50 }),
    maxPayloadBytes: fm(int(1), 'Largest Socket.IO message', 'MAX_PAYLOAD_BYTES', { libraryDefault: 1024 * 1024 }),
    maxMessageBytes: fm(int(1024), "Largest message on a flow's socket", undefined, { libraryDefault: 1024 * 1024 }),
    maxClients: fm(int(1), 'Authenticated Socket.IO clients at most', 'MAX_CLIENTS', { libraryDefault: 10_000 }),
    maxUnauthenticatedClients: fm(int(1), 'Sessions not yet authenticated, at most', 'MAX_UNAUTHENTICATED_CLIENTS', { libraryDefault: 1_000 }),
    authTimeoutMs: fm(int(1), 'Time a session has to authenticate (ms)', 'AUTH_TIMEOUT_MS', { libraryDefault: 10_000 }),
    shutdownGraceMs: fm(int(0), 'Grace for clients on stop (ms)', 'SHUTDOWN_GRACE_MS', { libraryDefault: 2_000 }),
    updateTimeoutMs: fm(int(1), 'Wait for updated code to connect (ms)', 'UPDATE_TIMEOUT_MS', { libraryDefault: 10_000 }),
    replyTimeoutMs: fm(int(1), 'Default wait for a flow answer (ms)', 'REPLY_TIMEOUT_MS', { libraryDefault: 5_000 }),
    instance: fm(instanceName, 'Name of this flow-manager (label; each cluster member needs its own)', 'INSTANCE', { libraryDefault: 'default' }),
    defaultImage: fm(str(), 'Image when a payload names none', 'DEFAULT_IMAGE', { libraryNote: 'none: a payload must name its image' }),
    defaultCommand: fm(argv, 'Command when a payload names none', undefined, { libraryDefault: ['node', '/app/index.js'] }),
    labels: map(leaf(text, 'Extra labels on flow containers'), 'Extra labels on flow containers', {
      pattern: /^[a-zA-Z0-9][a-zA-Z0-9._/-]*$/,
      doc: 'a label key',
      fromEnv: 'lower',
    }),
    network: fm(str(), 'Engine network of flow containers', 'NETWORK', { libraryDefault: 'none' }),
    stopTimeoutMs: fm(int(0), 'Grace period of a stop (ms)', undefined, { libraryDefault: 2_000 }),
    statsMaxAgeMs: fm(int(1), 'Age of cached resource usage (ms)', undefined, { libraryDefault: 5_000 }),
    logLevel: leaf(oneOf(LOG_LEVELS), 'Level of its logs', { fallback: 'log.level', envAliases: ['FLOW_MANAGER_LOG_LEVEL'] }),
    activityHistorySize: fm(int(0), 'Activity entries kept per container', undefined, { libraryDefault: 50 }),
    dashboardDir: fm(str({ absolute: true }), "The dashboard's built page, served at `/`", 'DASHBOARD_DIR', { libraryNote: 'none: no page' }),
    maxTerminals: fm(int(1, 1_000), 'Dashboard terminals open at once, at most', 'MAX_TERMINALS', { libraryDefault: 16 }),
    terminalIdleMs: fm(int(1), 'An idle dashboard terminal is closed after this long (ms)', 'TERMINAL_IDLE_MS', { libraryDefault: 10 * 60_000 }),
    liveStatsIntervalMs: fm(int(250), "Period of the dashboard's resource samples (ms)", undefined, { libraryDefault: 2_000 }),
    kawaflow: fm(bool, "Speak kawaflow's protocol too (see the flow-manager README)", 'KAWAFLOW', { libraryDefault: false }),
    monitorIntervalMs: fm(int(0), 'Monitoring period (ms; 0: off until a client enables it)', 'MONITOR_INTERVAL_MS', { libraryDefault: 0 }),
    monitorHistorySize: fm(int(1, 100_000), 'Entries kept per container in each monitoring history', 'MONITOR_HISTORY_SIZE', { libraryDefault: 100 }),
    cluster: clusterSection,
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
