// The receiving side of the ipc benchmark without sockets: the same 4,000 messages (each with its own seq and
// timestamp) as one byte stream cut into 64 KiB chunks, as a socket delivers them, read by ipc-core (FrameReader +
// MessageCodec.decode: msgpack + zod) and by the NDJSON floor of the transport bench (split lines, one JSON.parse
// each, no validation). Plus where decode's time goes: msgpackr's unpack alone, and msgpackr records for comparison.
import { isDeepStrictEqual } from 'node:util';
import { Packr, Unpackr } from 'msgpackr';
import { FrameReader, createMessage } from '@pocketdock/ipc-core';
import type { MessageCodec, SocketMessage } from '@pocketdock/ipc-core';
import type { BenchCase } from './measure.js';

const MESSAGES = 4_000;
const CHUNK_BYTES = 64 * 1024;

const wire = (m: SocketMessage): Record<string, unknown> => ({
  event_name: m.eventName,
  timestamp_ms: m.timestampMs,
  timestamp_iso: m.timestampIso,
  message_type: m.messageType,
  data: m.data,
});

function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; pos < bytes.length; pos += CHUNK_BYTES) out.push(bytes.subarray(pos, pos + CHUNK_BYTES));
  return out;
}

/** The cases, over `data(seq)` messages (`sink` keeps results alive). */
export function receiveCases(codec: MessageCodec, data: (seq: number) => Record<string, unknown>): BenchCase[] {
  const t0 = Date.now();
  const messages = Array.from({ length: MESSAGES }, (_, i) => createMessage('bench', data(i), { now: () => t0 + i }));
  const frameChunks = chunks(Buffer.concat(messages.map((m) => codec.encode(m))));
  const lineChunks = chunks(Buffer.from(messages.map((m) => `${JSON.stringify(wire(m))}\n`).join('')));
  let sink = 0;

  const ipc = (): void => {
    const reader = new FrameReader(codec.maxMessageBytes);
    for (const chunk of frameChunks) reader.push(chunk, (b, s, e) => (sink += codec.decode(b, s, e).timestampMs));
  };
  const ndjson = (): void => {
    let rest = '';
    for (const chunk of lineChunks) {
      const text = rest + chunk.toString('utf8');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        sink += (JSON.parse(text.slice(start, nl + 1)) as { timestamp_ms: number }).timestamp_ms;
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  };

  // The same options as the codec's own Unpackr: what decode spends before validation.
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });
  const payload = codec.encodePayload(messages[0]!);
  // Records with a structure both ends know in advance: NOT used, because other MessagePack libraries read a
  // record as unrelated integers; here to show what the plain maps cost.
  const structures = (): string[][] => [Object.keys(wire(messages[0]!)), Object.keys(messages[0]!.data)];
  const recordOptions = { structures: structures(), maxSharedStructures: 2, moreTypes: false, int64AsType: 'number' as const };
  const recordPayload = new Packr({ ...recordOptions, saveStructures: () => false }).pack(wire(messages[0]!));
  const recordUnpackr = new Unpackr({ ...recordOptions, structures: structures() });
  if (!isDeepStrictEqual(recordUnpackr.unpack(recordPayload), unpackr.unpack(payload))) throw new Error('bench setup: records decode differently');
  if (recordPayload.length >= payload.length) throw new Error('bench setup: the records payload is not records');

  return [
    { name: 'receive: FrameReader + decode, 64 KiB chunks (msgpack + zod)', run: ipc, perCall: MESSAGES },
    { name: 'receive: NDJSON split + JSON.parse, 64 KiB chunks (no validation)', run: ndjson, perCall: MESSAGES },
    { name: 'msgpackr unpack alone (no validation)', run: (): unknown => unpackr.unpack(payload), perCall: 1 },
    { name: 'msgpackr records unpack (not used: not plain MessagePack)', run: (): unknown => recordUnpackr.unpack(recordPayload), perCall: 1 },
  ];
}
