import { ContainerError } from '../errors.js';
import type { ExecResult, RunOptions } from '../exec-types.js';
import { execSpec } from '../exec/command.js';
import type { Command } from '../exec/command.js';
import type { ExecSpec } from '../exec/exec-handle.js';
import { startStream } from '../exec/exec-stream.js';
import type { ExecStream } from '../exec/exec-stream.js';
import { startDetached } from '../exec/process.js';
import type { Process } from '../exec/process.js';
import { runBlocking } from '../exec/run-blocking.js';
import { parseOptions, runOptionsSchema, sessionOptionsSchema } from '../options.js';
import { Session } from '../session/session.js';
import type { SessionOptions } from '../session/session.js';
import { ContainerCore } from './core.js';

/** @internal Running commands: `run` (blocking, streamed, detached) and shell sessions. Part of {@link Container}. */
export abstract class ContainerExec extends ContainerCore {
  /**
   * Runs a command. Blocking (default): resolves with its {@link ExecResult}. `stream: true`: returns an
   * {@link ExecStream} at once. `detach: true`: resolves with a running {@link Process}.
   *
   * @example
   * const r = await c.run(['printf', '%s', 'no shell: $(x)']);
   * for await (const chunk of c.run('make all', { stream: true })) console.log(chunk.stream, chunk.data);
   * const p = await c.run('./server', { detach: true });
   */
  // `stream` and `detach` exclude each other: `{ stream: true, detach: true }` matches no overload.
  run(cmd: Command, options: RunOptions & { stream: true; detach?: false; encoding: 'buffer' }): ExecStream<Buffer>;
  run(cmd: Command, options: RunOptions & { stream: true; detach?: false }): ExecStream<string>;
  run(cmd: Command, options: RunOptions & { detach: true; stream?: false }): Promise<Process>;
  run(cmd: Command, options?: RunOptions & ({ stream?: false } | { detach?: false })): Promise<ExecResult>;
  run(cmd: Command, options: RunOptions = {}): Promise<ExecResult> | Promise<Process> | ExecStream<string | Buffer> {
    let opts: ReturnType<typeof parseOptions<typeof runOptionsSchema>>;
    let spec: ExecSpec;
    try {
      opts = parseOptions(runOptionsSchema, options, 'run');
      spec = execSpec(cmd, opts, this.options);
    } catch (err) {
      // A stream is returned synchronously, so it throws; the other forms reject.
      if ((options as RunOptions | undefined)?.stream === true || !ContainerError.is(err)) throw err;
      return Promise.reject<ExecResult>(err);
    }
    const track = this.track;
    if (opts.stream) {
      this.assertLive();
      return startStream(this.engine, this.id, spec, {
        timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
        maxOutputBytes: opts.maxOutputBytes,
        encoding: opts.encoding,
        stdin: opts.stdin,
        signal: opts.signal,
      }, track);
    }
    if (opts.detach) {
      return this.live<Process>(async () => {
        const cb = this.options;
        let proc: Process | undefined;
        const both =
          <A extends unknown[]>(own: ((...a: A) => unknown) | undefined, shared: ((...a: [...A, Process]) => unknown) | undefined) =>
          (...a: A): void => {
            own?.(...a);
            if (shared && proc) shared(...a, proc);
          };
        proc = await startDetached(this.engine, this.id, spec, {
          bufferBytes: opts.bufferBytes,
          timeoutMs: opts.timeoutMs,
          stdin: opts.stdin,
          onStdout: both(options.onStdout, cb.onStdout),
          onStderr: both(options.onStderr, cb.onStderr),
          onExit: both(options.onExit, cb.onExit),
          onCallbackError: cb.onCallbackError,
        }, track);
        return proc;
      });
    }
    return this.live<ExecResult>(() =>
      runBlocking(this.engine, this.id, spec, {
        timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
        maxOutputBytes: opts.maxOutputBytes,
        stdin: opts.stdin,
        signal: opts.signal,
      }, track),
    );
  }

  /** Opens a persistent shell session: see {@link Session}. */
  session(options: SessionOptions = {}): Promise<Session> {
    return this.live(async () => {
      const opts = parseOptions(sessionOptionsSchema, options, 'session');
      const session = await Session.open(
        this.engine,
        this.id,
        {
          timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
          ...(opts.maxOutputBytes === undefined ? {} : { maxOutputBytes: opts.maxOutputBytes }),
          env: { ...this.options.env, ...opts.env },
          ...((opts.workdir ?? this.options.workdir) ? { workdir: opts.workdir ?? this.options.workdir } : {}),
          ...((opts.user ?? this.options.user) ? { user: opts.user ?? this.options.user } : {}),
        },
        (s) => this.removeSession(s),
      );
      this.addSession(session);
      return session;
    });
  }

  protected execForLifecycle(argv: string[], stdin: string): Promise<{ stdout: string }> {
    return this.run(argv, { stdin, timeoutMs: this.options.timeoutMs });
  }
}
