import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The open TCP connections of an HTTP server, WebSocket upgrades included, so that a shutdown can wait for clients
 * to leave and then cut the ones that do not (a client that never reads holds a WebSocket close for 30 s).
 */
export class ConnectionTracker {
  readonly #open = new Set<Socket>();
  #onEmpty: (() => void) | undefined;

  constructor(http: HttpServer) {
    http.on('connection', (socket: Socket) => {
      this.#open.add(socket);
      socket.once('close', () => {
        this.#open.delete(socket);
        if (this.#open.size === 0) this.#onEmpty?.();
      });
    });
  }

  get size(): number {
    return this.#open.size;
  }

  /** Resolves once every connection has closed, or after `graceMs`, destroying those left; returns how many were cut. */
  async drain(graceMs: number): Promise<number> {
    if (this.#open.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#onEmpty = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onEmpty = undefined;
    }
    const cut = this.#open.size;
    for (const socket of this.#open) socket.destroy();
    return cut;
  }
}
