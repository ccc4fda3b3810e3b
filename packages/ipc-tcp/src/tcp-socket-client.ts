import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { SocketClient, TcpClientConfigSchema, awaitConnect, parseOptions } from '@pocketdock/ipc-core';
import type { TcpClientConfigInput } from '@pocketdock/ipc-core';

/** Options of {@link TcpSocketClient}: `port` is required (the server's `port` after `start()`). */
export type TcpSocketClientOptions = TcpClientConfigInput;

/**
 * A message client of a {@link TcpSocketServer} at `host:port`.
 *
 * @example
 * const client = new TcpSocketClient('metrics', { port: 47800 });
 * await client.connect();
 * const message = await client.receive({ timeoutMs: 1000 });
 */
export class TcpSocketClient extends SocketClient {
  readonly host: string;
  readonly port: number;

  constructor(eventName: string, options: TcpSocketClientOptions) {
    const config = parseOptions(TcpClientConfigSchema, options, 'TcpSocketClient');
    super(eventName, config);
    this.host = config.host;
    this.port = config.port;
  }

  protected async openConnection(timeoutMs: number): Promise<Socket> {
    const address = `${this.host}:${this.port}`;
    const socket = await awaitConnect(createConnection({ host: this.host, port: this.port }), address, timeoutMs);
    socket.setNoDelay(true);
    return socket;
  }
}
