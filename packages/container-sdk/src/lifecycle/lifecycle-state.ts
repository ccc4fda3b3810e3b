import type { EngineClient } from '@pocketdock/engine-socket';
import { ContainerError } from '../errors.js';
import type { ExecHandle } from '../exec/exec-handle.js';
import { expiredError, expiryOfStopped } from './expiry.js';
import type { ReapSettings } from './expiry.js';
import { freeze } from './freeze.js';
import { Lifeline } from './lifeline.js';
import { LIFELINE_SCRIPT } from './reaper.js';
import type { ExpiryReason } from './reaper.js';
import { removeSnapshotImage } from './snapshots.js';

/** How the state reaches its container: the engine, the current id and name, and an exec for the lifeline's fallback. */
export interface LifecycleHost {
  engine: EngineClient;
  id: () => string;
  name: () => string;
  track: (handle: ExecHandle) => () => void;
  exec: (argv: string[], stdin: string) => Promise<{ stdout: string }>;
}

/**
 * The lifecycle state of one `Container` handle: paused or not, expired (and why), the owner's lifeline, and the
 * fork snapshot to remove with it. `Container` asks it before each call (`assert`) and after a failed one (`explain`).
 */
export class LifecycleState {
  #lifeline: Lifeline | undefined;
  #expired: ExpiryReason | undefined;
  paused = false;
  /** The fork snapshot this sandbox was made from, removed on shutdown. */
  forkSnapshot: string | undefined;

  constructor(
    private readonly host: LifecycleHost,
    private readonly settings: ReapSettings,
  ) {}

  get reaping(): boolean {
    return this.settings.ttlMs !== undefined || this.settings.idleTimeoutMs !== undefined;
  }

  /** Expired, or (unless `pausedOk`) paused: the coded error. */
  assert(pausedOk: boolean): void {
    if (this.#expired) throw expiredError(this.host.name(), this.#expired, this.settings);
    if (this.paused && !pausedOk) throw new ContainerError('CONTAINER_PAUSED', `container ${this.host.name()} is paused: resume() it first`);
  }

  /** A failed call: `CONTAINER_EXPIRED` instead when the container is gone or stopped because its reaper ended it. */
  async explain(err: unknown): Promise<unknown> {
    if (!ContainerError.is(err) || (err.code !== 'CONTAINER_NOT_FOUND' && err.code !== 'CONTAINER_NOT_RUNNING') || !this.reaping) return err;
    const why = this.#expired ?? (await expiryOfStopped(this.host.engine, this.host.id()));
    if (!why) return err;
    this.expire(why);
    return expiredError(this.host.name(), why, this.settings, err);
  }

  expire(why: ExpiryReason): void {
    this.#expired ??= why;
    this.#lifeline?.close();
  }

  async startLifeline(): Promise<void> {
    const lifeline = new Lifeline(this.host.engine, this.host.id, this.host.track, (why) => this.expire(why));
    await lifeline.start();
    this.#lifeline = lifeline;
  }

  /** `k` (keep alive) or `t <s>` (extend the ttl): through the lifeline, else one exec of the same script. */
  async command(line: string): Promise<void> {
    if (!this.reaping || this.#lifeline?.send(line)) return;
    const r = await this.host.exec(['sh', '-c', LIFELINE_SCRIPT, 'pocketdock-lifeline'], `${line}\n`);
    const m = /expired (ttl|idle)/.exec(r.stdout);
    if (m) this.expire(m[1] as ExpiryReason);
    this.assert(false);
  }

  async freeze(on: boolean): Promise<void> {
    await freeze(this.host.engine, this.host.id(), this.host.name(), on);
    this.paused = on;
  }

  /** Before the container is removed or stopped: the lifeline ends, a paused container is thawed (else stop hangs). */
  async beforeShutdown(): Promise<void> {
    this.#lifeline?.close();
    if (this.paused) await this.freeze(false).catch(() => undefined);
  }

  /** After the container was removed: its fork snapshot goes too (still used elsewhere: kept). */
  async afterRemove(): Promise<void> {
    if (this.forkSnapshot) await removeSnapshotImage(this.host.engine, this.forkSnapshot, false).catch(() => undefined);
  }
}
