import { EventEmitter } from 'node:events';
import { destroyContainer, resumeContainer, stopContainer } from '@pocketdock/container-sdk';
import type { EngineClient } from '@pocketdock/engine-socket';
import { allowedPath } from './allowed-paths.js';
import { createFlow, removeFlowFiles } from './create-flow.js';
import { FlowManagerError, payloadError } from './errors.js';
import type { FlowCode } from './flow-code.js';
import { FlowRegistry } from './flow-registry.js';
import { containerConfigSchema } from './models.js';
import type { ContainerConfig, ContainerHealth, ContainerInfo, ContainerStatus } from './models.js';
import { beginOp, toInfo } from './records.js';
import type { FlowRecord, OpKind } from './records.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import type { StateStore } from './state-store.js';
import type { SystemLogger } from './system-logger.js';
import { toFlowError } from './to-flow-error.js';
import { updateFlow } from './update-flow.js';
import type { UserActivityLogger } from './user-activity-logger.js';

export interface ContainerManagerOptions {
  engine: EngineClient;
  sockets: SocketCommunicationHandler;
  activity: UserActivityLogger;
  logger: SystemLogger;
  /** The service-owned code directories (`code_path`). */
  code: FlowCode;
  /** What outlives the service: stopped flags, reported crashes, code paths. */
  state: StateStore;
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
  /** Engine network of flow containers; `none` keeps them offline (and refuses `ports`). */
  network: string;
  stopTimeoutMs: number;
  /** How long `update_container` waits for the new code's flow to connect before it rolls back. */
  updateTimeoutMs: number;
  /** Resource usage older than this is refreshed (in the background) when a status is asked for. */
  statsMaxAgeMs: number;
}

/**
 * The containers this flow-manager manages (label `pocketdock.flow-manager=<instance>`), nothing else: every id
 * is checked against its own registry, which the engine's event stream keeps current. Emits `status` whenever a
 * container's status changes. Operations on one container run one at a time.
 */
