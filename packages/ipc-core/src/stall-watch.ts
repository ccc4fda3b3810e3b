import type { ServerConnection } from './server-connection.js';

/**
 * Finds clients that stopped reading: a connection with unsent bytes of which the kernel took none for
 * `timeoutMs`. One timer for the whole server, running only while some connection has unsent bytes; the server
 * arms it whenever it writes. Internal to SocketServer.
 *
 * Time is counted in checks, not read from the clock: a check sees whether a connection's bytes moved since the
 * previous one, and only that many checks in a row without movement, with the event loop running between them,
 * make a stalled client. A process that was paused (GC, a loaded machine) therefore never drops a reader for not
 * reading while it could not run either.
 */
export class StallWatch {
  #timer: NodeJS.Timeout | undefined;
  readonly #intervalMs: number;
  /** Consecutive checks without movement that make a stall at least `timeoutMs` long. */
  readonly #checks: number;

  constructor(
    timeoutMs: number,
    private readonly connections: () => Iterable<ServerConnection>,
    private readonly onStalled: (conn: ServerConnection, unsentBytes: number) => void,
  ) {
    this.#intervalMs = Math.max(10, Math.min(1_000, Math.ceil(timeoutMs / 4)));
    // the first check without movement may come right after the stall began: one more
    this.#checks = Math.ceil(timeoutMs / this.#intervalMs) + 1;
  }

  arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => this.#check(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    this.#timer = undefined;
    let waiting = false;
    for (const conn of [...this.connections()]) {
      const unsent = conn.writer.bufferedBytes;
      const done = conn.writer.doneBytes;
      if (conn.closed || unsent === 0 || done !== conn.stallSeenDone) {
        conn.stallSeenDone = done;
        conn.stallChecks = 0;
        if (!conn.closed && unsent > 0) waiting = true;
        continue;
      }
      if (++conn.stallChecks >= this.#checks) this.onStalled(conn, unsent);
      else waiting = true;
    }
    if (waiting) this.arm();
  }
}
