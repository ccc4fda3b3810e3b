import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';
import { z } from 'zod';
import { MessageError, ValidationError } from './errors.js';
import { LENGTH_PREFIX_BYTES } from './frame-reader.js';
import { DEFAULT_MESSAGE_TYPES, EVENT_NAME_PATTERN, isPlainObject } from './message.js';
import type { SocketMessage } from './message.js';

/** Default `maxMessageBytes`: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

export interface MessageCodecOptions {
  /** Largest payload accepted or produced, in bytes (the length prefix not counted). Default 1 MiB. */
  maxMessageBytes?: number;
  /** Message types accepted. Default `['data', 'error', 'control']`. */
  messageTypes?: readonly string[];
}

/** The wire form of a message: a plain MessagePack map with snake_case keys. */
export interface WireMessage {
  event_name: string;
  timestamp_ms: number;
  timestamp_iso: string;
  message_type: string;
  data: Record<string, unknown>;
}

function wireSchema(messageTypes: readonly string[]) {
  return z.object({
    event_name: z.string().regex(EVENT_NAME_PATTERN),
    timestamp_ms: z.number(), // finite: zod 4 rejects Infinity and NaN
    timestamp_iso: z.string().max(64),
    message_type: z.enum(messageTypes as [string, ...string[]]),
    data: z.custom<Record<string, unknown>>(isPlainObject, { message: 'must be a map' }),
  });
}

/**
 * Encodes messages to frames (4-byte big-endian length, then a MessagePack map with snake_case keys) and
 * decodes and validates payloads. Plain MessagePack only: no msgpackr records, structures or extensions, so
 * any msgpack library can read and write the frames (a test checks both directions with @msgpack/msgpack).
 *
 * @example
 * const codec = new MessageCodec();
 * socket.write(codec.encode(createMessage('jobs', { id: 1 })));
 * reader.push(chunk, (buffer, start, end) => emit(codec.decode(buffer, start, end)));
 */
export class MessageCodec {
  readonly maxMessageBytes: number;
  readonly #types: ReadonlySet<string>;
  readonly #schema: ReturnType<typeof wireSchema>;
  readonly #packr = new Packr({
    useRecords: false,
    structuredClone: false,
    moreTypes: false,
    bundleStrings: false,
    encodeUndefinedAsNil: true,
  });
  // int64AsType: a peer's integer timestamp in ms is a uint64 on the wire (above 2^32), and must decode as a number.
  /** Reused for every decode: msgpackr reads `start` and `end` at once and keeps nothing. */
  readonly #range = { start: 0, end: 0 };
  readonly #unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

  constructor(options: MessageCodecOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const types = options.messageTypes ?? DEFAULT_MESSAGE_TYPES;
    if (types.length === 0) throw new ValidationError('IPC_INVALID_OPTIONS', 'messageTypes must list at least one type');
    this.#types = new Set(types);
    this.#schema = wireSchema(types);
  }

  /** The MessagePack payload of `message`, without the length prefix. */
  encodePayload(message: SocketMessage): Buffer {
    return this.encode(message).subarray(LENGTH_PREFIX_BYTES);
  }

  /** One frame: length prefix and payload. Throws `IPC_INVALID_MESSAGE` or `IPC_FRAME_TOO_LARGE`. */
  encode(message: SocketMessage): Buffer {
    if (!this.#types.has(message.messageType)) {
      throw new ValidationError('IPC_INVALID_MESSAGE', `unknown message type ${JSON.stringify(message.messageType)}`);
    }
    const wire: WireMessage = {
      event_name: message.eventName,
      timestamp_ms: message.timestampMs,
      timestamp_iso: message.timestampIso,
      message_type: message.messageType,
      data: message.data,
    };
    let frame: Buffer;
    try {
      // The 4 reserved bytes in front of the payload take the length: one buffer, no copy.
      frame = this.#packr.pack(wire, RESERVE_START_SPACE | LENGTH_PREFIX_BYTES);
    } catch (cause) {
      throw new ValidationError('IPC_INVALID_MESSAGE', 'message data cannot be encoded as MessagePack', { cause });
    }
    const length = frame.length - LENGTH_PREFIX_BYTES;
    if (length > this.maxMessageBytes) {
      throw new MessageError(
        'IPC_FRAME_TOO_LARGE',
        `an encoded message is ${length} bytes, more than maxMessageBytes (${this.maxMessageBytes})`,
      );
    }
    frame.writeUInt32BE(length, 0);
    return frame;
  }

  /**
   * Decodes and validates one payload, `payload[start, end)` (default: all of it). Throws `IPC_BAD_FRAME` (not
   * MessagePack, or bytes left over) or `IPC_INVALID_MESSAGE`.
   */
  decode(payload: Uint8Array, start = 0, end = payload.length): SocketMessage {
    let value: unknown;
    try {
      const range = this.#range;
      range.start = start;
      range.end = end;
      value = this.#unpackr.unpack(payload, range);
    } catch (cause) {
      throw new MessageError('IPC_BAD_FRAME', 'a frame is not valid MessagePack', { cause });
    }
    const parsed = this.#schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? 'message' : issue.path.join('.');
      throw new ValidationError('IPC_INVALID_MESSAGE', `invalid message: ${where}: ${issue?.message ?? 'invalid'}`, {
        cause: parsed.error,
      });
    }
    const wire = parsed.data;
    return {
      eventName: wire.event_name,
      timestampMs: wire.timestamp_ms,
      timestampIso: wire.timestamp_iso,
      messageType: wire.message_type,
      data: wire.data,
    };
  }
}
