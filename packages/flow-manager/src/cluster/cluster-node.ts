import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { AckResponse } from '../event-schemas.js';
import { FlowManagerError } from '../errors.js';
import type { FlowManagerErrorCode } from '../errors.js';
import { isFlowEvent } from '../flow-ops.js';
import type { FlowEventName, FlowOps } from '../flow-ops.js';
import type { FlowCore, LocalFlows } from '../local-flows.js';
import type { ContainerInfo } from '../models.js';
import { errorResponse } from '../socketio-event-handler.js';
import type { FlowServer } from '../socketio-event-handler.js';
import type { SystemLogger } from '../system-logger.js';
import { Adoption } from './adoption.js';
import type { ClusterLink } from './cluster-link.js';
import type { ResolvedClusterOptions } from './cluster-options.js';

const FORWARD = 'pocketdock:forward';
const LIST = 'pocketdock:list';

export interface ClusterNodeOptions {
  options: ResolvedClusterOptions;
  io: FlowServer;
  /** This instance's name (its containers' label): unique in the cluster. */
  instance: string;
  socketDir: string;
  /** Which engine this instance uses (`client.address`): only instances on the same engine and host adopt each other's flows. */
  engineAddress: string;
  flows: LocalFlows;
  ops: FlowOps;
  logger: SystemLogger;
  /** Serves a dead instance's flows here: a container manager for `instance` listening on its sockets in `socketDir`. */
  adopt: (instance: string, socketDir: string) => Promise<FlowCore>;
}

/** The two Redis connections of a member (see ClusterNode.connect). */
export interface RedisPair {
  pub: Redis;
  sub: Redis;
  disconnect(): void;
}

type ServerSide = { on(event: string, fn: (...args: unknown[]) => void): void; serverSideEmit(event: string, ...args: unknown[]): boolean };

/**
 * One flow-manager in a cluster: Socket.IO's Redis adapter (pushes to a room reach its subscribers on every instance),
 * requests for flows served elsewhere forwarded with `serverSideEmit` and answered through the same acknowledgement,
 * a cluster-wide list, client ids' subscriptions in Redis, and a heartbeat key; dead instances' flows are adopted
 * (see adoption.ts).
 */
export class ClusterNode implements ClusterLink {
  readonly #o: ClusterNodeOptions;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #adoption: Adoption;
  #down = false;

