import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineClient } from '@pocketdock/engine-socket';
import { Server } from 'socket.io';
import { AccessControl } from './access-control.js';
import { ConnectionTracker } from './connection-tracker.js';
import { ClusterNode } from './cluster/cluster-node.js';
import type { RedisPair } from './cluster/cluster-node.js';
import type { ContainerManager } from './container-manager.js';
import { FlowManagerError } from './errors.js';
import { createFlowCore } from './flow-core.js';
import { FlowOps } from './flow-ops.js';
import { LocalFlows } from './local-flows.js';
import { LiveEvents } from './live/live-extension.js';
import { createMonitoring } from './monitoring/create-monitoring.js';
import type { Monitor } from './monitoring/monitor.js';
import { staticPage } from './live/static-page.js';
import { isLoopback, parseFlowManagerOptions } from './options.js';
import type { FlowManagerOptions, ResolvedFlowManagerOptions } from './options.js';
import type { Session } from './access-control.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
import { SocketIOEventHandler } from './socketio-event-handler.js';
import type { FlowServer } from './socketio-event-handler.js';
import { Subscriptions } from './subscriptions.js';
import { createSystemLogger } from './system-logger.js';
import type { SystemLogger } from './system-logger.js';
import { UserActivityLogger } from './user-activity-logger.js';

/**
 * The flow-manager service: Socket.IO on HTTP, a container manager following the engine's events, and one Unix
 * socket per flow container. Containers outlive the service; a new one with the same `instance` recovers them.
 *
 * @example
 * await using fm = await FlowManager.start({ token: process.env.FM_TOKEN, allowedRoots: ['/srv/flows'] });
 * console.log(`listening on ${fm.url}`);
 */
