// The server side of the benchmark, in its own process: `fork(peer.ts, [variant, transport, mode, address])`.
// mode: 'sink' (count incoming, report every `count` messages), 'echo' (send each message back),
// 'broadcast' (on request, send K messages to every client).
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { SocketServer } from '@pocketdock/ipc-core';
import { FLOOR_FRAME, FrameCounter, LineParser, benchMessage, ndjsonLine } from './wire.js';
import type { Transport, Variant } from './wire.js';

const [variant, transport, mode, address] = process.argv.slice(2) as [Variant, Transport, string, string];
const send = (m: unknown): void => void process.send?.(m);

let received = 0;
let target = Number.POSITIVE_INFINITY;
/** CPU time of this process since the last 'expect': what receiving those messages cost, whatever the load. */
let cpuStart = process.cpuUsage();
const expect = (total: number): void => {
  target = total;
  cpuStart = process.cpuUsage();
};
const count = (): void => {
  if (++received !== target) return;
  const cpu = process.cpuUsage(cpuStart);
  send({ type: 'sunk', received, cpuUs: cpu.user + cpu.system });
};

async function startIpc(): Promise<void> {
  const options = { bufferSize: 64 * 1024 * 1024, maxConnections: 200, messageQueueSize: 0 };
  const server: SocketServer =
    transport === 'unix'
      ? new (await import('@pocketdock/ipc-unix')).UnixSocketServer('bench', { ...options, socketDir: address })
      : new (await import('@pocketdock/ipc-tcp')).TcpSocketServer('bench', {
          ...options,
          portRangeStart: Number(address),
          portRangeEnd: Number(address) + 50,
        });
  server.on('message', (message, client) => {
    if (mode === 'echo') server.send(message, client.id);
    else count();
  });
  await server.start();
  process.on('message', (m: { type: string; count?: number; seq?: number }) => {
    if (m.type === 'expect') expect(m.count!);
    if (m.type === 'broadcast') void broadcast((i) => server.send(benchMessage(i)), m.count!);
    if (m.type === 'stop') void server.stop().then(() => process.exit(0));
  });
  send({ type: 'ready', address: server.address });
}

/** Sends `count` messages in slices, yielding to I/O between slices like a real producer would. */
async function broadcast(one: (i: number) => void, total: number): Promise<void> {
  for (let i = 0; i < total; i++) {
    one(i);
    if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The bare-socket broadcast: slices of 256 messages joined into one write per socket (the best a bare socket does). */
async function rawBroadcast(sockets: Set<Socket>, total: number): Promise<void> {
  for (let start = 0; start < total; start += 256) {
    const n = Math.min(256, total - start);
    const bytes =
      variant === 'floor'
        ? Buffer.concat(Array.from({ length: n }, () => FLOOR_FRAME))
        : Array.from({ length: n }, (_, k) => ndjsonLine(benchMessage(start + k))).join('');
    for (const s of sockets) s.write(bytes);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function startRaw(): void {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (transport === 'tcp') socket.setNoDelay(true);
    if (variant === 'floor') {
      const counter = new FrameCounter();
      socket.on('data', (chunk: Buffer) =>
        counter.push(chunk, (frame) => (mode === 'echo' ? socket.write(frame) : count())),
      );
    } else {
      const parser = new LineParser();
      socket.on('data', (chunk: Buffer) => parser.push(chunk, (_v, line) => (mode === 'echo' ? socket.write(line) : count())));
    }
  });
  const listening = (): void => {
    const a = server.address();
    send({ type: 'ready', address: typeof a === 'string' ? a : `127.0.0.1:${a?.port ?? 0}` });
  };
  if (transport === 'unix') server.listen(`${address}/raw.sock`, listening);
  else server.listen({ host: '127.0.0.1', port: 0 }, listening);
  process.on('message', (m: { type: string; count?: number }) => {
    if (m.type === 'expect') expect(m.count!);
    if (m.type === 'broadcast') void rawBroadcast(sockets, m.count!);
    if (m.type === 'stop') {
      for (const s of sockets) s.destroy();
      server.close(() => process.exit(0));
    }
  });
}

if (variant === 'ipc') await startIpc();
else startRaw();
