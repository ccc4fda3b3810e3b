import { randomBytes } from 'node:crypto';
import type { EngineClient } from '@pocketdock/engine-socket';
import type { Frame } from '@pocketdock/stream-demux';
import { ContainerError } from '../errors.js';
import { TIMEOUT_EXIT_CODE } from '../exec-types.js';
import type { ExecResult, OutputChunk } from '../exec-types.js';
import { ExecHandle } from '../exec/exec-handle.js';
import { safeCall } from '../exec/safe-call.js';
import { parseOptions, rejected, timeoutOptionsSchema } from '../options.js';
import { MarkerScanner } from './marker-scanner.js';

export interface SessionOptions {
  /** Default per-command timeout; default: the container's `timeoutMs`. */
  timeoutMs?: number;
  /** Cap on each command's stdout and stderr (each); default 10 MiB. */
  maxOutputBytes?: number;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
}

interface Pending {
  out: MarkerScanner;
  err: MarkerScanner;
  started: number;
  resolve: (result: ExecResult) => void;
  reject: (err: Error) => void;
}

const EXIT_DIGITS = 3;
const TRAILER = EXIT_DIGITS + 3; // "042__\n"

/** Quotes `text` for sh: single quotes, with each ' written as '\'' . */
const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * A persistent `sh` in the container, attached over one hijacked connection: a command costs a write and a read,
 * not an engine exec. The working directory and environment persist from one command to the next.
 *
 * Each command is sent as `command eval '<cmd>' </dev/null`, followed by markers on stdout and stderr that carry a
 * fresh random nonce and the exit code. Output is what came before the markers; the markers never appear in it, and
 * output that merely looks like a marker (another nonce) is ordinary output. A syntax error cannot end the shell
 * (`command` strips eval's special-builtin status), and the command cannot read the session's own input.
 *
 * Commands run one at a time: a second `run()` waits for the first (FIFO). On timeout the session is closed (its
 * shell and everything it started are killed) and the result says `timedOut: true`, `exitCode: 137` (as a timed-out
 * `Container.run`); later calls fail with
 * `SESSION_CLOSED`. If the shell exits (e.g. `exit`), a pending `run()` rejects with `SESSION_CLOSED`.
 *
 * @example
 * await using s = await c.session();
 * await s.run('cd /tmp && export A=1');
 * const r = await s.run('pwd; echo $A'); // stdout '/tmp\n1\n'
 */
export class Session implements AsyncDisposable {
  #handle!: ExecHandle;
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #listeners = new Set<(chunk: OutputChunk) => void>();

  private constructor(
    private readonly defaults: { timeoutMs: number; maxOutputBytes: number },
    private readonly onClose: (s: Session) => void,
  ) {}

  /** @internal use `Container.session()` */
  static async open(
    engine: EngineClient,
    containerId: string,
    options: SessionOptions & { timeoutMs: number },
    onClose: (s: Session) => void,
  ): Promise<Session> {
    const session = new Session({ timeoutMs: options.timeoutMs, maxOutputBytes: options.maxOutputBytes ?? 10 * 1024 * 1024 }, onClose);
    session.#handle = await ExecHandle.start(
      engine,
      containerId,
      { argv: ['sh'], stdin: true, env: options.env ?? {}, workdir: options.workdir, user: options.user },
      (frame) => session.#onFrame(frame),
      // The session's timeout, not the engine client's default (30 s), bounds starting its shell.
      { timeoutMs: options.timeoutMs },
    );
    void session.#handle.closed.then(() => session.#onEof());
    // Resolve once the shell answers: the first real command then costs what every other one does (the shell's
    // start-up, ~60 ms, is paid here), and an image without sh fails here, not at the first run().
    try {
      const ready = await session.run(':');
      if (!ready.ok) throw new ContainerError('SESSION_CLOSED', `the session shell did not start (exit ${ready.exitCode})`);
    } catch (err) {
      // Docker starts a shell for a `user` that does not exist, which ends at once: say so (Podman refuses the start).
      const userError = session.#handle.holdsUserError ? await session.#handle.exitCode().then(() => undefined, (e: unknown) => e) : undefined;
      session.abandon();
      throw ContainerError.is(userError) && userError.code === 'CONTAINER_INVALID_USER' ? userError : err;
    }
    return session;
  }

  /** True once the session was closed or its shell ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `cmd` in the session's shell and resolves with its result (`stdout`/`stderr` kept apart). */
  run(cmd: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    let timeoutMs: number;
    try {
      if (typeof cmd !== 'string' || cmd.includes('\0')) throw new ContainerError('CONTAINER_INVALID_OPTIONS', 'Session.run: cmd must be a string without NUL bytes');
      timeoutMs = parseOptions(timeoutOptionsSchema, options, 'Session.run').timeoutMs ?? this.defaults.timeoutMs;
    } catch (err) {
      return rejected(err);
    }
    const turn = this.#queue.then(() => this.#runNow(cmd, timeoutMs));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Writes raw text to the shell's stdin (no markers, no waiting); what it prints reaches `onOutput` listeners. */
  send(text: string): void {
    this.#assertOpen();
    this.#handle.socket.write(text);
  }

  /**
   * Listens to output that no `run()` is waiting for (e.g. what `send()` caused, or a background job's output).
   * Returns a function that removes the listener.
   */
  onOutput(listener: (chunk: OutputChunk) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends the shell and everything it started. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.onClose(this);
      await this.#handle.kill('KILL', 2_000);
      this.#handle.destroy();
      this.#failPending('the session was closed');
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal The container is going away (and its processes with it): drop the connection, kill nothing. */
  abandon(): void {
    this.#closed = true;
    this.#closing ??= Promise.resolve();
    this.#handle.destroy();
    this.#failPending('the container was shut down');
  }

  async #runNow(cmd: string, timeoutMs: number): Promise<ExecResult> {
    this.#assertOpen();
    const nonce = randomBytes(16).toString('hex');
    const max = this.defaults.maxOutputBytes;
    const result = new Promise<ExecResult>((resolve, reject) => {
      this.#pending = {
        out: new MarkerScanner(Buffer.from(`__PDX_${nonce}_`), TRAILER, max),
        err: new MarkerScanner(Buffer.from(`__PDE_${nonce}__\n`), 0, max),
        started: performance.now(),
        resolve,
        reject,
      };
    });
    // The format strings split the markers, so the literal marker is never in the shell's input.
    this.#handle.socket.write(
      `command eval ${shQuote(cmd)} </dev/null; __pd_rc=$?; ` +
        `printf '__PDX_%s_%0${EXIT_DIGITS}d__\\n' '${nonce}' "$__pd_rc"; printf '__PDE_%s__\\n' '${nonce}' >&2\n`,
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ExecResult>((resolve) => {
      timer = setTimeout(() => {
        const pending = this.#pending;
        this.#pending = undefined;
        const partial = this.#result(pending, TIMEOUT_EXIT_CODE, true);
        // Resolve once the shell and what it started are gone, so the caller sees the container as it now is.
        void this.close().then(() => resolve(partial));
      }, timeoutMs);
    });
    try {
      return await Promise.race([result, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #onFrame(frame: Frame): void {
    const pending = this.#pending;
    const stream = frame.stream === 'stderr' ? 'stderr' : 'stdout';
    if (!pending) {
      for (const listener of this.#listeners) safeCall(undefined, listener, { stream, data: frame.data.toString('utf8') });
      return;
    }
    (stream === 'stderr' ? pending.err : pending.out).push(frame.data);
    if (!pending.out.complete || !pending.err.complete) return;
    const trailer = pending.out.trailer().toString('latin1');
    const code = Number(trailer.slice(0, EXIT_DIGITS));
    this.#pending = undefined;
    if (!/^\d{3}__\n$/.test(trailer)) {
      pending.reject(new ContainerError('SESSION_PROTOCOL_ERROR', `unexpected marker trailer ${JSON.stringify(trailer)}`));
      return;
    }
    pending.resolve(this.#result(pending, code, false));
  }

  #result(pending: Pending | undefined, exitCode: number, timedOut: boolean): ExecResult {
    const truncated = pending ? pending.out.truncated || pending.err.truncated : false;
    return {
      exitCode,
      stdout: pending ? pending.out.output().toString('utf8') : '',
      stderr: pending ? pending.err.output().toString('utf8') : '',
      durationMs: pending ? performance.now() - pending.started : 0,
      timedOut,
      truncated,
      ok: exitCode === 0 && !timedOut && !truncated,
    };
  }

  #onEof(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.onClose(this);
    }
    this.#failPending('the session shell ended (exit, or the container stopped)');
  }

  #failPending(why: string): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(new ContainerError('SESSION_CLOSED', why));
  }

  #assertOpen(): void {
    if (this.#closed) throw new ContainerError('SESSION_CLOSED', 'the session is closed');
  }
}
