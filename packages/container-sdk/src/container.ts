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
import { containerInfo } from './info.js';
import type { ContainerInfo } from './info.js';
import { forkContainer } from './lifecycle/fork.js';
import type { ForkOptions } from './lifecycle/fork.js';
import { LifecycleState } from './lifecycle/lifecycle-state.js';
import { commitSnapshot } from './lifecycle/snapshots.js';
import { Session } from './session/session.js';
import type { SessionOptions } from './session/session.js';
import { ProcessAttachment } from './processes/attachment.js';
import type { AttachOptions } from './processes/attachment.js';
import { killProcess, listProcesses, removeProcess, spawnProcess, waitProcess } from './processes/supervised.js';
import type { ProcessHost, ProcessInfo, SpawnOptions } from './processes/supervised.js';
import { FileWatch } from './watch.js';
import type { WatchOptions } from './watch.js';

export type { Command } from './exec/command.js';

/** @internal Starts the owner's lifeline (createNewContainer and fork call it). */
export const START_LIFELINE = Symbol('startLifeline');
/** @internal The resolved options (fork copies them) and the fork snapshot to remove on shutdown. */
export const INTERNALS = Symbol('internals');

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
  readonly #state: LifecycleState;
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
    this.#state = new LifecycleState(
      {
        engine,
        id: () => this.#id,
        name: () => this.#name,
        track: this.#track,
        exec: (argv, stdin) => this.run(argv, { stdin, timeoutMs: options.timeoutMs }),
      },
      options,
    );
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
    return this.#live(() => containerInfo(this.engine, this.id), true);
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
   * Commits the container's file system to an image `ref` (labelled `pocketdock.image=true`, `pocketdock.snapshot=true`,
   * `pocketdock.snapshot-of=<name>`, `labels`, with the container's identity labels blanked); a container created from
   * it sees the files. The container runs on. Returns the image id; `listSnapshots` / `removeSnapshot` manage them.
   */
  async snapshot(ref: string, options: { labels?: Record<string, string> } = {}): Promise<string> {
    return this.#live(() => commitSnapshot(this.engine, this.#id, { ref, source: this.#name, kind: 'user', project: this.options.project, labels: options.labels }));
  }

  /**
   * A new sandbox from this one's current file system (a snapshot underneath, removed with the fork), with the same
   * options (not its `name`) and `overrides` on top; this one keeps running. Processes and memory are not copied.
   *
   * @example
   * await c.run('make deps');
   * await using child = await c.fork({ memLimit: '512m' });
   */
  fork(overrides: ForkOptions = {}): Promise<Container> {
    return this.#live(() => forkContainer(this, this.#id, this.#name, this.options, this.ownsEngine, overrides));
  }

  /** Same as {@link fork}. */
  clone(overrides: ForkOptions = {}): Promise<Container> {
    return this.fork(overrides);
  }

  /**
   * Starts `cmd` under a supervisor inside the container that keeps its output (at most `maxOutputBytes`, oldest
   * dropped first) and exit status: it outlives this client, and any client (`openContainer(name)`) can list it,
   * `attach`, `killProcess` or `waitProcess` it. Resolves once it runs. See the README, "Supervised processes".
   *
   * @example
   * const { id } = await c.spawn('./train.sh', { maxOutputBytes: 4 * 1024 * 1024 });
   * // later, from any process: const a = await (await openContainer(name)).attach(id, { offset: 0 });
   */
  spawn(cmd: Command, options: SpawnOptions = {}): Promise<ProcessInfo> {
    return this.#live(() => spawnProcess(this.#processHost(), cmd, options));
  }

  /** The supervised processes of this container (running, exited, lost), oldest first. */
  processes(): Promise<ProcessInfo[]> {
    return this.#live(() => listProcesses(this.#processHost()));
  }

  /** Replays a supervised process's output from `offset`, then follows it: see {@link ProcessAttachment}. */
  attach(id: string, options: AttachOptions = {}): Promise<ProcessAttachment> {
    return this.#live(() => ProcessAttachment.open(this.#processHost(), id, options));
  }

  /** Signals a supervised process's group (default KILL). Already ended: nothing to do. */
  killProcess(id: string, signal = 'KILL'): Promise<void> {
    return this.#live(() => killProcess(this.#processHost(), id, signal));
  }

  /** Waits for a supervised process to end: its exit status (`CONTAINER_WAIT_TIMEOUT` after `timeoutMs`). */
  waitProcess(id: string, options: { timeoutMs?: number } = {}): Promise<{ exitCode: number }> {
    return this.#live(() => waitProcess(this.#processHost(), id, options));
  }

  /** Forgets an ended supervised process (its kept output goes); still running: `PROCESS_RUNNING`. */
  removeProcess(id: string): Promise<void> {
    return this.#live(() => removeProcess(this.#processHost(), id));
  }

  /**
   * File events (create, modify, delete, rename) under `path` inside the sandbox: see {@link FileWatch}.
   *
   * @example
   * for await (const e of await c.watch('/work', { recursive: true })) console.log(e.type, e.path);
   */
  watch(path: string, options: WatchOptions = {}): Promise<FileWatch> {
    return this.#live(() => FileWatch.open(this.engine, this.#id, path, options, this.#track));
  }

  #processHost(): ProcessHost {
    return { engine: this.engine, containerId: () => this.#id, track: this.#track, timeoutMs: this.options.timeoutMs, defaults: this.options };
  }

  /**
   * Freezes every process of the sandbox (the engine's cgroup freezer): no CPU until `resume()`. While paused, calls
   * that need it running (run, session, files, fork, keepAlive...) fail with `CONTAINER_PAUSED`; what already runs
   * (a stream, a detached process, a session) just stalls and goes on after `resume()`. `info()`, `stop()` and
   * `shutdown()` work.
   */
  async pause(): Promise<void> {
    this.#assertLive(true);
    await this.#state.freeze(true);
  }

  /** Thaws a paused sandbox (not paused: nothing to do). */
  async resume(): Promise<void> {
    this.#assertLive(true);
    await this.#state.freeze(false);
  }

  /**
   * Counts as activity for `idleTimeoutMs` now (the owner's lifeline already does while this client lives; another
   * client, or one created with `keepAlive: false`, calls this). Not self-reaping: nothing to do.
   */
  keepAlive(): Promise<void> {
    return this.#live(() => this.#state.command('k'));
  }

  /** Pushes the `ttlMs` deadline `ms` further (whole seconds, rounded up). No `ttlMs`: `CONTAINER_INVALID_OPTIONS`. */
  extendTtl(ms: number): Promise<void> {
    if (this.options.ttlMs === undefined) return rejected(new ContainerError('CONTAINER_INVALID_OPTIONS', `extendTtl: container ${this.#name} has no ttlMs`));
    if (!Number.isSafeInteger(ms) || ms <= 0) return rejected(new ContainerError('CONTAINER_INVALID_OPTIONS', `extendTtl: ms must be a positive integer, not ${String(ms)}`));
    return this.#live(() => this.#state.command(`t ${Math.ceil(ms / 1000)}`));
  }

  /** @internal */
  [START_LIFELINE](): Promise<void> {
    return this.#state.startLifeline();
  }

  /** @internal */
  get [INTERNALS](): LifecycleState {
    return this.#state;
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
        await this.#state.beforeShutdown();
        if (this.options.persist) {
          if (options.force) await this.engine.json({ method: 'POST', path: `/containers/${this.id}/kill` }).catch(ignoreGone);
          else await this.stop().catch(ignoreGone);
        } else {
          await this.engine
            .json({ method: 'DELETE', path: `/containers/${this.id}`, query: { force: true, v: true } })
            .catch(ignoreGone);
          await this.#state.afterRemove();
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

  /** Shut down, expired or (unless `pausedOk`) paused: the coded error. */
  #assertLive(pausedOk = false): void {
    if (this.#shutdown) throw new ContainerError('CONTAINER_SHUT_DOWN', `container ${this.name} was shut down`);
    this.#state.assert(pausedOk);
  }

  async #live<T>(fn: () => Promise<T>, pausedOk = false): Promise<T> {
    this.#assertLive(pausedOk);
    try {
      return await fn();
    } catch (err) {
      throw await this.#state.explain(err);
    }
  }
}

function ignoreGone(err: unknown): void {
  const e = containerError(err, 'shutdown');
  if (e.code === 'CONTAINER_NOT_FOUND' || e.code === 'CONTAINER_NOT_RUNNING') return;
  throw e;
}
