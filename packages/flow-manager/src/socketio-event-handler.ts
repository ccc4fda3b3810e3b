import type { Server, Socket } from 'socket.io';
import type { ClusterLink } from './cluster/cluster-link.js';
import { EVENT_SCHEMAS } from './event-schemas.js';
import type { AckResponse, ClientEventName, ClientToServerEvents, ErrorResponse, ServerToClientEvents } from './event-schemas.js';
import { withRequesterDeadline } from './create-deadline.js';
import { FlowManagerError, payloadError } from './errors.js';
import { FLOW_EVENTS } from './flow-ops.js';
import type { FlowEventName, FlowOps } from './flow-ops.js';
import type { HandlerExtension, RequestContext } from './handler-extension.js';
import type { LocalFlows } from './local-flows.js';
import type { Subscriptions } from './subscriptions.js';
import type { SystemLogger } from './system-logger.js';
import { toFlowError } from './to-flow-error.js';
import type { UserActivityLogger } from './user-activity-logger.js';

export type FlowServer = Server<ClientToServerEvents, ServerToClientEvents>;
type FlowSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** The Socket.IO room of a container's subscribers. */
export const roomOf = (containerId: string): string => `container:${containerId}`;

/** The design's error object for any failure. */
export function errorResponse(err: unknown, what: string): ErrorResponse {
  const e = toFlowError(err, what);
  return { error: true, error_type: e.errorType, code: e.code, message: e.message, details: e.details, timestamp: new Date().toISOString() };
}

/** A client's identity for its subscriptions: `auth.client_id`, 1-128 of A-Z a-z 0-9 _ . : -, if it sent one. */
export function clientIdOf(auth: unknown): string | undefined {
  const id: unknown = (auth as Record<string, unknown> | undefined)?.['client_id'];
  return typeof id === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(id) ? id : undefined;
}

interface PendingAck {
  answered: boolean;
  answer: (response: AckResponse<unknown>) => void;
}

/**
 * Wires the client events to the container manager and the sockets: every payload is validated with zod and
 * answered through the acknowledgement (`{ ok: true, data }` or the error object); pushes (status, activity,
 * flow messages) go to the container's room only. A client is subscribed to the containers it creates; a client
 * with an identity (`auth.client_id`) gets its subscriptions back whenever it connects again. An unknown event is
 * answered `FM_UNKNOWN_EVENT` (through its acknowledgement, else as an `error` event).
 */
export class SocketIOEventHandler {
  readonly #io: FlowServer;
  readonly #flows: LocalFlows;
  readonly #ops: FlowOps;
  readonly #cluster: ClusterLink | undefined;
  readonly #activity: UserActivityLogger;
  readonly #logger: SystemLogger;
  readonly #subscriptions: Subscriptions;
  readonly #pending = new Set<PendingAck>();
  readonly #extensions: readonly HandlerExtension[];
  /** Every event name answered: built-in, extensions', aliases. */
  readonly #known: Set<string>;
  readonly #withoutAck: boolean;
  #closing = false;

