// The client side of each variant, in the benchmark's main process.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { SocketError } from '@pocketdock/ipc-core';
import type { SocketClient } from '@pocketdock/ipc-core';
import { FLOOR_FRAME, FrameCounter, LineParser, benchMessage, ndjsonLine } from './wire.js';
import type { Transport, Variant } from './wire.js';

export interface BenchClient {
  /** Sends messages `from .. from+n-1`; resolves when more may be sent. */
  sendBatch(from: number, n: number): Promise<void>;
  onMessage(listener: () => void): void;
  close(): Promise<void>;
}

class IpcBenchClient implements BenchClient {
  constructor(private readonly client: SocketClient) {}
  async sendBatch(from: number, n: number): Promise<void> {
    for (let i = from; i < from + n; i++) {
      const message = benchMessage(i);
      try {
        this.client.send(message);
      } catch (err) {
        if (!SocketError.is(err) || err.code !== 'IPC_SEND_BUFFER_FULL') throw err;
        await this.client.drain();
        this.client.send(message);
      }
    }
  }
  onMessage(listener: () => void): void {
    this.client.on('message', listener);
  }
  close(): Promise<void> {
    return this.client.disconnect();
  }
}

class RawBenchClient implements BenchClient {
  constructor(
    private readonly socket: Socket,
    private readonly variant: Variant,
  ) {}
  sendBatch(from: number, n: number): Promise<void> {
    const bytes =
      this.variant === 'floor'
        ? Buffer.concat(Array.from({ length: n }, () => FLOOR_FRAME))
        : Array.from({ length: n }, (_, k) => ndjsonLine(benchMessage(from + k))).join('');
    if (this.socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('drain', () => resolve()));
  }
  onMessage(listener: () => void): void {
    if (this.variant === 'floor') {
      const counter = new FrameCounter();
      this.socket.on('data', (chunk: Buffer) => counter.push(chunk, listener));
    } else {
      const parser = new LineParser();
      this.socket.on('data', (chunk: Buffer) => parser.push(chunk, listener));
    }
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}

/** A connected client of `variant` to the peer at `address` (`dir` for Unix, `host:port` for TCP). */
export async function openClient(variant: Variant, transport: Transport, address: string, dir: string): Promise<BenchClient> {
  if (variant === 'ipc') {
    const options = { receiveBufferSize: 1, reconnect: { enabled: false }, bufferSize: 1024 * 1024 };
    const port = Number(address.split(':').at(-1));
    // Each transport is imported only when benchmarked, so a Unix-only run needs only ipc-unix built.
    const client =
      transport === 'unix'
        ? new (await import('@pocketdock/ipc-unix')).UnixSocketClient('bench', { ...options, socketDir: dir })
        : new (await import('@pocketdock/ipc-tcp')).TcpSocketClient('bench', { ...options, port });
    await client.connect();
    return new IpcBenchClient(client);
  }
  const socket = transport === 'unix' ? connect(`${dir}/raw.sock`) : connect({ host: '127.0.0.1', port: Number(address.split(':').at(-1)) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  if (transport === 'tcp') socket.setNoDelay(true);
  return new RawBenchClient(socket, variant);
}
