import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { ConnectionError, SocketServer, TcpSocketConfigSchema, parseOptions } from '@pocketdock/ipc-core';
import type { TcpSocketConfig, TcpSocketConfigInput } from '@pocketdock/ipc-core';

/** Options of {@link TcpSocketServer}: every key optional, defaults as in the README. */
export type TcpSocketServerOptions = TcpSocketConfigInput;

/** Tries to listen on one port: resolves true, false when the port is taken, rejects on any other error. */
function tryListen(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/**
 * A message server on TCP, bound to `host` (127.0.0.1) on the first free port of
 * `[portRangeStart, portRangeEnd]`; none free -> `IPC_NO_FREE_PORT`. Behaves like every `SocketServer`.
 *
 * @example
 * const server = new TcpSocketServer('metrics', { portRangeStart: 47800, portRangeEnd: 47899 });
 * await server.start();
 * const client = new TcpSocketClient('metrics', { port: server.port });
 */
export class TcpSocketServer extends SocketServer {
  protected declare readonly config: TcpSocketConfig;
  #server: Server | undefined;
  #port: number | undefined;

  constructor(eventName: string, options: TcpSocketServerOptions = {}) {
    super(eventName, parseOptions(TcpSocketConfigSchema, options, 'TcpSocketServer'));
  }

  /** The port listened on, once started. */
  get port(): number | undefined {
    return this.#port;
  }

  get host(): string {
    return this.config.host;
  }

  protected async listen(): Promise<string> {
    const { host, portRangeStart, portRangeEnd } = this.config;
    for (let port = portRangeStart; port <= portRangeEnd; port++) {
      const server = createServer((socket: Socket) => {
        socket.setNoDelay(true);
        this.handleConnection(socket, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`);
      });
      let listening: boolean;
      try {
        listening = await tryListen(server, host, port);
      } catch (cause) {
        throw new ConnectionError('IPC_CONNECTION_FAILED', `cannot listen on ${host}:${port}: ${(cause as Error).message}`, { cause });
      }
      if (listening) {
        this.#server = server;
        this.#port = port;
        return `${host}:${port}`;
      }
    }
    throw new ConnectionError(
      'IPC_NO_FREE_PORT',
      `no free port on ${host} in ${portRangeStart}-${portRangeEnd}; widen portRangeStart/portRangeEnd`,
    );
  }

  protected async unlisten(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#port = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
