import { z } from 'zod';
import { ValidationError } from './errors.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './codec.js';
import { isTimeZone } from './timezone.js';

const positiveInt = z.number().int().positive();

/** What every server and client shares. Libraries take these as plain options; only the factory reads files. */
export const SocketConfigSchema = z.object({
  /** Directory of Unix socket files. Unused by TCP. */
  socketDir: z.string().min(1).default('/tmp/pocketdock'),
  /** Connect timeout, and the default of `receive({ timeoutMs })`, in ms. */
  defaultTimeoutMs: positiveInt.default(5_000),
  /** Bytes a peer may have unsent before it counts as a slow reader (server) or `send` fails (client). */
  bufferSize: z.number().int().min(1024).default(1024 * 1024),
  /**
   * Server: unsent bytes of a client at which `send()` returns false (await `drain()` before sending more).
   * Default: 64 KiB, or half of `bufferSize` when that is less. Not above `bufferSize`.
   */
  highWaterMarkBytes: z.number().int().min(1).optional(),
  /**
   * Server: a client whose unsent bytes have not moved (the kernel took none of them) for this long has stopped
   * reading; it is disconnected with `IPC_SLOW_CONSUMER`, which also ends a `drain()` waiting for it.
   */
  slowConsumerTimeoutMs: positiveInt.default(10_000),
  /** IANA time zone of `timestampIso` in messages this end creates. */
  timezone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone name' }).default('UTC'),
  /** Messages a server keeps while no client is connected; the oldest are dropped beyond it. */
  messageQueueSize: z.number().int().min(0).default(1_000),
  /** `start()` resolves only when the server stops. */
  blockingMode: z.boolean().default(false),
  /** Whether the server accepts messages from clients. */
  allowClientSend: z.boolean().default(true),
  /** Largest message payload, in bytes; a longer length prefix closes the connection before any allocation. */
  maxMessageBytes: z.number().int().min(64).max(0xffff_ffff).default(DEFAULT_MAX_MESSAGE_BYTES),
});
export type SocketConfig = z.output<typeof SocketConfigSchema>;

/** Server settings for Unix domain sockets. */
export const UnixSocketConfigSchema = SocketConfigSchema.extend({
  maxConnections: positiveInt.default(100),
  /** Octal mode of the socket file, set when it is created. */
  socketPermissions: z.string().regex(/^0?[0-7]{3}$/, { message: "must be an octal mode like '0600'" }).default('0600'),
  /** Remove the socket file on `stop()`. */
  autoRemoveSocket: z.boolean().default(true),
});
export type UnixSocketConfig = z.output<typeof UnixSocketConfigSchema>;

const port = z.number().int().min(1).max(65_535);

/** Server settings for TCP. */
export const TcpSocketConfigSchema = SocketConfigSchema.extend({
  host: z.string().min(1).default('127.0.0.1'),
  portRangeStart: port.default(47_800),
  portRangeEnd: port.default(47_899),
  maxConnections: positiveInt.default(100),
}).refine((c) => c.portRangeStart <= c.portRangeEnd, {
  message: 'portRangeStart must not be above portRangeEnd',
  path: ['portRangeEnd'],
});
export type TcpSocketConfig = z.output<typeof TcpSocketConfigSchema>;

/** Reconnect policy of a client: exponential backoff with jitter. */
export const ReconnectConfigSchema = z.object({
  enabled: z.boolean().default(true),
  initialDelayMs: positiveInt.default(100),
  maxDelayMs: positiveInt.default(5_000),
  factor: z.number().min(1).default(2),
  /** Fraction of each delay that is random: 0.5 means between 50% and 100% of the computed delay. */
  jitter: z.number().min(0).max(1).default(0.5),
  /** Attempts before giving up with `IPC_RECONNECT_FAILED`; 0 = never give up. */
  maxAttempts: z.number().int().min(0).default(0),
});
export type ReconnectConfig = z.output<typeof ReconnectConfigSchema>;

/** What a client needs besides its transport's address. */
export const ClientConfigSchema = SocketConfigSchema.pick({
  socketDir: true,
  defaultTimeoutMs: true,
  bufferSize: true,
  timezone: true,
  maxMessageBytes: true,
}).extend({
  /** Received messages kept for `receive()` / `receiveIter()`; beyond it the oldest are dropped and counted. */
  receiveBufferSize: positiveInt.default(10_000),
  reconnect: ReconnectConfigSchema.default(ReconnectConfigSchema.parse({})),
});
export type ClientConfig = z.output<typeof ClientConfigSchema>;

/** A Unix socket client: the client settings plus the owner its server's socket must have. */
export const UnixClientConfigSchema = ClientConfigSchema.extend({
  /**
   * The uid that must own the socket file. Its directory, and those above it, must be that uid's or root's and
   * writable by nobody else unless sticky (as /tmp). Checked before every connect and reconnect; a mismatch fails
   * with `IPC_SOCKET_OWNER_MISMATCH` or `IPC_INSECURE_SOCKET_DIR`. Default: not checked.
   */
  expectedOwner: z.number().int().min(0).optional(),
});
export type UnixClientConfig = z.output<typeof UnixClientConfigSchema>;
export type UnixClientConfigInput = z.input<typeof UnixClientConfigSchema>;

/**
 * Validates `input` with `schema` once, in a constructor. A failure throws `IPC_INVALID_OPTIONS` naming the key,
 * with the ZodError as `cause`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue === undefined || issue.path.length === 0 ? '(options)' : issue.path.join('.');
  throw new ValidationError('IPC_INVALID_OPTIONS', `invalid ${what} option ${key}: ${issue?.message ?? 'invalid'}`, {
    cause: parsed.error,
  });
}

/** What callers pass (every key optional); the schemas fill in defaults. */
export type SocketConfigInput = z.input<typeof SocketConfigSchema>;
export type UnixSocketConfigInput = z.input<typeof UnixSocketConfigSchema>;
export type TcpSocketConfigInput = z.input<typeof TcpSocketConfigSchema>;
export type ClientConfigInput = z.input<typeof ClientConfigSchema>;

/** A TCP client: the client settings plus the server's address. */
export const TcpClientConfigSchema = ClientConfigSchema.extend({
  host: z.string().min(1).default('127.0.0.1'),
  port,
});
export type TcpClientConfig = z.output<typeof TcpClientConfigSchema>;
export type TcpClientConfigInput = z.input<typeof TcpClientConfigSchema>;
