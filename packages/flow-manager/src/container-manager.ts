import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createNewContainer, destroyContainer, listContainers, openContainer, resumeContainer, stopContainer } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { FLOW_SOCKET_DIR } from '@pocketdock/flow-runtime';
import { allowedPath } from './allowed-paths.js';
import { EngineEventFollower } from './engine-events.js';
import type { ContainerEvent } from './engine-events.js';
import { inspect, startedAt } from './engine-inspect.js';
import { FlowManagerError, payloadError } from './errors.js';
import { containerConfigSchema } from './models.js';
import type { ContainerConfig, ContainerInfo, ContainerStatus } from './models.js';
import { applyEvent, endedOnItsOwn, recordFrom, stateOf, toInfo, toStatus } from './records.js';
import { resolveVolumes } from './resolve-volumes.js';
import { sampleUsage } from './usage.js';
import type { FlowRecord, Intent } from './records.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import type { SystemLogger } from './system-logger.js';
import { toFlowError } from './to-flow-error.js';
import type { UserActivityLogger } from './user-activity-logger.js';
import { LABEL_ENV_KEYS, LABEL_INSTANCE, LABEL_SOCKET_KEY, projectOf } from './labels.js';

export interface ContainerManagerOptions {
  engine: EngineClient;
  sockets: SocketCommunicationHandler;
  activity: UserActivityLogger;
  logger: SystemLogger;
  /** This flow-manager's name: its containers carry `pocketdock.flow-manager=<instance>`. */
  instance: string;
  /** Host directories that volumes and code paths may come from. */
  allowedRoots: string[];
  /** Allow `mode: 'rw'` volumes (default: read-only only). */
  allowWritableVolumes: boolean;
  maxContainers: number;
  /** Used when a payload has no `image`. */
  defaultImage: string | undefined;
  /** Used when a payload has no `command` (the flow image's own default too). */
  defaultCommand: string[];
  /** Labels added to every container (on top of the flow-manager's own). */
  labels: Record<string, string>;
  /** Engine network of flow containers; `none` keeps them offline. */
  network: string;
  stopTimeoutMs: number;
  /** Resource usage older than this is refreshed (in the background) when a status is asked for. */
  statsMaxAgeMs: number;
}

/**
 * The containers this flow-manager manages (label `pocketdock.flow-manager=<instance>`), nothing else: every id
 * is checked against its own registry, which the engine's event stream keeps current. Emits `status` whenever a
 * container's status changes.
 */
