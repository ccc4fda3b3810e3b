// The three ways of carrying a message that the benchmark compares. Shared by both processes.
import { MessageCodec, createMessage } from '@pocketdock/ipc-core';
import type { SocketMessage } from '@pocketdock/ipc-core';

export type Variant = 'ipc' | 'floor' | 'ndjson';
export type Transport = 'unix' | 'tcp';

/** A message with a ~64-byte data map (msgpack), as the issue asks. */
export function benchMessage(seq: number): SocketMessage {
  return createMessage('bench', { seq, host: 'node-1', cpu: 0.42, mem: 123_456, tag: 'bench-payload-abc' });
}

const codec = new MessageCodec();

/** The floor's bytes: one pre-encoded length-prefixed msgpack frame, written as is. */
export const FLOOR_FRAME = codec.encode(benchMessage(1));
export const DATA_BYTES = codec.encodePayload(benchMessage(1)).length;

export function ndjsonLine(message: SocketMessage): string {
  return `${JSON.stringify({
    event_name: message.eventName,
    timestamp_ms: message.timestampMs,
    timestamp_iso: message.timestampIso,
    message_type: message.messageType,
    data: message.data,
  })}\n`;
}

/** Counts length-prefixed frames without decoding them (the floor's receiver). */
export class FrameCounter {
  #rest: Buffer | undefined;
  /** Calls `onFrame` with each complete frame's bytes (prefix included). */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let buf = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    let pos = 0;
    while (buf.length - pos >= 4) {
      const end = pos + 4 + buf.readUInt32BE(pos);
      if (end > buf.length) break;
      onFrame(buf.subarray(pos, end));
      pos = end;
    }
    buf = buf.subarray(pos);
    this.#rest = buf.length === 0 ? undefined : Buffer.from(buf);
  }
}

/** Splits newline-delimited JSON and parses each line (the NDJSON receiver). */
export class LineParser {
  #rest = '';
  push(chunk: Buffer, onValue: (value: unknown, line: string) => void): void {
    const text = this.#rest + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl + 1);
      onValue(JSON.parse(line), line);
      start = nl + 1;
    }
    this.#rest = text.slice(start);
  }
}
