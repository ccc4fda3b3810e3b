import type { Readable } from 'node:stream';
import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from './engine-errors.js';
import { containerName } from './engine-names.js';
import { stopById } from './stop.js';
import { ContainerError } from './errors.js';
import type { ExecResult, RunOptions } from './exec-types.js';
import type { ExecHandle, ExecSpec } from './exec/exec-handle.js';
import { startStream } from './exec/exec-stream.js';
import type { ExecStream } from './exec/exec-stream.js';
import { startDetached } from './exec/process.js';
import type { Process } from './exec/process.js';
import { runBlocking } from './exec/run-blocking.js';
import { execSpec } from './exec/command.js';
import type { Command } from './exec/command.js';
import { parseOptions, rebootOptionsSchema, rejected, runOptionsSchema, sessionOptionsSchema, shutdownOptionsSchema, waitOptionsSchema } from './options.js';
import type { ResolvedCreateOptions } from './options.js';
import { listFiles, readFile, readFileStream, writeFile } from './files/files.js';
import type { FileEntry, ReadFileOptions, WriteFileOptions } from './files/files.js';
import { pull, push } from './files/host-copy.js';
import type { PullOptions } from './files/host-copy.js';
import { create } from './create-container.js';
import { splitRef } from './image-ref.js';
import { containerInfo } from './info.js';
import { LABELS } from './labels.js';
import type { ContainerInfo } from './info.js';
import { Session } from './session/session.js';
import type { SessionOptions } from './session/session.js';

export type { Command } from './exec/command.js';

/** Container-wide callbacks for detached processes (in addition to each run's own). */
export interface ContainerCallbacks {
  onStdout?: (data: string, process: Process) => void;
  onStderr?: (data: string, process: Process) => void;
  onExit?: (result: ExecResult, process: Process) => void;
  /**
   * Receives any exception a callback throws (it never breaks the stream or other callbacks). Default: a process
   * warning of type `PocketdockCallbackError`.
   */
  onCallbackError?: (err: unknown) => void;
}

/**
 * A sandbox: one container, offline by default, with an init process. Make one with `createNewContainer()`;
 * end it with `shutdown()` or `await using`.
 *
 * Every run, stream, detached process and session holds its own engine connection: a long stream never delays
 * another call on the same container.
 *
 * @example
 * await using c = await createNewContainer({ image: 'pocketdock/busybox:test', memLimit: '256m' });
 * const r = await c.run('echo hello'); // { exitCode: 0, stdout: 'hello\n', ok: true, ... }
 */
export class Container implements AsyncDisposable {
  readonly #handles = new Set<ExecHandle>();
  readonly #sessions = new Set<Session>();
  #shutdown: Promise<void> | undefined;
  #id: string;
  #name: string;

  /** @internal use `createNewContainer()` */
  constructor(
    /** The engine client this container talks through. */
    readonly engine: EngineClient,
    id: string,
    name: string,
    private readonly options: ResolvedCreateOptions & ContainerCallbacks,
    private readonly ownsEngine: boolean,
  ) {
    this.#id = id;
    this.#name = name;
  }

  /** The engine's container id (a fresh `reboot` gives a new one). */
  get id(): string {
    return this.#id;
  }

  /** The engine's container name, no leading `/`. */
  get name(): string {
    return this.#name;
  }

  /** The image the container was created from. */
  get image(): string {
    return this.options.image;
  }

  /** Whether `shutdown()` stops (true) or removes (false) the container. */
  get persist(): boolean {
    return this.options.persist;
  }

