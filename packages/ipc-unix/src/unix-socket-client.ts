import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { ClientConfigSchema, SocketClient, awaitConnect, parseOptions } from '@pocketdock/ipc-core';
import type { ClientConfigInput } from '@pocketdock/ipc-core';
import { socketPath } from './socket-path.js';

/** Options of {@link UnixSocketClient}: every key optional. */
export type UnixSocketClientOptions = ClientConfigInput;

/**
 * A message client of the server at `{socketDir}/{eventName}.sock`.
 *
 * @example
 * const client = new UnixSocketClient('metrics', { socketDir: '/run/app' });
 * await client.connect();
 * const message = await client.receive({ timeoutMs: 1000 });
 * await client.disconnect();
 */
export class UnixSocketClient extends SocketClient {
  readonly path: string;

  constructor(eventName: string, options: UnixSocketClientOptions = {}) {
    const config = parseOptions(ClientConfigSchema, options, 'UnixSocketClient');
    const path = socketPath(config.socketDir, eventName);
    super(eventName, config);
    this.path = path;
  }

  protected openConnection(timeoutMs: number): Promise<Socket> {
    return awaitConnect(createConnection(this.path), this.path, timeoutMs);
  }
}