  private constructor(o: ClusterNodeOptions, pub: Redis, sub: Redis) {
    this.#o = o;
    this.#pub = pub;
    this.#sub = sub;
    this.#prefix = `pocketdock:fm:${o.options.name}:`;
    this.#adoption = new Adoption({
      redis: pub,
      prefix: this.#prefix,
      instance: o.instance,
      socketDir: o.socketDir,
      engine: `${hostname()}|${o.engineAddress}`,
      flows: o.flows,
      logger: o.logger,
      heartbeatMs: o.options.heartbeatMs,
      heartbeatTtlMs: o.options.heartbeatTtlMs,
      adopt: o.options.adopt ? o.adopt : undefined,
    });
  }

  /**
   * Connects to the cluster's Redis (two connections: commands and publishing, subscriptions); fails with
   * `FM_CLUSTER_UNAVAILABLE` when it does not answer. The service does this before anything else.
   */
  static async connect(options: ResolvedClusterOptions): Promise<RedisPair> {
    const pub = new Redis(options.redisUrl, {
      lazyConnect: true,
      connectTimeout: 5_000,
      maxRetriesPerRequest: 10,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    });
    const sub = pub.duplicate();
    // The adapter publishes without looking at the outcome: a publish that fails while Redis is away (a push lost)
    // must not become an unhandled rejection.
    const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<unknown>;
    (pub as unknown as { publish: (...args: unknown[]) => Promise<unknown> }).publish = (...args) => {
      const p = publish(...args);
      p.catch(() => undefined);
      return p;
    };
    // Until the node watches them: errors while connecting are the connect's to report.
    for (const c of [pub, sub]) c.on('error', () => undefined);
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (err) {
      pub.disconnect();
      sub.disconnect();
      throw new FlowManagerError('FM_CLUSTER_UNAVAILABLE', `cannot reach the cluster's Redis: ${(err as Error).message}`, { cause: err });
    }
    return { pub, sub, disconnect: () => [pub, sub].forEach((c) => c.disconnect()) };
  }

  /** Plugs the adapter into Socket.IO, answers the other members' requests, and joins (heartbeat, adoption). */
  static async start(o: ClusterNodeOptions, redis: RedisPair): Promise<ClusterNode> {
    const { pub, sub } = redis;
    const node = new ClusterNode(o, pub, sub);
    node.#watch(pub, 'pub');
    node.#watch(sub, 'sub');
    o.io.adapter(createAdapter(pub, sub, { key: `${node.#prefix}io`, requestsTimeout: o.options.requestTimeoutMs }));
    const io = o.io as unknown as ServerSide;
    io.on(FORWARD, (...args: unknown[]) => node.#answerForward(args[0], args.at(-1)));
    io.on(LIST, (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') (ack as (r: unknown) => void)(o.flows.list());
    });
    await node.#adoption.start();
    return node;
  }

  /** The instances served here (own and adopted). */
  get serves(): string[] {
    return this.#o.flows.instances();
  }

  /** Runs `event` on the instance that serves the flow; its answer (or its error) is this one. */
  async forward(event: FlowEventName, payload: Record<string, unknown>): Promise<unknown> {
    const { responses, err } = await this.#ask(FORWARD, { event, payload });
    const answer = responses.find((r): r is AckResponse<unknown> => typeof r === 'object' && r !== null);
    if (answer === undefined) {
      if (err) throw new FlowManagerError('FM_CLUSTER_UNAVAILABLE', `${event}: no instance of the cluster answered for ${String(payload['container_id'])} (${err.message}); try again`, { cause: err });
      // A member still listed that did not answer (killed, its heartbeat not expired yet) may serve the flow.
      const listed = await this.#pub.hlen(`${this.#prefix}members`).catch(() => 0);
      if (this.#adoption.orphans > 0 || listed > responses.length + 1) {
        throw new FlowManagerError('FM_CLUSTER_UNAVAILABLE', `${event}: ${String(payload['container_id'])} is not served now: a cluster member does not answer (its flows are adopted once its heartbeat expires); try again in a few seconds`, {
          details: { container_id: payload['container_id'] },
        });
      }
      this.#o.flows.get(String(payload['container_id'])); // nobody has it: the local FM_CONTAINER_NOT_FOUND
    }
    if (answer !== undefined && 'ok' in answer) return answer.data;
    const e = answer as { code: FlowManagerErrorCode; message: string; details?: Record<string, unknown> };
    throw new FlowManagerError(e.code, e.message, { details: e.details ?? {} });
  }

  async listAll(): Promise<ContainerInfo[]> {
    const { responses, err } = await this.#ask(LIST, {});
    if (err) this.#o.logger.warn({ err: err.message }, 'list_containers: not every instance answered');
    return [...this.#o.flows.list(), ...responses.filter((r): r is ContainerInfo[] => Array.isArray(r)).flat()];
  }

  async subscriptionsOf(identity: string): Promise<string[]> {
    return this.#pub.smembers(this.#subsKey(identity));
  }

  addSubscription(identity: string, containerId: string): void {
    const key = this.#subsKey(identity);
    this.#pub.multi().sadd(key, containerId).pexpire(key, this.#o.options.subscriptionTtlMs).exec().catch((err: unknown) => this.#o.logger.warn({ err }, 'could not save a subscription in Redis'));
  }

  removeSubscription(identity: string, containerId: string): void {
    this.#pub.srem(this.#subsKey(identity), containerId).catch((err: unknown) => this.#o.logger.warn({ err }, 'could not remove a subscription from Redis'));
  }

  /** Stops the heartbeat and leaves the cluster (nobody adopts a stopped instance's flows: its successor takes them). */
  async leave(): Promise<void> {
    await this.#adoption.stop();
  }

  /** Closes the Redis connections (after Socket.IO closed its adapter). */
  async close(): Promise<void> {
    await this.#adoption.stop();
    for (const c of [this.#pub, this.#sub]) {
      await Promise.race([c.quit().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
      c.disconnect();
    }
  }

  #subsKey(identity: string): string {
    return `${this.#prefix}subs:${identity}`;
  }

  #answerForward(req: unknown, ack: unknown): void {
    if (typeof ack !== 'function') return;
    const answer = ack as (r: AckResponse<unknown> | null) => void;
    const { event, payload } = (req ?? {}) as { event?: unknown; payload?: unknown };
    if (typeof event !== 'string' || !isFlowEvent(event)) return answer(null);
    const run = this.#o.ops.runLocal(event, payload);
    if (!run) return answer(null);
    run.then(
      (data) => answer({ ok: true, data }),
      (err: unknown) => answer(errorResponse(err, event)),
    );
  }

  /** serverSideEmit to every other instance; their answers (all, or those that came before the timeout). */
  #ask(event: string, arg: unknown): Promise<{ responses: unknown[]; err: Error | undefined }> {
    return new Promise((resolve) => {
      // The adapter's own timeout starts only once Redis answered how many instances listen: bound the whole wait.
      const timer = setTimeout(() => resolve({ responses: [], err: new Error(`timeout after ${this.#o.options.requestTimeoutMs} ms (is Redis reachable?)`) }), this.#o.options.requestTimeoutMs + 1_000);
      (this.#o.io as unknown as ServerSide).serverSideEmit(event, arg, (err: Error | null, responses: unknown[]) => {
        clearTimeout(timer);
        resolve({ responses: responses ?? [], err: err ?? undefined });
      });
    });
  }

  #watch(client: Redis, which: string): void {
    client.on('error', (err: Error) => {
      if (this.#down) return;
      this.#down = true;
      this.#o.logger.warn({ err: err.message, client: which }, 'cluster Redis unreachable; reconnecting');
    });
    client.on('ready', () => {
      if (!this.#down) return;
      this.#down = false;
      this.#o.logger.info({ client: which }, 'cluster Redis reachable again');
    });
  }
}