  /**
   * Runs a command. Blocking (default): resolves with its {@link ExecResult}. `stream: true`: returns an
   * {@link ExecStream} at once. `detach: true`: resolves with a running {@link Process}.
   *
   * @example
   * const r = await c.run(['printf', '%s', 'no shell: $(x)']);
   * for await (const chunk of c.run('make all', { stream: true })) console.log(chunk.stream, chunk.data);
   * const p = await c.run('./server', { detach: true });
   */
  run(cmd: Command, options: RunOptions & { stream: true; encoding: 'buffer' }): ExecStream<Buffer>;
  run(cmd: Command, options: RunOptions & { stream: true }): ExecStream<string>;
  run(cmd: Command, options: RunOptions & { detach: true }): Promise<Process>;
  run(cmd: Command, options?: RunOptions): Promise<ExecResult>;
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
    const track = this.#track;
    if (opts.stream) {
      this.#assertLive();
      return startStream(this.engine, this.id, spec, {
        timeoutMs: opts.timeoutMs ?? this.options.timeoutMs,
        maxOutputBytes: opts.maxOutputBytes,
        encoding: opts.encoding,
        stdin: opts.stdin,
        signal: opts.signal,
      }, track);
    }
    if (opts.detach) {
      return this.#live<Process>(async () => {
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
    return this.#live<ExecResult>(() =>
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
    return this.#live(async () => {
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
        (s) => this.#sessions.delete(s),
      );
      this.#sessions.add(session);
      return session;
    });
  }

  /**
   * Writes a file, creating missing parent directories; `data` may be a string (UTF-8), a Buffer or a Readable
   * (streamed). Goes through the engine's archive endpoint: no shell command is built from the path.
   *
   * @example
   * await c.writeFile('/work/run.sh', '#!/bin/sh
echo hi
', { mode: 0o755 });
   */
  writeFile(path: string, data: string | Buffer | Readable, options: WriteFileOptions = {}): Promise<void> {
    return this.#live(() => writeFile(this.engine, this.id, path, data, options));
  }

  /**
   * A file's content, at most `maxBytes` (default 64 MiB; larger: `FILE_TOO_LARGE`, use `readFileStream`). Missing:
   * `FILE_NOT_FOUND`; a directory: `FILE_IS_DIRECTORY`. Symlinks are followed.
   */
  readFile(path: string, options: ReadFileOptions = {}): Promise<Buffer> {
    return this.#live(() => readFile(this.engine, this.id, path, options));
  }

  /** A file's content as a stream (bounded memory for any size); errors arrive as the stream's error. */
  readFileStream(path: string): Readable {
    this.#assertLive();
    return readFileStream(this.engine, this.id, path);
  }

  /** The entries directly inside a directory: `{ name, nameBytes, type, size, mode, mtime }`, sorted by name. */
  listFiles(path: string): Promise<FileEntry[]> {
    return this.#live(() => listFiles(this.engine, this.id, path));
  }

  /** Copies a host file or directory into the container at `containerDest` (its full new path). */
  push(hostSrc: string, containerDest: string): Promise<void> {
    return this.#live(() => push(this.engine, this.id, hostSrc, containerDest));
  }

  /**
   * Copies a container file or directory to `hostDest` (its full new path) on the host. Never writes through a
   * symlink at or below `hostDest` (one in the way is replaced); setuid/setgid/sticky bits are cleared unless
   * `preserveSpecialBits`; files belong to the user running this process.
   */
  pull(containerSrc: string, hostDest: string, options: PullOptions = {}): Promise<void> {
    return this.#live(() => pull(this.engine, this.id, containerSrc, hostDest, options));
  }

  /**
   * Status, resources and processes: inspect, then stats (two samples 100 ms apart, for CPU) and the process list
   * in parallel. Works on a stopped container (no resource figures); a removed one is `CONTAINER_NOT_FOUND`.
   */
  info(): Promise<ContainerInfo> {
    return this.#live(() => containerInfo(this.engine, this.id));
  }

  /**
   * Restarts the sandbox. In place (default): the same container restarted, files kept. `fresh: true`: the
   * container is replaced by a new one from the same image with the same limits, env, volumes, devices, ports and
   * labels (files gone; `id` changes, and `name` too unless one was given). Sessions, streams and detached
   * processes end either way.
   */
  async reboot(options: { fresh?: boolean } = {}): Promise<void> {
    parseOptions(rebootOptionsSchema, options, 'reboot');
    this.#assertLive();
    this.#dropConnections();
    if (!options.fresh) {
      const t = Math.ceil(this.options.stopTimeoutMs / 1000);
      try {
        await this.engine.json({ method: 'POST', path: `/containers/${this.#id}/restart`, query: { t }, timeoutMs: (t + 30) * 1000 });
      } catch (err) {
        throw containerError(err, `reboot ${this.#name}`);
      }
      return;
    }
    try {
      // The old one goes first: a fixed `name` is then free for the new one.
      await this.engine.json({ method: 'DELETE', path: `/containers/${this.#id}`, query: { force: true, v: true } }).catch(ignoreGone);
      const id = await create(this.engine, this.options);
      await this.engine.json({ method: 'POST', path: `/containers/${id}/start` });
      const info = await this.engine.json<{ Name: string }>({ path: `/containers/${id}/json` });
      this.#id = id;
      this.#name = containerName(info.Name);
    } catch (err) {
      throw containerError(err, `reboot ${this.#name} (fresh)`);
    }
  }

  /**
   * Commits the container's file system to an image `ref` (labelled `pocketdock.image=true`, with the container's
   * identity labels blanked); a container created from it sees the files. Returns the image id.
   */
  async snapshot(ref: string): Promise<string> {
    this.#assertLive();
    const { repo, tag } = splitRef(ref);
    try {
      // The image must not claim to be a managed container: containers made from it would inherit the labels.
      const changes = [`LABEL ${LABELS.image}=true`, ...[LABELS.managed, LABELS.instance, LABELS.persist, LABELS.createdAt].map((l) => `LABEL ${l}=""`)];
      // Podman wants a JSON body (the container config to merge), even an empty one.
      const res = await this.engine.json<{ Id: string }>({ method: 'POST', path: '/commit', query: { container: this.#id, repo, tag, pause: true, changes }, body: {} });
      return res.Id;
    } catch (err) {
      throw containerError(err, `snapshot ${this.#name} as ${ref}`);
    }
  }

  /** Stops the container (it is kept); runs on it then fail with `CONTAINER_NOT_RUNNING`. */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    parseOptions(waitOptionsSchema, options, 'stop');
    await stopById(this.engine, this.id, options.timeoutMs ?? this.options.stopTimeoutMs, `stop ${this.name}`);
  }

  /**
   * Ends the sandbox: closes sessions, streams and detached processes, then removes the container (or, with
   * `persist`, stops it). `force` kills at once instead of a graceful stop. Idempotent; the container is gone (or
   * stopped) when it resolves, and the engine client is closed if the container opened it.
   */
  shutdown(options: { force?: boolean } = {}): Promise<void> {
    try {
      parseOptions(shutdownOptionsSchema, options, 'shutdown');
    } catch (err) {
      return rejected(err);
    }
    this.#shutdown ??= (async () => {
      // Removing or stopping the container ends every process in it: drop the connections, no kill execs needed.
      this.#dropConnections();
      try {
        if (this.options.persist) {
          if (options.force) await this.engine.json({ method: 'POST', path: `/containers/${this.id}/kill` }).catch(ignoreGone);
          else await this.stop().catch(ignoreGone);
        } else {
          await this.engine
            .json({ method: 'DELETE', path: `/containers/${this.id}`, query: { force: true, v: true } })
            .catch(ignoreGone);
        }
      } finally {
        if (this.ownsEngine) await this.engine.close();
      }
    })();
    return this.#shutdown;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #dropConnections(): void {
    for (const session of this.#sessions) session.abandon();
    this.#sessions.clear();
    for (const handle of this.#handles) handle.destroy();
  }

  readonly #track = (handle: ExecHandle): (() => void) => {
    this.#handles.add(handle);
    return () => this.#handles.delete(handle);
  };

  #assertLive(): void {
    if (this.#shutdown) throw new ContainerError('CONTAINER_SHUT_DOWN', `container ${this.name} was shut down`);
  }

  async #live<T>(fn: () => Promise<T>): Promise<T> {
    this.#assertLive();
    return fn();
  }
}

function ignoreGone(err: unknown): void {
  const e = containerError(err, 'shutdown');
  if (e.code === 'CONTAINER_NOT_FOUND' || e.code === 'CONTAINER_NOT_RUNNING') return;
  throw e;
}
