import { ContainerError } from './errors.js';
import { containerInfo } from './info.js';
import type { ContainerInfo } from './info.js';
import { forkContainer } from './lifecycle/fork.js';
import type { ForkOptions } from './lifecycle/fork.js';
import type { LifecycleState } from './lifecycle/lifecycle-state.js';
import { rebootContainer } from './lifecycle/reboot.js';
import { commitSnapshot } from './lifecycle/snapshots.js';
import { parseOptions, rebootOptionsSchema, rejected } from './options.js';
import { ContainerProcesses } from './container/processes.js';

export type { Command } from './exec/command.js';
export type { ContainerCallbacks } from './container/core.js';

/** @internal Starts the owner's lifeline (createNewContainer and fork call it). */
export const START_LIFELINE = Symbol('startLifeline');
/** @internal The resolved options (fork copies them) and the fork snapshot to remove on shutdown. */
export const INTERNALS = Symbol('internals');

/**
 * A sandbox: one container, offline by default, with an init process. Make one with `createNewContainer()`;
 * end it with `shutdown()` or `await using`.
 *
 * Every run, stream, detached process and session holds its own engine connection: a long stream never delays
 * another call on the same container.
 *
 * Its methods are grouped by concept in `src/container/` (exec, files, processes; identity, guards and shutdown in
 * `core.ts`); the lifecycle ones are here.
 *
 * @example
 * await using c = await createNewContainer({ image: 'pocketdock/busybox:test', memLimit: '256m' });
 * const r = await c.run('echo hello'); // { exitCode: 0, stdout: 'hello\n', ok: true, ... }
 */
export class Container extends ContainerProcesses {
  /**
   * Status, resources and processes: inspect, then stats (two samples 100 ms apart, for CPU) and the process list
   * in parallel. Works on a stopped container (no resource figures); a removed one is `CONTAINER_NOT_FOUND`.
   */
  info(): Promise<ContainerInfo> {
    return this.live(() => containerInfo(this.engine, this.id), true);
  }

  /**
   * Restarts the sandbox. In place (default): the same container restarted, files kept. `fresh: true`: the
   * container is replaced by a new one with the options it was created with, read back from the engine (so a
   * handle from `openContainer()` works too): image, name, env, main process, limits, network, volumes, devices,
   * ports and labels (files gone; `id` changes). Sessions, streams and detached processes end either way.
   */
  async reboot(options: { fresh?: boolean } = {}): Promise<void> {
    parseOptions(rebootOptionsSchema, options, 'reboot');
    this.assertLive();
    this.dropConnections();
    const next = await rebootContainer(this.engine, { id: this.id, name: this.name }, this.options, options.fresh === true);
    this.setIdentity(next.id, next.name);
  }

  /**
   * Commits the container's file system to an image `ref` (labelled `pocketdock.image=true`, `pocketdock.snapshot=true`,
   * `pocketdock.snapshot-of=<name>`, `labels`, with the container's identity labels blanked); a container created from
   * it sees the files. The container runs on. Returns the image id; `listSnapshots` / `removeSnapshot` manage them.
   */
  async snapshot(ref: string, options: { labels?: Record<string, string> } = {}): Promise<string> {
    return this.live(() => commitSnapshot(this.engine, this.id, { ref, source: this.name, kind: 'user', project: this.options.project, labels: options.labels }));
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
    return this.live(() => forkContainer(this, this.id, this.name, this.options, this.ownsEngine, overrides));
  }

  /** Same as {@link fork}. */
  clone(overrides: ForkOptions = {}): Promise<Container> {
    return this.fork(overrides);
  }

  /**
   * Freezes every process of the sandbox (the engine's cgroup freezer): no CPU until `resume()`. While paused, calls
   * that need it running (run, session, files, fork, keepAlive...) fail with `CONTAINER_PAUSED`; what already runs
   * (a stream, a detached process, a session) just stalls and goes on after `resume()`. `info()`, `stop()` and
   * `shutdown()` work.
   */
  async pause(): Promise<void> {
    this.assertLive(true);
    await this.state.freeze(true);
  }

  /** Thaws a paused sandbox (not paused: nothing to do). */
  async resume(): Promise<void> {
    this.assertLive(true);
    await this.state.freeze(false);
  }

  /**
   * Counts as activity for `idleTimeoutMs` now (the owner's lifeline already does while this client lives; another
   * client, or one created with `keepAlive: false`, calls this). Not self-reaping: nothing to do.
   */
  keepAlive(): Promise<void> {
    return this.live(() => this.state.command('k'));
  }

  /** Pushes the `ttlMs` deadline `ms` further (whole seconds, rounded up). No `ttlMs`: `CONTAINER_INVALID_OPTIONS`. */
  extendTtl(ms: number): Promise<void> {
    if (this.options.ttlMs === undefined) return rejected(new ContainerError('CONTAINER_INVALID_OPTIONS', `extendTtl: container ${this.name} has no ttlMs`));
    if (!Number.isSafeInteger(ms) || ms <= 0) return rejected(new ContainerError('CONTAINER_INVALID_OPTIONS', `extendTtl: ms must be a positive integer, not ${String(ms)}`));
    return this.live(() => this.state.command(`t ${Math.ceil(ms / 1000)}`));
  }

  /** @internal */
  [START_LIFELINE](): Promise<void> {
    return this.state.startLifeline();
  }

  /** @internal */
  get [INTERNALS](): LifecycleState {
    return this.state;
  }
}
