import { Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { EngineError } from '../errors.js';

/** Most stderr kept from the far side's command, for the message when it fails. */
const MAX_STDERR_BYTES = 4096;
/** After the far side's EOF, how long its exit status may take before the end is passed on anyway. */
const EXIT_GRACE_MS = 2_000;

/**
 * One HTTP connection to the engine over one ssh exec channel running `<engine> system dial-stdio`, as a plain
 * Duplex for undici. ssh2's channel is a Duplex too, but its `destroy()` ignores the error and closes only when
 * the server confirms, and its end comes before the command's exit status; this wrapper gives undici stream
 * semantics it can rely on:
 * - the far side's EOF is passed on only once the command's exit is known: a command that failed (no docker
 *   there, no engine behind it) destroys the socket with `ENGINE_SSH_FAILED` and its stderr, instead of a bare
 *   "other side closed";
 * - `end()` sends the channel's EOF and keeps reading (half-close: stdin EOF for a hijacked exec);
 * - `destroy()` closes the channel at once; writes after the channel closed fail instead of hanging.
 * Backpressure both ways: the channel is paused while our reader is full, and a write completes when ssh2 has
 * window for it.
 */
export class SshChannelSocket extends Duplex {
  readonly #channel: ClientChannel;
  readonly #what: string;
  #stderr = '';
  #exit: { code?: number | null; signal?: string | undefined } | undefined;
  #eof = false;
  #closed = false;
  #ended = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #pendingWrite: ((err?: Error | null) => void) | undefined;

  constructor(channel: ClientChannel, what: string) {
    super({ allowHalfOpen: true });
    this.#channel = channel;
    this.#what = what;
    channel.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) channel.pause();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < MAX_STDERR_BYTES) this.#stderr += chunk.toString('utf8').slice(0, MAX_STDERR_BYTES - this.#stderr.length);
    });
    channel.on('exit', (code: number | null, signal?: string) => {
      this.#exit = { code, signal };
      if (this.#eof) this.#finishRead();
    });
    channel.on('end', () => {
      this.#eof = true;
      if (this.#exit !== undefined) this.#finishRead();
      else this.#graceTimer = setTimeout(() => this.#finishRead(), EXIT_GRACE_MS).unref();
    });
    channel.on('drain', () => this.#flushPending());
    channel.on('close', () => {
      this.#closed = true;
      this.#flushPending(new EngineError('ENGINE_CONNECTION_LOST', `${this.#what}: the ssh channel closed`));
      // closed with no EOF and no exit status: the SSH connection went away under us, not an end of data
      if (!this.#eof && this.#exit === undefined) this.destroy(new EngineError('ENGINE_CONNECTION_LOST', `${this.#what}: the ssh connection was lost`));
      else this.#finishRead();
    });
    channel.on('error', (err: Error) => this.destroy(err));
  }

  /** Passes the end on, or the command's failure when it exited non-zero (or was killed) with nothing sent. */
  #finishRead(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#graceTimer);
    const exit = this.#exit;
    const failed = exit !== undefined && (exit.signal !== undefined || (exit.code !== 0 && exit.code !== null && exit.code !== undefined));
    if (failed) {
      const how = exit.signal !== undefined ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      const said = this.#stderr.trim().replace(/\s+/g, ' ');
      this.destroy(new EngineError('ENGINE_SSH_FAILED', `${this.#what}: the remote command ${how}${said === '' ? '' : `: ${said}`}`));
      return;
    }
    this.push(null);
  }

  #flushPending(err?: Error): void {
    const cb = this.#pendingWrite;
    this.#pendingWrite = undefined;
    cb?.(err ?? null);
  }

  override _read(): void {
    this.#channel.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.#closed) {
      callback(new EngineError('ENGINE_CONNECTION_LOST', `${this.#what}: the ssh channel is closed`));
      return;
    }
    if (this.#channel.write(chunk)) callback();
    else this.#pendingWrite = callback;
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (!this.#closed) this.#channel.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    clearTimeout(this.#graceTimer);
    this.#flushPending(err ?? new EngineError('ENGINE_CONNECTION_LOST', `${this.#what}: destroyed`));
    if (!this.#closed) this.#channel.close();
    callback(err);
  }

  // What undici and callers may call on a net.Socket; an ssh channel has nothing to set.
  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}
