import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { SocketClient, UnixClientConfigSchema, awaitConnect, parseOptions } from '@pocketdock/ipc-core';
import type { UnixClientConfig, UnixClientConfigInput } from '@pocketdock/ipc-core';
import { socketPath } from './socket-path.js';
import { assertSameSocket, checkTrustedSocket } from './trusted-socket.js';

/** Options of {@link UnixSocketClient}: every key optional. */
export type UnixSocketClientOptions = UnixClientConfigInput;

/**
 * A message client of the server at `{socketDir}/{eventName}.sock`. With `expectedOwner`, every connect and
 * reconnect first checks that the socket belongs to that uid, in a directory nobody else can change
 * (`IPC_SOCKET_OWNER_MISMATCH`, `IPC_INSECURE_SOCKET_DIR`), so another user's server cannot stand in for it.
 *
 * @example
 * const client = new UnixSocketClient('metrics', { socketDir: '/run/app', expectedOwner: 0 });
 * await client.connect();
 * const message = await client.receive({ timeoutMs: 1000 });
 * await client.disconnect();
 */
export class UnixSocketClient extends SocketClient {
  readonly path: string;
  protected declare readonly config: UnixClientConfig;

  constructor(eventName: string, options: UnixSocketClientOptions = {}) {
    const config = parseOptions(UnixClientConfigSchema, options, 'UnixSocketClient');
    const path = socketPath(config.socketDir, eventName);
    super(eventName, config);
    this.path = path;
  }

  protected async openConnection(timeoutMs: number): Promise<Socket> {
    const owner = this.config.expectedOwner;
    const checked = owner === undefined ? undefined : await checkTrustedSocket(this.path, owner);
    const socket = await awaitConnect(createConnection(this.path), this.path, timeoutMs);
    if (checked !== undefined) {
      await assertSameSocket(this.path, checked).catch((err: unknown) => {
        socket.destroy();
        throw err;
      });
    }
    return socket;
  }
}