export class ContainerManager extends EventEmitter<{ status: [ContainerStatus] }> {
  readonly #o: ContainerManagerOptions;
  readonly #records = new Map<string, FlowRecord>();
  /** Events for ids not registered yet (a create in flight), applied when they are. */
  readonly #early = new Map<string, ContainerEvent[]>();
  readonly #events: EngineEventFollower;
  #creating = 0;
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: ContainerManagerOptions) {
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

  /** Follows the engine's events and recovers the containers this instance manages (their sockets included). */
  async start(): Promise<void> {
    await this.#events.start();
  }

  /** Stops following events and closes every socket server. Containers keep running (a restart recovers them). */
  async close(): Promise<void> {
    this.#closed = true;
    // Creates in flight finish (registering nothing: the container is removed again) while the engine is still open.
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    await this.#events.stop();
    await this.#o.sockets.close();
  }

  get size(): number {
    return this.#records.size;
  }

  /** Creates and starts a flow container; its socket is ready when this resolves. */
  createContainer(config: ContainerConfig): Promise<ContainerInfo> {
    const op = this.#create(config);
    this.#inflight.add(op);
    void op.finally(() => this.#inflight.delete(op)).catch(() => undefined);
    return op;
  }

  async #create(config: ContainerConfig): Promise<ContainerInfo> {
    this.#assertOpen();
    const parsed = containerConfigSchema.safeParse(config);
    if (!parsed.success) throw payloadError(parsed.error.issues);
    const c = parsed.data;
    const image = c.image ?? this.#o.defaultImage;
    if (image === undefined) throw new FlowManagerError('FM_INVALID_PAYLOAD', 'image: required (this flow-manager has no defaultImage)', { details: { field: 'image' } });
    if (this.#records.size + this.#creating >= this.#o.maxContainers) {
      throw new FlowManagerError('FM_CONTAINER_LIMIT', `this flow-manager already manages ${this.#o.maxContainers} containers (maxContainers); delete one first`, {
        details: { max_containers: this.#o.maxContainers },
      });
    }
    this.#creating++;
    try {
      const volumes = await resolveVolumes(c.volumes, this.#o.allowedRoots, this.#o.allowWritableVolumes);
      const key = randomBytes(8).toString('hex');
      const mountDir = await this.#o.sockets.mountDir(key);
      volumes[mountDir] = { path: FLOW_SOCKET_DIR, readOnly: false };
      const command = c.command === undefined ? this.#o.defaultCommand : typeof c.command === 'string' ? ['sh', '-c', c.command] : c.command;
      let handle: Awaited<ReturnType<typeof createNewContainer>> | undefined;
      try {
        handle = await createNewContainer({
          engine: this.#o.engine,
          image,
          ...(c.name ? { name: c.name } : {}),
          env: c.environment,
          volumes,
          ports: c.ports,
          command,
          ...(c.working_dir ? { workdir: c.working_dir } : {}),
          network: this.#o.network,
          persist: true,
          project: projectOf(this.#o.instance),
          labels: { ...this.#o.labels, [LABEL_INSTANCE]: this.#o.instance, [LABEL_SOCKET_KEY]: key, [LABEL_ENV_KEYS]: Object.keys(c.environment).join(',') },
          stopTimeoutMs: this.#o.stopTimeoutMs,
        });
        this.#o.activity.protect(handle.id, Object.values(c.environment));
        const record = await this.#register(handle.id, handle);
        this.#o.logger.info({ container_id: record.id, name: record.name, image: record.image }, 'container created');
        this.#o.activity.record({ container_id: record.id, name: record.name, type: 'created', message: `${record.name} created from ${record.image}` });
        this.#o.activity.record({ container_id: record.id, name: record.name, type: 'started', message: `${record.name} started` });
        this.#push(record);
        return toInfo(record, this.#o.sockets.socketPath(record.id));
      } catch (err) {
        // Nothing half-made stays: the container (if it was made) and its socket go.
        if (handle) {
          this.#records.delete(handle.id);
          await destroyContainer(handle.id, { engine: this.#o.engine }).catch(() => undefined);
          this.#o.activity.forget(handle.id);
        }
        await this.#o.sockets.cleanupSocket(handle?.id ?? '', key).catch(() => undefined);
        throw toFlowError(err, 'create_container');
      }
    } finally {
      this.#creating--;
    }
  }

  async startContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    await this.#op(r, undefined, 'start_container', async () => {
      r.handle = await resumeContainer(r.id, { engine: this.#o.engine });
    });
    await this.#refreshState(r);
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'started', message: `${r.name} started` });
    return this.#push(r);
  }

  async stopContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    await this.#op(r, 'stop', 'stop_container', () => stopContainer(r.id, { engine: this.#o.engine, timeoutMs: this.#o.stopTimeoutMs }));
    r.handle = undefined;
    await this.#refreshState(r);
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'stopped', message: `${r.name} stopped` });
    return this.#push(r);
  }

  async restartContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    await this.#restart(r, 'restart_container');
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'restarted', message: `${r.name} restarted` });
    return this.#push(r);
  }

  /** Copies the directory (or file) `codePath` into the container's working directory and restarts its flow. */
  async updateContainer(id: string, codePath: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    const real = await allowedPath(codePath, this.#o.allowedRoots, 'code_path');
    const dest = r.workingDir ?? '/app';
    await this.#op(r, undefined, 'update_container', async () => {
      r.handle ??= await openContainer(r.id, { engine: this.#o.engine });
      await r.handle.push(real, dest);
    });
    await this.#restart(r, 'update_container');
    this.#o.logger.info({ container_id: r.id, code_path: real }, 'container updated');
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'updated', message: `${r.name} updated with new code and restarted` });
    return this.#push(r);
  }

  async deleteContainer(id: string): Promise<{ container_id: string; deleted: true }> {
    const r = this.#get(id);
    await this.#op(r, 'delete', 'delete_container', () => destroyContainer(r.id, { engine: this.#o.engine }));
    await this.#forget(r);
    this.#o.logger.info({ container_id: r.id }, 'container deleted');
    return { container_id: r.id, deleted: true };
  }

  /** The status from memory (kept current by engine events); `refresh` waits for a new resource sample. */
  async getContainerStatus(id: string, options: { refresh?: boolean } = {}): Promise<ContainerStatus> {
    const r = this.#get(id);
    const stale = r.state === 'running' && (r.usage === null || Date.now() - Date.parse(r.usage.sampled_at) > this.#o.statsMaxAgeMs);
    if (options.refresh && r.state === 'running') await this.#sample(r);
    else if (stale) void this.#sample(r);
    return this.#status(r);
  }

  listContainers(): ContainerInfo[] {
    return [...this.#records.values()].map((r) => toInfo(r, this.#o.sockets.socketPath(r.id)));
  }

  /** The container's full id, from its id, a unique id prefix (12+ characters) or its name; else `FM_CONTAINER_NOT_FOUND`. */
  resolveId(ref: string): string {
    return this.#get(ref).id;
  }

  /** A status, recomputed now (for pushes). */
  statusOf(id: string): ContainerStatus | undefined {
    const r = this.#records.get(id);
    return r ? this.#status(r) : undefined;
  }

  #status(r: FlowRecord): ContainerStatus {
    return toStatus(r, this.#o.sockets.isSocketConnected(r.id), this.#o.sockets.lastCommunication(r.id));
  }

  #push(r: FlowRecord): ContainerStatus {
    const status = this.#status(r);
    this.emit('status', status);
    return status;
  }

  #get(ref: string): FlowRecord {
    const exact = this.#records.get(ref);
    if (exact) return exact;
    for (const r of this.#records.values()) if (r.name === ref || (ref.length >= 12 && r.id.startsWith(ref))) return r;
    throw new FlowManagerError('FM_CONTAINER_NOT_FOUND', `no container ${ref} is managed by this flow-manager`, { details: { container_id: ref } });
  }

  #assertOpen(): void {
    if (this.#closed) throw new FlowManagerError('FM_SHUTTING_DOWN', 'the flow-manager is stopping');
  }

  async #op(r: FlowRecord, intent: Intent, what: string, fn: () => Promise<unknown>): Promise<void> {
    this.#assertOpen();
    const before = r.intent;
    r.intent = intent ?? r.intent;
    try {
      await fn();
    } catch (err) {
      r.intent = before;
      const e = toFlowError(err, what);
      if (e.code === 'FM_CONTAINER_NOT_FOUND') await this.#forget(r); // removed behind our back
      throw e;
    }
  }

  async #restart(r: FlowRecord, what: string): Promise<void> {
    // The intent stays until the engine's `start` event: Podman may deliver the restart's `die` after we return.
    await this.#op(r, 'restart', what, async () => {
      if (r.handle && r.state === 'running') await r.handle.reboot();
      else r.handle = await resumeContainer(r.id, { engine: this.#o.engine });
    });
    r.crashed = false;
    await this.#refreshState(r);
  }

  async #refreshState(r: FlowRecord): Promise<void> {
    try {
      const i = await inspect(this.#o.engine, r.id);
      r.state = stateOf(i.State.Status, r.intent);
      r.startedAt = startedAt(i.State.StartedAt);
      r.exitCode = i.State.Running ? null : (i.State.ExitCode ?? null);
    } catch (err) {
      const e = toFlowError(err, 'inspect');
      if (e.code === 'FM_CONTAINER_NOT_FOUND') await this.#forget(r);
      else throw e;
    }
  }

  /**
   * After the event stream was down: refreshes a known container from the engine and pushes what changed meanwhile,
   * as its events would have (a flow that ended is logged and recorded as crashed or exited, as `#onEvent` does).
   */
  async #catchUp(r: FlowRecord): Promise<void> {
    const before = { state: r.state, exitCode: r.exitCode, startedAt: r.startedAt?.getTime() };
    await this.#refreshState(r);
    if (!this.#records.has(r.id)) return; // gone: #forget pushed that
    if (r.state === before.state && r.exitCode === before.exitCode && r.startedAt?.getTime() === before.startedAt) return;
    if (r.state === 'exited' && before.state !== 'exited') {
      this.#ended(r, endedOnItsOwn(r), r.exitCode ?? undefined);
    } else if (r.state === 'running') {
      r.crashed = false; // started again meanwhile (by someone else)
    }
    this.#push(r);
  }

  #ended(r: FlowRecord, outcome: 'crashed' | 'exited', exitCode: number | undefined): void {
    this.#o.logger.warn({ container_id: r.id, exit_code: exitCode }, `flow ${outcome}`);
    this.#o.activity.record({ container_id: r.id, name: r.name, type: outcome, message: `${r.name} ${outcome} (exit code ${exitCode ?? 'unknown'})` });
  }

  async #register(id: string, handle?: FlowRecord['handle']): Promise<FlowRecord> {
    const record = recordFrom(await inspect(this.#o.engine, id), handle);
    this.#assertOpen(); // stopped meanwhile: no socket server may outlive close() (a create then removes its container)
    await this.#o.sockets.setupSocket(record.id, record.key);
    this.#records.set(record.id, record);
    for (const e of this.#early.get(record.id) ?? []) this.#onEvent(e);
    this.#early.delete(record.id);
    return record;
  }

  /** Drops a removed container: its socket and files, then the last push. Everyone asking waits for the same cleanup. */
  #forget(r: FlowRecord): Promise<void> {
    r.forgotten ??= (async () => {
      this.#records.delete(r.id);
      r.state = 'removing';
      await this.#o.sockets.cleanupSocket(r.id, r.key).catch((err: unknown) => this.#o.logger.warn({ err, container_id: r.id }, 'socket cleanup failed'));
      this.#o.activity.record({ container_id: r.id, name: r.name, type: 'deleted', message: `${r.name} deleted` });
      this.emit('status', { ...this.#status(r), state: 'removing', socket_connected: false });
      this.#o.activity.forget(r.id);
    })();
    return r.forgotten;
  }

  #sample(r: FlowRecord): Promise<void> {
    r.usageRefresh ??= sampleUsage(r, this.#o.engine)
      .catch((err: unknown) => this.#o.logger.debug({ err, container_id: r.id }, 'resource sample failed'))
      .finally(() => (r.usageRefresh = undefined));
    return r.usageRefresh;
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
          const r = await this.#register(c.id);
          this.#o.logger.info({ container_id: r.id, name: r.name, state: r.state }, 'recovered container');
        }
      } catch (err) {
        this.#o.logger.warn({ err, container_id: c.id }, 'could not recover container');
      }
    }
    for (const r of [...this.#records.values()]) if (!seen.has(r.id)) await this.#forget(r);
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
    const outcome = applyEvent(r, e);
    if (outcome === 'gone') {
      void this.#forget(r);
      return;
    }
    if (outcome === 'crashed' || outcome === 'exited') this.#ended(r, outcome, e.exitCode);
    if (outcome !== 'ignored') this.#push(r);
  }
}

