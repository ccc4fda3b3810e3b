import { EventEmitter } from 'node:events';
import { listContainers } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { removeFlowFiles } from './create-flow.js';
import { EngineEventFollower } from './engine-events.js';
import type { ContainerEvent } from './engine-events.js';
import { inspect } from './engine-inspect.js';
import { FlowManagerError } from './errors.js';
import type { FlowCode } from './flow-code.js';
import { LABEL_INSTANCE, LABEL_SOCKET_KEY, projectOf } from './labels.js';
import type { ContainerHealth, ContainerStatus } from './models.js';
import { applyEvent, applyInspect, recordFrom, toStatus } from './records.js';
import type { FlowRecord } from './records.js';
import { resolveRef } from './resolve-ref.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import type { StateStore } from './state-store.js';
import type { SystemLogger } from './system-logger.js';
import { toFlowError } from './to-flow-error.js';
import { sampleUsage } from './usage.js';
import type { UserActivityLogger } from './user-activity-logger.js';

export interface RegistryOptions {
  engine: EngineClient;
  sockets: SocketCommunicationHandler;
  activity: UserActivityLogger;
  logger: SystemLogger;
  code: FlowCode;
  state: StateStore;
  instance: string;
}

type DieWatcher = (timeMs: number, exitCode: number | undefined) => void;

/**
 * What the flow-manager knows about its containers, kept current by the engine's event stream (and, after the
 * stream or the service was down, by listing and inspecting them again). Emits `status` whenever a container's
 * status changes; reports runs that ended by themselves (activity, log, state file), once.
 */
export class FlowRegistry extends EventEmitter<{ status: [ContainerStatus] }> {
  readonly #o: RegistryOptions;
  readonly #records = new Map<string, FlowRecord>();
  /** Events for ids not registered yet (a create in flight), applied when they are. */
  readonly #early = new Map<string, ContainerEvent[]>();
  readonly #dieWatchers = new Map<string, Set<DieWatcher>>();
  readonly #events: EngineEventFollower;
  #closed = false;
  /** A container's health by its health checks, when it has them (the monitoring's); it wins while the container runs. */
  healthOf: ((id: string) => ContainerHealth | undefined) | undefined;

