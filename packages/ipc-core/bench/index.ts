// Where the time of one message goes, in one process, no sockets: stamping, encoding, framing, decoding and
// validating, next to JSON doing the same job without validation.
// Run: npx nx bench @pocketdock/ipc-core   (builds first: the bench imports the built package)
import { cpus } from 'node:os';
import { FrameReader, MessageCodec, createMessage } from '@pocketdock/ipc-core';

const N = Number(process.env['BENCH_N'] ?? 200_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

const data = { seq: 1, host: 'node-1', cpu: 0.42, mem: 123_456, tag: 'bench-payload-abc' };
const codec = new MessageCodec();
const message = createMessage('bench', data);
const frame = codec.encode(message);
const payload = frame.subarray(4);
const stream = Buffer.concat(Array.from({ length: 1_000 }, () => frame));
const json = JSON.stringify({
  event_name: message.eventName,
  timestamp_ms: message.timestampMs,
  timestamp_iso: message.timestampIso,
  message_type: message.messageType,
  data,
});

const cases: Array<[string, (i: number) => unknown, number]> = [
  ['createMessage (stamp, check)', () => createMessage('bench', data), 1],
  ['encode (msgpack + length prefix)', () => codec.encode(message), 1],
  ['decode (msgpack + zod validation)', () => codec.decode(payload), 1],
  ['FrameReader + decode, 1,000 frames per push', () => new FrameReader(1 << 20).push(stream, (b, s, e) => codec.decode(b, s, e)), 1_000],
  ['JSON.stringify (no validation)', () => JSON.stringify(message), 1],
  ['JSON.parse (no validation)', () => JSON.parse(json) as unknown, 1],
];

console.log(`ipc-core codec: node ${process.version}, ${cpus().length} cores; ${payload.length}-byte payload, ${ROUNDS} rounds, median (min - max)\n`);
console.log('| step | ns per message | messages/s (one core) |');
console.log('|---|---:|---:|');
for (const [name, fn, perCall] of cases) {
  const calls = Math.max(1, Math.floor(N / perCall));
  for (let i = 0; i < Math.min(calls, 20_000); i++) fn(i); // warm-up
  const ns: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn(i);
    ns.push(Number(process.hrtime.bigint() - start) / (calls * perCall));
  }
  ns.sort((a, b) => a - b);
  const med = ns[Math.floor(ns.length / 2)]!;
  console.log(`| ${name} | ${Math.round(med)} (${Math.round(ns[0]!)} - ${Math.round(ns.at(-1)!)}) | ${Math.round(1e9 / med).toLocaleString('en-US')} |`);
}
