import { ValidationError } from './errors.js';
import { isoInTimeZone, isTimeZone } from './timezone.js';

/** The message types on the wire. A peer may use others when both ends list them (`messageTypes` option). */
export const MessageType = {
  DATA: 'data',
  ERROR: 'error',
  CONTROL: 'control',
} as const;

/** `'data' | 'error' | 'control'`, or a type added with the `messageTypes` option. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType] | (string & {});

/** The built-in types every codec accepts. */
export const DEFAULT_MESSAGE_TYPES: readonly string[] = Object.values(MessageType);

/** What an event name must look like: it is also a file name (`{socketDir}/{eventName}.sock`). */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** One message. On the wire its keys are snake_case: `event_name`, `timestamp_ms`, ... */
export interface SocketMessage {
  eventName: string;
  timestampMs: number;
  /** ISO 8601 in the sender's configured time zone (UTC by default). */
  timestampIso: string;
  messageType: MessageType;
  data: Record<string, unknown>;
}

export interface CreateMessageOptions {
  /** Default `MessageType.DATA`. */
  type?: MessageType;
  /** IANA time zone of `timestampIso`. Default `'UTC'`. */
  timezone?: string;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** True for `{...}` objects (a MessagePack map), false for arrays, null, Buffers and class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws `IPC_INVALID_EVENT_NAME` unless `eventName` matches {@link EVENT_NAME_PATTERN}. */
export function assertEventName(eventName: unknown): asserts eventName is string {
  if (typeof eventName !== 'string' || !EVENT_NAME_PATTERN.test(eventName)) {
    throw new ValidationError(
      'IPC_INVALID_EVENT_NAME',
      `invalid event name ${JSON.stringify(eventName)}: use 1-128 of A-Z a-z 0-9 _ -`,
    );
  }
}

/**
 * A message stamped now.
 *
 * @example
 * server.send(createMessage('metrics', { cpu: 0.4 }));
 * server.send(createMessage('metrics', { code: 'PAUSE' }, { type: MessageType.CONTROL, timezone: 'Europe/Berlin' }));
 */
export function createMessage(
  eventName: string,
  data: Record<string, unknown>,
  options: CreateMessageOptions = {},
): SocketMessage {
  assertEventName(eventName);
  if (!isPlainObject(data)) throw new ValidationError('IPC_INVALID_MESSAGE', 'message data must be a plain object (a map)');
  const timezone = options.timezone ?? 'UTC';
  if (timezone !== 'UTC' && !isTimeZone(timezone)) throw new ValidationError('IPC_INVALID_OPTIONS', `unknown time zone ${JSON.stringify(timezone)}`);
  const timestampMs = (options.now ?? Date.now)();
  return {
    eventName,
    timestampMs,
    timestampIso: isoInTimeZone(timestampMs, timezone),
    messageType: options.type ?? MessageType.DATA,
    data,
  };
}
