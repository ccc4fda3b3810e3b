// Where the time of one message goes, in one process, no sockets: stamping, encoding, framing, decoding and
// validating, next to JSON doing the same job without validation; then the receiving side over a realistic byte
// stream next to the NDJSON floor of the transport bench (bench/receive.ts).
// Run: npx nx bench @pocketdock/ipc-core   (builds first: the bench imports the built package)
// BENCH_N (messages per round, 200,000), BENCH_ROUNDS (7), BENCH_CASES (a name filter). The native string extractor off, as on a machine without
// msgpackr-extract: MSGPACKR_NATIVE_ACCELERATION_DISABLED=true npx nx bench @pocketdock/ipc-core
import { cpus } from 'node:os';
import { isNativeAccelerationEnabled } from 'msgpackr';
import { FrameReader, MessageCodec, createMessage } from '@pocketdock/ipc-core';
import { load, measure, median, printTable } from './measure.js';
import type { BenchCase } from './measure.js';
import { receiveCases } from './receive.js';

const N = Number(process.env['BENCH_N'] ?? 200_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);

const data = (seq: number): Record<string, unknown> => ({ seq, host: 'node-1', cpu: 0.42, mem: 123_456, tag: 'bench-payload-abc' });
const codec = new MessageCodec();
const message = createMessage('bench', data(1));
const frame = codec.encode(message);
const payload = frame.subarray(4);
const stream = Buffer.concat(Array.from({ length: 1_000 }, () => frame));
const json = JSON.stringify({
  event_name: message.eventName,
  timestamp_ms: message.timestampMs,
  timestamp_iso: message.timestampIso,
  message_type: message.messageType,
  data: message.data,
});

const allCases: BenchCase[] = [
  { name: 'createMessage (stamp, check)', run: () => createMessage('bench', data(1)), perCall: 1 },
  { name: 'encode (msgpack + length prefix)', run: () => codec.encode(message), perCall: 1 },
  { name: 'decode (msgpack + zod validation)', run: () => codec.decode(payload), perCall: 1 },
  { name: 'FrameReader + decode, 1,000 frames per push', run: () => new FrameReader(1 << 20).push(stream, (b, s, e) => codec.decode(b, s, e)), perCall: 1_000 },
  { name: 'JSON.stringify (no validation)', run: () => JSON.stringify(message), perCall: 1 },
  { name: 'JSON.parse (no validation)', run: () => JSON.parse(json) as unknown, perCall: 1 },
  ...receiveCases(codec, data),
];
// BENCH_CASES=receive (a substring of the names) runs only those, e.g. under `node --cpu-prof`.
const only = process.env['BENCH_CASES'];
const cases = only === undefined ? allCases : allCases.filter((c) => c.name.includes(only));

console.log(
  `ipc-core codec: node ${process.version}, ${cpus().length} cores; msgpackr native string extractor ${isNativeAccelerationEnabled ? 'on' : 'off'}; ` +
    `${payload.length}-byte payload; ${ROUNDS} rounds of ${N.toLocaleString('en-US')} messages per case, interleaved; median (min - max); load ${load()}\n`,
);
const results = measure(cases, N, ROUNDS);
printTable(results);
const cpu = (prefix: string): number => median(results.find((r) => r.name.startsWith(prefix))?.cpu ?? [NaN]);
const [ipc, ndjson, decode, unpack] = [cpu('receive: FrameReader'), cpu('receive: NDJSON'), cpu('decode'), cpu('msgpackr unpack')];
if (only === undefined) console.log(
  `\nreceive, CPU medians: ipc-core/NDJSON throughput ${(ndjson / ipc).toFixed(2)}x (${Math.round(ipc)} vs ${Math.round(ndjson)} ns per message); ` +
    `decode ${Math.round(decode)} ns = msgpackr unpack ${Math.round(unpack)} + validation and the result object ${Math.round(decode - unpack)}; load ${load()}`,
);
