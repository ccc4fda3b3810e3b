import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineClient } from '@pocketdock/engine-socket';
import { Server } from 'socket.io';
import { ContainerManager } from './container-manager.js';
import { FlowManagerError } from './errors.js';
import { isLoopback, parseFlowManagerOptions } from './options.js';
import type { FlowManagerOptions, ResolvedFlowManagerOptions } from './options.js';
import { SocketCommunicationHandler } from './socket-communication-handler.js';
import { SocketIOEventHandler } from './socketio-event-handler.js';
import type { FlowServer } from './socketio-event-handler.js';
import { createSystemLogger } from './system-logger.js';
import type { SystemLogger } from './system-logger.js';
import { UserActivityLogger } from './user-activity-logger.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

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
  readonly #http: HttpServer;
  readonly #engine: EngineClient;
  readonly #ownsEngine: boolean;
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    manager: ContainerManager;
    sockets: SocketCommunicationHandler;
    activity: UserActivityLogger;
    logger: SystemLogger;
    io: FlowServer;
    http: HttpServer;
    engine: EngineClient;
    ownsEngine: boolean;
  }) {
    this.manager = parts.manager;
    this.sockets = parts.sockets;
    this.activity = parts.activity;
    this.logger = parts.logger;
    this.io = parts.io;
    this.#http = parts.http;
    this.#engine = parts.engine;
    this.#ownsEngine = parts.ownsEngine;
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
    try {
      await mkdir(o.socketDir, { recursive: true, mode: 0o700 });
      const sockets = new SocketCommunicationHandler({ socketDir: o.socketDir, maxMessageBytes: o.maxMessageBytes, replyTimeoutMs: o.replyTimeoutMs, inboxSize: 1_000 });
      const activity = new UserActivityLogger({ historySize: o.activityHistorySize });
      manager = new ContainerManager({
        engine,
        sockets,
        activity,
        logger,
        instance: o.instance,
        allowedRoots: o.allowedRoots,
        allowWritableVolumes: o.allowWritableVolumes,
        maxContainers: o.maxContainers,
        defaultImage: o.defaultImage,
        defaultCommand: o.defaultCommand,
        labels: o.labels,
        network: o.network,
        stopTimeoutMs: o.stopTimeoutMs,
        statsMaxAgeMs: o.statsMaxAgeMs,
      });
      await manager.start();
      const http = createServer();
      const io = FlowManager.#socketServer(http, o);
      new SocketIOEventHandler({ io, manager, sockets, activity, logger });
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(o.port, o.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const fm = new FlowManager({ manager, sockets, activity, logger, io, http, engine, ownsEngine });
      logger.info({ url: fm.url, socket_dir: o.socketDir, instance: o.instance, containers: manager.size, access: o.token ? 'token' : 'open' }, 'flow-manager listening');
      return fm;
    } catch (err) {
      await manager?.close().catch(() => undefined);
      if (ownsEngine) await engine.close();
      throw err;
    }
  }

  static #socketServer(http: HttpServer, o: ResolvedFlowManagerOptions): FlowServer {
    const origins = new Set(o.allowedOrigins);
    const io: FlowServer = new Server(http, {
      maxHttpBufferSize: o.maxPayloadBytes,
      cors: { origin: o.allowedOrigins, credentials: false },
      serveClient: false,
      // Browsers send Origin on every transport (CORS alone does not cover WebSocket): check it before anything else.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        if (origin !== undefined && !origins.has(origin)) return callback('origin not allowed', false);
        if (io.engine.clientsCount >= o.maxClients) return callback('too many clients', false);
        callback(null, true);
      },
    });
    const expected = o.token === undefined ? undefined : digest(o.token);
    io.use((socket, next) => {
      if (expected === undefined) return next();
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.['token'];
      if (typeof token === 'string' && timingSafeEqual(digest(token), expected)) return next();
      const err = new Error('unauthorized: send a valid token as auth.token') as Error & { data: unknown };
      err.data = { code: 'FM_UNAUTHORIZED' };
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
   * Stops accepting clients, disconnects them, stops following the engine and closes the flows' sockets.
   * Containers keep running. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        void this.io.close(() => resolve());
      });
      await this.manager.close();
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
