import type { EngineClient } from '@pocketdock/engine-socket';
import { containerError } from '../engine-errors.js';
import { ContainerError } from '../errors.js';
import type { ExecResult } from '../exec-types.js';
import type { ExecHandle } from '../exec/exec-handle.js';
import type { Process } from '../exec/process.js';
import { LifecycleState } from '../lifecycle/lifecycle-state.js';
import { parseOptions, rejected, shutdownOptionsSchema, waitOptionsSchema } from '../options.js';
import type { ResolvedCreateOptions } from '../options.js';
import type { Session } from '../session/session.js';
import { stopById } from '../stop.js';

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
 * @internal The part of {@link Container} every concept builds on: identity, the guards every call passes
 * (`live`: shut down, expired, paused), the open connections, stop and shutdown. The concepts are layered on top
 * as subclasses (exec, files, processes, then lifecycle in `Container` itself); none is public on its own.
 */
export abstract class ContainerCore implements AsyncDisposable {
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
    protected readonly options: ResolvedCreateOptions & ContainerCallbacks,
    protected readonly ownsEngine: boolean,
  ) {
    this.#id = id;
    this.#name = name;
    this.#state = new LifecycleState(
      {
        engine,
        id: () => this.#id,
        name: () => this.#name,
        track: this.track,
        exec: (argv, stdin) => this.execForLifecycle(argv, stdin),
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
      this.dropConnections();
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

  /** The lifeline's fallback channel: a blocking run (defined by the exec layer). */
  protected abstract execForLifecycle(argv: string[], stdin: string): Promise<{ stdout: string }>;

  protected get state(): LifecycleState {
    return this.#state;
  }

  /** A fresh `reboot` replaced the container. */
  protected setIdentity(id: string, name: string): void {
    this.#id = id;
    this.#name = name;
  }

  protected addSession(session: Session): void {
    this.#sessions.add(session);
  }

  protected removeSession(session: Session): void {
    this.#sessions.delete(session);
  }

  protected dropConnections(): void {
    for (const session of this.#sessions) session.abandon();
    this.#sessions.clear();
    for (const handle of this.#handles) handle.destroy();
  }

  protected readonly track = (handle: ExecHandle): (() => void) => {
    this.#handles.add(handle);
    return () => this.#handles.delete(handle);
  };

  /** Shut down, expired or (unless `pausedOk`) paused: the coded error. */
  protected assertLive(pausedOk = false): void {
    if (this.#shutdown) throw new ContainerError('CONTAINER_SHUT_DOWN', `container ${this.name} was shut down`);
    this.#state.assert(pausedOk);
  }

  protected async live<T>(fn: () => Promise<T>, pausedOk = false): Promise<T> {
    this.assertLive(pausedOk);
    try {
      return await fn();
    } catch (err) {
      throw await this.#state.explain(err);
    }
  }
}

/** For removal and stop: a container already gone (or not running) is what we wanted. */
export function ignoreGone(err: unknown): void {
  const e = containerError(err, 'shutdown');
  if (e.code === 'CONTAINER_NOT_FOUND' || e.code === 'CONTAINER_NOT_RUNNING') return;
  throw e;
}