  constructor(options: {
    io: FlowServer;
    /** The flows served here (own, and adopted in a cluster). */
    flows: LocalFlows;
    /** Requests on one flow: run here, or forwarded in a cluster. */
    ops: FlowOps;
    /** The cluster (list, subscriptions of client ids across instances), when there is one. */
    cluster?: ClusterLink | undefined;
    activity: UserActivityLogger;
    logger: SystemLogger;
    subscriptions: Subscriptions;
    /** Modules that add events, aliases and observers (see handler-extension.ts). */
    extensions?: readonly HandlerExtension[];
  }) {
    this.#io = options.io;
    this.#flows = options.flows;
    this.#ops = options.ops;
    this.#cluster = options.cluster;
    this.#activity = options.activity;
    this.#logger = options.logger;
    this.#subscriptions = options.subscriptions;
    this.#extensions = options.extensions ?? [];
    this.#known = new Set(Object.keys(EVENT_SCHEMAS));
    for (const ext of this.#extensions) for (const name of [...Object.keys(ext.events ?? {}), ...Object.keys(ext.aliases ?? {})]) this.#known.add(name);
    this.#withoutAck = this.#extensions.some((ext) => ext.answerWithoutAck === true);
    this.#flows.on('status', (status) => {
      this.#io.to(roomOf(status.container_id)).emit('container_status', status);
      if (status.state === 'removing') {
        this.#io.in(roomOf(status.container_id)).socketsLeave(roomOf(status.container_id));
        this.#subscriptions.forgetContainer(status.container_id);
      }
    });
    this.#activity.on('activity', (entry) => this.#io.to(roomOf(entry.container_id)).emit('activity', entry));
    this.#flows.on('message', (id, event) => {
      this.#io.to(roomOf(id)).emit('flow_message', { container_id: id, event: event.event, message: event.message, timestamp: new Date().toISOString() });
      this.#record(id, 'message_received', (name) => `${name} sent "${event.event}"`);
    });
    this.#flows.on('connected', (id) => this.#connection(id, true));
    this.#flows.on('disconnected', (id) => this.#connection(id, false));
    this.#io.on('connection', (socket) => this.#attach(socket));
  }

  /** Stops taking requests: those under way are answered `FM_SHUTTING_DOWN` now (before clients are disconnected), new ones at once. */
  shutdown(): void {
    this.#closing = true;
    const response = errorResponse(shuttingDown(), 'shutdown');
    for (const p of [...this.#pending]) p.answer(response);
  }

  #connection(id: string, connected: boolean): void {
    const status = this.#flows.statusOf(id);
    if (!status) return;
    this.#io.to(roomOf(id)).emit('container_status', status);
    this.#record(id, connected ? 'flow_connected' : 'flow_disconnected', (name) => `${name}'s flow ${connected ? 'connected' : 'disconnected'}`);
  }

  #record(id: string, type: 'message_received' | 'message_sent' | 'flow_connected' | 'flow_disconnected', message: (name: string) => string): void {
    const status = this.#flows.statusOf(id);
    if (status) this.#activity.record({ container_id: id, name: status.name, type, message: message(status.name) });
  }

  #attach(socket: FlowSocket): void {
    const identity = clientIdOf(socket.handshake.auth);
    if (identity !== undefined) {
      const rooms = this.#subscriptions.of(identity).filter((id) => this.#flows.has(id));
      if (rooms.length > 0) void socket.join(rooms.map(roomOf));
      // In a cluster the client's subscriptions are kept in Redis too: flows served by other instances included.
      this.#cluster?.subscriptionsOf(identity).then(
        (ids) => (socket.connected && ids.length > 0 ? socket.join(ids.map(roomOf)) : undefined),
        (err: unknown) => this.#logger.warn({ err, client_id: identity }, 'could not read the client\'s subscriptions from the cluster'),
      );
    }
    const mine = new Set<PendingAck>();
    socket.once('disconnect', () => {
      for (const p of mine) this.#pending.delete(p);
      mine.clear();
    });
    for (const ext of this.#extensions) ext.connected?.(socket);
    socket.onAny((event: string, ...args: unknown[]) => {
      if (this.#known.has(event)) return;
      const name = String(event).slice(0, 128);
      const err = new FlowManagerError('FM_UNKNOWN_EVENT', `unknown event "${name}"; events: ${[...this.#known].join(', ')}`, { details: { event: name } });
      const ack = args.at(-1);
      const response = errorResponse(err, name);
      if (typeof ack === 'function') (ack as (r: ErrorResponse) => void)(response);
      else if (!this.#withoutAck) socket.emit('error', response);
      for (const ext of this.#extensions) ext.answered?.(socket, name, args[0], response, typeof ack === 'function');
    });

    /** Answers `event` (and its aliases) with `run`, after validating the payload with `schema`. */
    const route = (event: string, schema: Parameters<typeof validate>[0], run: (payload: never) => Promise<unknown>): void => {
      const names = [event, ...this.#extensions.flatMap((ext) => Object.entries(ext.aliases ?? {}).filter(([, to]) => to === event).map(([alias]) => alias))];
      for (const name of names) (socket as unknown as { on: (e: string, l: (...args: unknown[]) => void) => void }).on(name, (...args: unknown[]) => this.#request(socket, mine, name, schema, run, args));
    };
    const on = <E extends ClientEventName>(event: E, run: (payload: ReturnType<(typeof EVENT_SCHEMAS)[E]['parse']>) => Promise<unknown>): void => route(event, EVENT_SCHEMAS[event], run);
    const subscribe = async (id: string): Promise<void> => {
      await socket.join(roomOf(id));
      if (identity !== undefined) {
        this.#subscriptions.add(identity, id);
        this.#cluster?.addSubscription(identity, id);
      }
    };
    const flowOp = (event: FlowEventName): void => on(event, (p) => this.#ops.run(event, p as Record<string, unknown>));

    on('create_container', async ({ timeout_ms: timeoutMs, ...config }) => {
      const info = await withRequesterDeadline(socket, timeoutMs, (signal) => this.#flows.primary.manager.createContainer(config, { signal }));
      await subscribe(info.container_id);
      // What happened before the creator was in the room (created, started, perhaps its flow connecting).
      for (const entry of this.#activity.recent(info.container_id)) socket.emit('activity', entry);
      return info;
    });
    for (const event of FLOW_EVENTS) if (event !== 'subscribe') flowOp(event);
    on('list_containers', () => (this.#cluster ? this.#cluster.listAll() : Promise.resolve(this.#flows.list())));
    on('subscribe', async (p) => {
      // Resolved where the flow is (here, or the instance that serves it): the answer names its full id.
      const answer = (await this.#ops.run('subscribe', p)) as { container_id: string; activity: unknown[] };
      await subscribe(answer.container_id);
      return answer;
    });
    on('unsubscribe', async (p) => {
      let id = p.container_id;
      try {
        id = this.#flows.get(p.container_id).id;
      } catch (err) {
        if (!FlowManagerError.is(err)) throw err; // a deleted container: leaving its room is still fine
        // served by another member: its full id from there (a name or a prefix names no room here)
        if (this.#cluster) id = await this.#ops.run('get_status', { container_id: p.container_id }).then((s) => (s as { container_id: string }).container_id, () => p.container_id);
      }
      await socket.leave(roomOf(id));
      if (identity !== undefined) {
        this.#subscriptions.remove(identity, id);
        this.#cluster?.removeSubscription(identity, id);
      }
      return { container_id: id };
    });
    const ctx: RequestContext = { socket, identity, subscribe };
    for (const ext of this.#extensions) for (const [name, e] of Object.entries(ext.events ?? {})) route(name, e.schema, (p: unknown) => e.run(p, ctx));
  }

  /** One request: validated, run, answered once (through its acknowledgement, and to the extensions). */
  #request(socket: FlowSocket, mine: Set<PendingAck>, event: string, schema: Parameters<typeof validate>[0], run: (payload: never) => Promise<unknown>, args: unknown[]): void {
    // Untyped at the edge: a client may send anything, or leave out the payload and pass only the ack.
    const last = args.at(-1);
    const acked = typeof last === 'function';
    if (!acked && !this.#withoutAck) {
      this.#logger.debug({ event, client: socket.id }, 'event without an acknowledgement: ignored');
      return;
    }
    const payload = acked ? (args.length > 1 ? args[0] : {}) : args[0];
    const pending: PendingAck = {
      answered: false,
      answer: (response) => {
        if (pending.answered) return;
        pending.answered = true;
        this.#pending.delete(pending);
        mine.delete(pending);
        if (acked) (last as (r: AckResponse<unknown>) => void)(response);
        for (const ext of this.#extensions) ext.answered?.(socket, event, payload, response, acked);
      },
    };
    if (this.#closing) return pending.answer(errorResponse(shuttingDown(), event));
    const parsed = validate(schema, payload ?? {});
    if (!parsed.success) return pending.answer(errorResponse(payloadError(parsed.error.issues), event));
    this.#pending.add(pending);
    mine.add(pending);
    const started = performance.now();
    run(parsed.data as never).then(
      (data) => pending.answer({ ok: true, data }),
      (err: unknown) => {
        const response = errorResponse(err, event);
        const level = response.error_type === 'system_error' && response.code !== 'FM_SHUTTING_DOWN' ? 'error' : 'info';
        this.#logger[level]({ event, client: socket.id, code: response.code, ms: Math.round(performance.now() - started) }, response.message);
        pending.answer(response);
      },
    );
  }
}

type Issues = ReadonlyArray<{ path: PropertyKey[]; message: string }>;
const validate = (schema: { safeParse: (v: unknown) => { success: true; data: unknown } | { success: false; error: { issues: Issues } } }, value: unknown): ReturnType<typeof schema.safeParse> =>
  schema.safeParse(value);

const shuttingDown = (): FlowManagerError => new FlowManagerError('FM_SHUTTING_DOWN', 'the flow-manager is stopping; try again once it is back');