  constructor(options: RegistryOptions) {
    super();
    this.#o = options;
    this.#events = new EngineEventFollower({
      engine: options.engine,
      label: `${LABEL_INSTANCE}=${options.instance}`,
      onEvent: (e) => this.#onEvent(e),
      onResync: () => this.#resync(),
      onError: (err) => options.logger.warn({ err }, 'engine event stream broke; reopening'),
    });
  }

  /** Follows the engine's events; resolves once this instance's containers are recovered. */
  start(): Promise<void> {
    return this.#events.start();
  }

  /** No new registrations from now on (a create in flight then removes its container). */
  close(): void {
    this.#closed = true;
  }

  stopFollowing(): Promise<void> {
    return this.#events.stop();
  }

  get size(): number {
    return this.#records.size;
  }

  values(): IterableIterator<FlowRecord> {
    return this.#records.values();
  }

  has(id: string): boolean {
    return this.#records.has(id);
  }

  get(ref: string): FlowRecord {
    return resolveRef(this.#records, ref);
  }

  /** Drops a record without the cleanup (a create that failed after registering cleans up itself). */
  drop(id: string): void {
    this.#records.delete(id);
  }

  status(r: FlowRecord): ContainerStatus {
    const status = toStatus(r, this.#o.sockets.isSocketConnected(r.id), this.#o.sockets.lastCommunication(r.id));
    const checked = status.state === 'running' ? this.healthOf?.(r.id) : undefined;
    if (checked !== undefined) status.health = checked;
    return status;
  }

  statusOf(id: string): ContainerStatus | undefined {
    const r = this.#records.get(id);
    return r ? this.status(r) : undefined;
  }

  push(r: FlowRecord): ContainerStatus {
    const status = this.status(r);
    this.emit('status', status);
    return status;
  }

  setStopped(r: FlowRecord, stopped: boolean): void {
    if (r.stoppedByUs === stopped) return;
    r.stoppedByUs = stopped;
    this.persist(r);
  }

  persist(r: FlowRecord): void {
    this.#o.state
      .writeFlow(r.key, { stoppedByUs: r.stoppedByUs, reportedEndMs: r.reportedEndMs, codePath: r.codePath })
      .catch((err: unknown) => this.#o.logger.warn({ err, container_id: r.id }, 'could not save the flow state'));
  }

  /** Reads the container's state from the engine (a run that ended unseen is reported); gone: forgotten. */
  async refreshState(r: FlowRecord): Promise<void> {
    try {
      const asOf = Date.now();
      const outcome = applyInspect(r, await inspect(this.#o.engine, r.id), asOf);
      if (outcome) this.#ended(r, outcome);
    } catch (err) {
      const e = toFlowError(err, 'inspect');
      if (e.code === 'FM_CONTAINER_NOT_FOUND') await this.forget(r);
      else throw e;
    }
  }

  /** Registers a container of this instance (its socket set up); a run that ended while nobody listened is reported. */
  async register(id: string): Promise<FlowRecord> {
    const asOf = Date.now();
    const i = await inspect(this.#o.engine, id);
    const persisted = await this.#o.state.readFlow(i.Config.Labels?.[LABEL_SOCKET_KEY] ?? '');
    const record = recordFrom(i, persisted, asOf);
    const outcome = applyInspect(record, i, asOf);
    // Stopped meanwhile: no socket server may outlive close() (a create then removes its container).
    if (this.#closed) throw new FlowManagerError('FM_SHUTTING_DOWN', 'the flow-manager is stopping');
    await this.#o.sockets.setupSocket(record.id, record.key);
    this.#records.set(record.id, record);
    if (outcome) this.#ended(record, outcome);
    for (const e of this.#early.get(record.id) ?? []) this.#onEvent(e);
    this.#early.delete(record.id);
    return record;
  }

  /** Drops a removed container: its socket, code and state, then the last push. Everyone asking waits for the same cleanup. */
  forget(r: FlowRecord): Promise<void> {
    r.forgotten ??= (async () => {
      this.#records.delete(r.id);
      r.state = 'removing';
      await removeFlowFiles(this.#o, r.key, r.id);
      this.#o.activity.record({ container_id: r.id, name: r.name, type: 'deleted', message: `${r.name} deleted` });
      this.emit('status', { ...this.status(r), state: 'removing', socket_connected: false });
      this.#o.activity.forget(r.id);
    })();
    return r.forgotten;
  }

  /** A resource sample (one at a time per container; failures are logged at debug level). */
  sample(r: FlowRecord): Promise<void> {
    r.usageRefresh ??= sampleUsage(r, this.#o.engine)
      .catch((err: unknown) => this.#o.logger.debug({ err, container_id: r.id }, 'resource sample failed'))
      .finally(() => (r.usageRefresh = undefined));
    return r.usageRefresh;
  }

  /** Calls `fn` for each `die` event of container `id` (with the event's own time) until the returned function is called. */
  watchDie(id: string, fn: DieWatcher): () => void {
    const set = this.#dieWatchers.get(id) ?? new Set();
    set.add(fn);
    this.#dieWatchers.set(id, set);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#dieWatchers.delete(id);
    };
  }

  /** A run that ended by itself: logged, in the activity, and remembered as reported (also by a successor). */
  #ended(r: FlowRecord, outcome: 'crashed' | 'exited'): void {
    this.#o.logger.warn({ container_id: r.id, exit_code: r.exitCode }, `flow ${outcome}`);
    this.#o.activity.record({ container_id: r.id, name: r.name, type: outcome, message: `${r.name} ${outcome} (exit code ${r.exitCode ?? 'unknown'})` });
    this.persist(r);
  }

  /** After the event stream was down: refreshes a known container and pushes what changed meanwhile, as its events would have. */
  async #catchUp(r: FlowRecord): Promise<void> {
    const facts = (): string => `${r.state} ${r.exitCode} ${r.crashed} ${r.startedAt?.getTime()}`;
    const before = facts();
    await this.refreshState(r);
    if (this.#records.has(r.id) && facts() !== before) this.push(r);
  }

  /** After (re)connecting to the event stream: register what is new, update what changed, forget what is gone. */
  async #resync(): Promise<void> {
    // container-sdk's listing: managed containers of this instance's project, re-filtered on our side too.
    const list = await listContainers({ engine: this.#o.engine, project: projectOf(this.#o.instance) });
    const seen = new Set<string>();
    for (const c of list) {
      if (c.labels[LABEL_INSTANCE] !== this.#o.instance) continue;
      seen.add(c.id);
      const known = this.#records.get(c.id);
      try {
        if (known) await this.#catchUp(known);
        else {
          const r = await this.register(c.id);
          this.#o.logger.info({ container_id: r.id, name: r.name, state: r.state }, 'recovered container');
        }
      } catch (err) {
        this.#o.logger.warn({ err, container_id: c.id }, 'could not recover container');
      }
    }
    for (const r of [...this.#records.values()]) if (!seen.has(r.id)) await this.forget(r);
  }

  #onEvent(e: ContainerEvent): void {
    const r = this.#records.get(e.id);
    if (!r) {
      const early = this.#early.get(e.id) ?? [];
      early.push(e);
      this.#early.set(e.id, early.slice(-10));
      if (this.#early.size > 100) this.#early.delete(this.#early.keys().next().value!);
      return;
    }
    if (e.action === 'die') for (const fn of this.#dieWatchers.get(e.id) ?? []) fn(e.timeMs || Date.now(), e.exitCode);
    const stopped = r.stoppedByUs;
    const outcome = applyEvent(r, e);
    if (outcome === 'gone') {
      void this.forget(r);
      return;
    }
    if (outcome === 'crashed' || outcome === 'exited') this.#ended(r, outcome);
    else if (r.stoppedByUs !== stopped) this.persist(r);
    if (outcome !== 'ignored') this.push(r);
  }
}