export class FlowManager {
  readonly manager: ContainerManager;
  readonly sockets: SocketCommunicationHandler;
  readonly activity: UserActivityLogger;
  readonly logger: SystemLogger;
  readonly io: FlowServer;
  /** Who may connect, and how many are (authenticated / not yet). */
  readonly access: AccessControl;
  readonly #o: ResolvedFlowManagerOptions;
  readonly #http: HttpServer;
  readonly #connections: ConnectionTracker;
  readonly #handler: SocketIOEventHandler;
  readonly #subscriptions: Subscriptions;
  readonly #engine: EngineClient;
  readonly #ownsEngine: boolean;
  readonly #live: LiveEvents;
  /** Resource sampling, thresholds, health checks and histories (see the README's Monitoring). */
  readonly monitor: Monitor;
  readonly #closeMonitoring: () => Promise<void>;
  readonly #flows: LocalFlows;
  /** This instance's place in a cluster (the `cluster` option), else undefined. */
  readonly cluster: ClusterNode | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    o: ResolvedFlowManagerOptions;
    manager: ContainerManager;
    sockets: SocketCommunicationHandler;
    activity: UserActivityLogger;
    logger: SystemLogger;
    io: FlowServer;
    access: AccessControl;
    http: HttpServer;
    connections: ConnectionTracker;
    handler: SocketIOEventHandler;
    subscriptions: Subscriptions;
    engine: EngineClient;
    ownsEngine: boolean;
    live: LiveEvents;
    monitoring: ReturnType<typeof createMonitoring>;
    flows: LocalFlows;
    cluster: ClusterNode | undefined;
  }) {
    this.#o = parts.o;
    this.manager = parts.manager;
    this.sockets = parts.sockets;
    this.activity = parts.activity;
    this.logger = parts.logger;
    this.io = parts.io;
    this.access = parts.access;
    this.#http = parts.http;
    this.#connections = parts.connections;
    this.#handler = parts.handler;
    this.#subscriptions = parts.subscriptions;
    this.#engine = parts.engine;
    this.#ownsEngine = parts.ownsEngine;
    this.#live = parts.live;
    this.monitor = parts.monitoring.monitor;
    this.#closeMonitoring = (): Promise<void> => parts.monitoring.close();
    this.#flows = parts.flows;
    this.cluster = parts.cluster;
  }

  /**
   * Validates the options, refuses to run open (no token) except on loopback with `allowOpenLoopback`, connects
   * to the engine, recovers this instance's containers, and listens. Resolves once clients can connect.
   */
  static async start(options: FlowManagerOptions = {}): Promise<FlowManager> {
    const o = parseFlowManagerOptions(options);
    if (o.token === undefined && !(o.allowOpenLoopback && isLoopback(o.host))) {
      throw new FlowManagerError(
        'FM_NO_TOKEN',
        o.allowOpenLoopback
          ? `refusing to run without a token on ${o.host}: open mode is for loopback addresses only`
          : 'refusing to start without a token: configure one (clients send it as auth.token), or set allowOpenLoopback on a loopback host',
      );
    }
    const logger = o.logger ?? createSystemLogger({ level: o.logLevel });
    const engine = o.engine ?? (await EngineClient.connect(o.engineSocket ? { socketPath: o.engineSocket } : {}));
    const ownsEngine = o.engine === undefined;
    let manager: ContainerManager | undefined;
    let cluster: ClusterNode | undefined;
    let flows: LocalFlows | undefined;
    let redis: RedisPair | undefined;
    try {
      // The cluster's Redis first: a member that cannot reach it does not start (FM_CLUSTER_UNAVAILABLE).
      if (o.cluster) redis = await ClusterNode.connect(o.cluster);
      const activity = new UserActivityLogger({ historySize: o.activityHistorySize });
      const own = await createFlowCore({ o, engine, logger, activity, instance: o.instance, socketDir: o.socketDir });
      const { state } = own;
      const { sockets } = own.core;
      manager = own.core.manager;
      await manager.start();
      const subscriptions = new Subscriptions({ store: state });
      const known = manager;
      await subscriptions.load((id) => known.has(id));
      // The dashboard's page, when given (engine.io answers its own path first and hands everything else here).
      const http = o.dashboardDir === undefined ? createServer() : createServer(staticPage(o.dashboardDir));
      const connections = new ConnectionTracker(http);
      const access = new AccessControl({
        token: o.token,
        allowedOrigins: o.allowedOrigins,
        maxClients: o.maxClients,
        maxUnauthenticatedClients: o.maxUnauthenticatedClients,
        authTimeoutMs: o.authTimeoutMs,
        port: () => (http.address() as AddressInfo | null)?.port ?? 0,
      });
      const io = FlowManager.#socketServer(http, o, access);
      const live = new LiveEvents({
        io,
        manager,
        engine,
        logger,
        instance: o.instance,
        maxTerminals: o.maxTerminals,
        terminalIdleMs: o.terminalIdleMs,
        maxLogFollowsPerClient: 8,
        statsIntervalMs: o.liveStatsIntervalMs,
      });
      const monitoring = createMonitoring({ o, io, manager, sockets, activity, engine, logger });
      flows = new LocalFlows(own.core);
      const ops = new FlowOps({ flows, activity });
      if (o.cluster && redis) {
        const local = flows;
        cluster = await ClusterNode.start({
          options: o.cluster,
          io,
          instance: o.instance,
          socketDir: o.socketDir,
          engineAddress: engine.address,
          flows: local,
          ops,
          logger,
          adopt: async (instance, socketDir) => {
            const { core } = await createFlowCore({ o, engine, logger, activity, instance, socketDir });
            await core.manager.start();
            return core;
          },
        }, redis);
        const node = cluster;
        ops.forward = (event, payload) => node.forward(event, payload);
      }
      const handler = new SocketIOEventHandler({ io, flows, ops, cluster, activity, logger, subscriptions, extensions: [live, ...monitoring.extensions] });
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(o.port, o.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const fm = new FlowManager({ o, manager, sockets, activity, logger, io, access, http, connections, handler, subscriptions, engine, ownsEngine, live, monitoring, flows, cluster });
      logger.info({ url: fm.url, socket_dir: o.socketDir, instance: o.instance, containers: manager.size, access: o.token ? 'token' : 'open', cluster: o.cluster?.name }, 'flow-manager listening');
      return fm;
    } catch (err) {
      await cluster?.close().catch(() => undefined);
      redis?.disconnect();
      await flows?.closeAdopted();
      await manager?.close().catch(() => undefined);
      if (ownsEngine) await engine.close();
      throw err;
    }
  }

  static #socketServer(http: HttpServer, o: ResolvedFlowManagerOptions, access: AccessControl): FlowServer {
    const io: FlowServer = new Server(http, {
      maxHttpBufferSize: o.maxPayloadBytes,
      cors: { origin: o.allowedOrigins, credentials: false },
      serveClient: false,
      allowRequest: access.allowRequest,
      // AccessControl drops unauthenticated sessions after authTimeoutMs (at once, discarding them); Socket.IO's own
      // timeout closes them gracefully, which for polling means a 30 s wait: it only backs ours up.
      connectTimeout: o.authTimeoutMs * 2,
    });
    // Browsers send Origin on every transport (CORS alone does not cover WebSocket): checked on every request,
    // upgrades included, before anything else.
    io.engine.use(access.middleware);
    io.engine.on('connection', (session: Parameters<AccessControl['onSession']>[0]) => access.onSession(session));
    io.use((socket, next) => {
      const refusal = access.admit(socket.conn, socket.handshake.auth);
      if (refusal === undefined) return next();
      const err = new Error(refusal.message) as Error & { data: unknown };
      err.data = { code: refusal.code };
      next(err);
    });
    return io;
  }

  /** Where clients connect, e.g. `http://127.0.0.1:7070`. */
  get url(): string {
    const a = this.#http.address() as AddressInfo | null;
    if (a === null) return '';
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo | null)?.port ?? 0;
  }

  /**
   * Shuts down within `shutdownGraceMs` of the call (plus a few ms of cleanup, and the engine calls of creates under
   * way): the port is freed at once; requests under way are answered `FM_SHUTTING_DOWN`, and each client's
   * connection is closed after its answers (clients reconnect by themselves, to a successor if one is started);
   * the flows' sockets are released at once (a successor takes them over); connections still open when the grace
   * ends are cut. Containers keep running. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const deadline = Date.now() + this.#o.shutdownGraceMs;
      await this.cluster?.leave(); // no heartbeat from now on; nobody adopts a stopped instance's flows
      this.#handler.shutdown();
      const live = this.#live.close();
      const monitoring = this.#closeMonitoring();
      // The HTTP server stops listening now (the port is free); its callback comes once every connection is gone.
      const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.access.closeUnauthenticated();
      // Each session closes once what is queued for it (the answers above) is sent. Clients see their transport
      // close, as when a network drops, and reconnect by themselves: to a successor, if one is started.
      const sessions = Object.values((this.io.engine as unknown as { clients: Record<string, Session> }).clients);
      for (const session of sessions) session.close();
      const flows = Promise.all([this.manager.close(), this.#flows.closeAdopted()]);
      const cut = await this.#connections.drain(Math.max(0, deadline - Date.now()));
      if (cut > 0) this.logger.warn({ clients: cut, grace_ms: this.#o.shutdownGraceMs }, 'clients still connected after the shutdown grace: cut');
      // engine.io's polling transport keeps a 30 s timer waiting for one more GET to deliver its close packet;
      // nobody is coming now: end the wait (its `shouldClose` is that timer's own callback).
      for (const session of sessions) (session.transport as unknown as { shouldClose?: (() => void) | null }).shouldClose?.();
      await closed;
      await new Promise<void>((resolve) => void this.io.close(() => resolve())); // rooms and adapters (the HTTP server is closed already)
      await this.cluster?.close();
      await flows;
      await live;
      await monitoring;
      await this.#subscriptions.flush();
      if (this.#ownsEngine) await this.#engine.close();
      this.logger.info('flow-manager stopped');
      this.logger.flush();
    })();
    return this.#stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