export class ContainerManager extends EventEmitter<{ status: [ContainerStatus] }> {
  readonly #o: ContainerManagerOptions;
  readonly #flows: FlowRegistry;
  #creating = 0;
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: ContainerManagerOptions) {
    super();
    this.#o = options;
    this.#flows = new FlowRegistry(options);
    this.#flows.on('status', (status) => this.emit('status', status));
  }

  /** Follows the engine's events and recovers the containers this instance manages (their sockets included). */
  async start(): Promise<void> {
    await this.#flows.start();
  }

  /** Stops following events and closes every socket server. Containers keep running (a restart recovers them). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#flows.close();
    // The flows' sockets go first: a successor can take them over while creates in flight finish here.
    const sockets = this.#o.sockets.close();
    // Creates in flight finish (registering nothing: the container is removed again) while the engine is still open.
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    await this.#flows.stopFollowing();
    await sockets;
    await this.#o.state.flush();
  }

  get size(): number {
    return this.#flows.size;
  }

  /**
   * Creates and starts a flow container; its socket is ready when this resolves. When `signal` aborts first (the
   * client gave up), the container is removed again as soon as it exists and this rejects with the abort's reason.
   */
  createContainer(config: ContainerConfig, options: { signal?: AbortSignal } = {}): Promise<ContainerInfo> {
    const op = this.#create(config, options.signal);
    this.#inflight.add(op);
    void op.finally(() => this.#inflight.delete(op)).catch(() => undefined);
    return op;
  }

  async #create(config: ContainerConfig, signal: AbortSignal | undefined): Promise<ContainerInfo> {
    this.#assertOpen();
    const parsed = containerConfigSchema.safeParse(config);
    if (!parsed.success) throw payloadError(parsed.error.issues);
    const c = parsed.data;
    const image = c.image ?? this.#o.defaultImage;
    if (image === undefined) throw new FlowManagerError('FM_INVALID_PAYLOAD', 'image: required (this flow-manager has no defaultImage)', { details: { field: 'image' } });
    if (this.#flows.size + this.#creating >= this.#o.maxContainers) {
      throw new FlowManagerError('FM_CONTAINER_LIMIT', `this flow-manager already manages ${this.#o.maxContainers} containers (maxContainers); delete one first`, {
        details: { max_containers: this.#o.maxContainers },
      });
    }
    this.#creating++;
    let made: Awaited<ReturnType<typeof createFlow>> | undefined;
    try {
      made = await createFlow(this.#o, c, image);
      signal?.throwIfAborted();
      this.#o.activity.protect(made.handle.id, Object.values(c.environment));
      const record = await this.#flows.register(made.handle.id);
      record.handle = made.handle;
      signal?.throwIfAborted(); // nobody waits for it any more: removed below, never listed
      this.#o.logger.info({ container_id: record.id, name: record.name, image: record.image }, 'container created');
      this.#o.activity.record({ container_id: record.id, name: record.name, type: 'created', message: `${record.name} created from ${record.image}` });
      this.#o.activity.record({ container_id: record.id, name: record.name, type: 'started', message: `${record.name} started` });
      this.#flows.push(record);
      return toInfo(record, this.#o.sockets.socketPath(record.id));
    } catch (err) {
      // Nothing half-made stays: the container (if it was made), its socket, code and state.
      if (made) {
        this.#flows.drop(made.handle.id);
        await destroyContainer(made.handle.id, { engine: this.#o.engine }).catch(() => undefined);
        await removeFlowFiles(this.#o, made.key, made.handle.id);
        this.#o.activity.forget(made.handle.id);
      }
      throw toFlowError(err, 'create_container');
    } finally {
      this.#creating--;
    }
  }

  async startContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    await this.#op(r, 'start', 'start_container', async () => {
      r.handle = await resumeContainer(r.id, { engine: this.#o.engine });
      this.#flows.setStopped(r, false);
    });
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'started', message: `${r.name} started` });
    return this.#flows.push(r);
  }

  async stopContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    await this.#op(r, 'stop', 'stop_container', async () => {
      const before = r.stoppedByUs;
      this.#flows.setStopped(r, true); // before the stop: its die is then read as ours, whenever it arrives
      await stopContainer(r.id, { engine: this.#o.engine, timeoutMs: this.#o.stopTimeoutMs }).catch((err: unknown) => {
        this.#flows.setStopped(r, before);
        throw err;
      });
    });
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'stopped', message: `${r.name} stopped` });
    return this.#flows.push(r);
  }

  async restartContainer(id: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    // Always the engine's restart (stop, then start), running or not: never a "resume" of what already runs.
    await this.#op(r, 'restart', 'restart_container', async () => {
      const t = Math.ceil(this.#o.stopTimeoutMs / 1000);
      await this.#o.engine.json({ method: 'POST', path: `/containers/${r.id}/restart`, query: { t }, timeoutMs: (t + 30) * 1000 });
      this.#flows.setStopped(r, false);
    });
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'restarted', message: `${r.name} restarted` });
    return this.#flows.push(r);
  }

  /** Replaces the flow's code (see update-flow.ts): atomic, and rolled back with `FM_UPDATE_FAILED` if the new flow does not connect. */
  async updateContainer(id: string, codePath: string): Promise<ContainerStatus> {
    const r = this.#get(id);
    if (r.codeTarget === null) {
      throw new FlowManagerError(
        'FM_NOT_UPDATABLE',
        `${r.name} was created without code_path: its code is not the service's to replace (a volume or the image holds it); create flows with code_path to update them`,
        { details: { container_id: r.id } },
      );
    }
    const real = await allowedPath(codePath, this.#o.allowedRoots, 'code_path');
    try {
      await this.#op(r, 'update', 'update_container', async () => {
        try {
          await updateFlow({ ...this.#o, onDie: (cid, fn) => this.#flows.watchDie(cid, fn) }, r, real);
        } catch (err) {
          if (FlowManagerError.is(err) && err.code === 'FM_UPDATE_FAILED') {
            this.#flows.setStopped(r, err.details['rolled_back'] !== true); // restored and running, or left stopped
            await this.#flows.refreshState(r).catch(() => undefined);
          }
          throw err;
        }
        r.codePath = real;
        this.#flows.setStopped(r, false);
        this.#flows.persist(r);
      });
    } catch (err) {
      if (FlowManagerError.is(err) && err.code === 'FM_UPDATE_FAILED') {
        this.#o.activity.record({ container_id: r.id, name: r.name, type: 'update_failed', message: `${r.name}: ${err.message.replace(/^update_container: /, '')}` });
        this.#flows.push(r);
      }
      throw err;
    }
    this.#o.logger.info({ container_id: r.id, code_path: real }, 'container updated');
    this.#o.activity.record({ container_id: r.id, name: r.name, type: 'updated', message: `${r.name} updated with new code and restarted` });
    return this.#flows.push(r);
  }

  async deleteContainer(id: string): Promise<{ container_id: string; deleted: true }> {
    const r = this.#get(id);
    await this.#op(r, 'delete', 'delete_container', () => destroyContainer(r.id, { engine: this.#o.engine }), false);
    await this.#flows.forget(r);
    this.#o.logger.info({ container_id: r.id }, 'container deleted');
    return { container_id: r.id, deleted: true };
  }

  /** The status from memory (kept current by engine events); `refresh` waits for a new resource sample. */
  async getContainerStatus(id: string, options: { refresh?: boolean } = {}): Promise<ContainerStatus> {
    const r = this.#get(id);
    const stale = r.state === 'running' && (r.usage === null || Date.now() - Date.parse(r.usage.sampled_at) > this.#o.statsMaxAgeMs);
    if (options.refresh && r.state === 'running') await this.#flows.sample(r);
    else if (stale) void this.#flows.sample(r);
    return this.#flows.status(r);
  }

  listContainers(): ContainerInfo[] {
    return [...this.#flows.values()].map((r) => toInfo(r, this.#o.sockets.socketPath(r.id)));
  }

  /** The container's full id from its id, its name, or a unique id prefix (12+ characters); see resolveRef. */
  resolveId(ref: string): string {
    return this.#get(ref).id;
  }

  /** Whether a container with this full id is managed here. */
  has(id: string): boolean {
    return this.#flows.has(id);
  }

  /** A status, recomputed now (for pushes). */
  statusOf(id: string): ContainerStatus | undefined {
    return this.#flows.statusOf(id);
  }

  /** Emits the container's `status` now (its health checks changed it). */
  pushStatus(id: string): void {
    if (this.#flows.has(id)) this.#flows.push(this.#flows.get(id));
  }

  /** Where a running container's health comes from when it has health checks (the monitoring). */
  setHealthSource(healthOf: (id: string) => ContainerHealth | undefined): void {
    this.#flows.healthOf = healthOf;
  }

  #get(ref: string): FlowRecord {
    return this.#flows.get(ref);
  }

  #assertOpen(): void {
    if (this.#closed) throw new FlowManagerError('FM_SHUTTING_DOWN', 'the flow-manager is stopping');
  }

  /**
   * Runs one operation on a container after those before it, inside an operation window (so its `die` is known
   * as expected), then reads the container's state again (unless `refresh` is false).
   */
  #op(r: FlowRecord, kind: OpKind, what: string, fn: () => Promise<unknown>, refresh = true): Promise<void> {
    this.#assertOpen();
    const run = r.lock.then(async () => {
      this.#assertOpen();
      if (r.forgotten) throw new FlowManagerError('FM_CONTAINER_NOT_FOUND', `container ${r.name} was removed`, { details: { container_id: r.id } });
      const end = beginOp(r, kind);
      try {
        await fn();
      } catch (err) {
        const e = toFlowError(err, what);
        if (e.code === 'FM_CONTAINER_NOT_FOUND') await this.#flows.forget(r); // removed behind our back
        throw e;
      } finally {
        end();
      }
      if (refresh) await this.#flows.refreshState(r);
    });
    r.lock = run.catch(() => undefined);
    return run;
  }
}
