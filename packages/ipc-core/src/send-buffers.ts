import { ValidationError } from './errors.js';
import type { ServerConnection } from './server-connection.js';
import type { DrainOptions, SocketServerConfig } from './server-types.js';
import { StallWatch } from './stall-watch.js';
import { waitWithin } from './wait-within.js';

/** Default `highWaterMarkBytes` (or half of `bufferSize`, when that is less). */
const DEFAULT_HIGH_WATER_MARK_BYTES = 64 * 1024;

/**
 * The server's side of backpressure, over its connections: writes that say when a client reached the high-water
 * mark, `drain()`, unsent-byte figures, and the two ways a client counts as having stopped reading (more than
 * `bufferSize` unsent; none of its bytes taken for `slowConsumerTimeoutMs`), reported through `onSlow`. Internal to
 * SocketServer.
 */
export class SendBuffers {
  readonly highWaterMark: number;
  readonly #stall: StallWatch;

  constructor(
    private readonly config: SocketServerConfig,
    private readonly clients: ReadonlyMap<string, ServerConnection>,
    private readonly onSlow: (conn: ServerConnection, why: string) => void,
  ) {
    const hwm = config.highWaterMarkBytes;
    if (hwm !== undefined && hwm > config.bufferSize) {
      throw new ValidationError('IPC_INVALID_OPTIONS', `invalid server option highWaterMarkBytes: ${hwm} is above bufferSize (${config.bufferSize})`);
    }
    this.highWaterMark = hwm ?? Math.min(DEFAULT_HIGH_WATER_MARK_BYTES, Math.floor(config.bufferSize / 2));
    const timeoutMs = config.slowConsumerTimeoutMs;
    this.#stall = new StallWatch(timeoutMs, () => clients.values(), (conn, unsent) =>
      onSlow(conn, `none of its ${unsent} unsent bytes taken for slowConsumerTimeoutMs (${timeoutMs} ms)`),
    );
  }

  /** Writes one frame; true while the client stays below the high-water mark (or is gone). */
  write(conn: ServerConnection, frame: Buffer): boolean {
    if (conn.closed) return true;
    conn.writer.write(frame);
    const unsent = conn.writer.bufferedBytes;
    if (unsent > this.config.bufferSize) {
      this.onSlow(conn, `more than bufferSize (${this.config.bufferSize}) bytes unsent`);
      return true;
    }
    this.#stall.arm();
    return unsent < this.highWaterMark;
  }

  drain(options: DrainOptions, what: string): Promise<void> {
    const { clientId } = options;
    const one = clientId === undefined ? undefined : this.clients.get(clientId);
    const conns = clientId === undefined ? [...this.clients.values()] : one === undefined ? [] : [one];
    const flushed = Promise.all(conns.map((conn) => conn.writer.flushed()));
    if (conns.some((conn) => conn.writer.bufferedBytes > 0)) this.#stall.arm();
    return waitWithin(flushed.then(() => undefined), options, what);
  }

  bufferedBytes(clientId?: string): number {
    if (clientId !== undefined) return this.clients.get(clientId)?.writer.bufferedBytes ?? 0;
    let most = 0;
    for (const conn of this.clients.values()) most = Math.max(most, conn.writer.bufferedBytes);
    return most;
  }

  stop(): void {
    this.#stall.stop();
  }
}
