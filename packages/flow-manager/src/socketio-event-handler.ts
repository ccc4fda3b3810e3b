import type { Server, Socket } from 'socket.io';
import type { ContainerManager } from './container-manager.js';
import { EVENT_SCHEMAS } from './event-schemas.js';
import type { AckResponse, ClientEventName, ClientToServerEvents, ErrorResponse, ServerToClientEvents } from './event-schemas.js';
import { FlowManagerError, payloadError } from './errors.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';
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

/**
 * Wires the client events to the container manager and the sockets: every payload is validated with zod and
 * answered through the acknowledgement (`{ ok: true, data }` or the error object); pushes (status, activity,
 * flow messages) go to the container's room only. A client is subscribed to the containers it creates.
 */
export class SocketIOEventHandler {
  readonly #io: FlowServer;
  readonly #manager: ContainerManager;
  readonly #sockets: SocketCommunicationHandler;
  readonly #activity: UserActivityLogger;
  readonly #logger: SystemLogger;

  constructor(options: { io: FlowServer; manager: ContainerManager; sockets: SocketCommunicationHandler; activity: UserActivityLogger; logger: SystemLogger }) {
    this.#io = options.io;
    this.#manager = options.manager;
    this.#sockets = options.sockets;
    this.#activity = options.activity;
    this.#logger = options.logger;
    this.#manager.on('status', (status) => {
      this.#io.to(roomOf(status.container_id)).emit('container_status', status);
      if (status.state === 'removing') this.#io.in(roomOf(status.container_id)).socketsLeave(roomOf(status.container_id));
    });
    this.#activity.on('activity', (entry) => this.#io.to(roomOf(entry.container_id)).emit('activity', entry));
    this.#sockets.on('message', (id, event) => {
      this.#io.to(roomOf(id)).emit('flow_message', { container_id: id, event: event.event, message: event.message, timestamp: new Date().toISOString() });
      this.#record(id, 'message_received', (name) => `${name} sent "${event.event}"`);
    });
    this.#sockets.on('connected', (id) => this.#connection(id, true));
    this.#sockets.on('disconnected', (id) => this.#connection(id, false));
    this.#io.on('connection', (socket) => this.#attach(socket));
  }

  #connection(id: string, connected: boolean): void {
    const status = this.#manager.statusOf(id);
    if (!status) return;
    this.#io.to(roomOf(id)).emit('container_status', status);
    this.#record(id, connected ? 'flow_connected' : 'flow_disconnected', (name) => `${name}'s flow ${connected ? 'connected' : 'disconnected'}`);
  }

  #record(id: string, type: 'message_received' | 'message_sent' | 'flow_connected' | 'flow_disconnected', message: (name: string) => string): void {
    const status = this.#manager.statusOf(id);
    if (status) this.#activity.record({ container_id: id, name: status.name, type, message: message(status.name) });
  }

  #attach(socket: FlowSocket): void {
    const on = <E extends ClientEventName>(event: E, run: (payload: ReturnType<(typeof EVENT_SCHEMAS)[E]['parse']>) => Promise<unknown>): void => {
      // Untyped at the edge: a client may send anything, or leave out the payload and pass only the ack.
      (socket as unknown as { on: (e: string, l: (...args: unknown[]) => void) => void }).on(event, (...args: unknown[]) => {
        const ack = args.at(-1);
        if (typeof ack !== 'function') {
          this.#logger.debug({ event, client: socket.id }, 'event without an acknowledgement: ignored');
          return;
        }
        const payload = args.length > 1 ? args[0] : {};
        const answer = ack as (r: AckResponse<unknown>) => void;
        const parsed = EVENT_SCHEMAS[event].safeParse(payload ?? {});
        if (!parsed.success) {
          answer(errorResponse(payloadError(parsed.error.issues), event));
          return;
        }
        const started = performance.now();
        run(parsed.data as ReturnType<(typeof EVENT_SCHEMAS)[E]['parse']>).then(
          (data) => answer({ ok: true, data }),
          (err: unknown) => {
            const response = errorResponse(err, event);
            const level = response.error_type === 'system_error' ? 'error' : 'info';
            this.#logger[level]({ event, client: socket.id, code: response.code, ms: Math.round(performance.now() - started) }, response.message);
            answer(response);
          },
        );
      });
    };

    on('create_container', async (p) => {
      const info = await this.#manager.createContainer(p);
      await socket.join(roomOf(info.container_id));
      // What happened before the creator was in the room (created, started, perhaps its flow connecting).
      for (const entry of this.#activity.recent(info.container_id)) socket.emit('activity', entry);
      return info;
    });
    on('start_container', (p) => this.#manager.startContainer(p.container_id));
    on('stop_container', (p) => this.#manager.stopContainer(p.container_id));
    on('restart_container', (p) => this.#manager.restartContainer(p.container_id));
    on('update_container', (p) => this.#manager.updateContainer(p.container_id, p.code_path));
    on('delete_container', (p) => this.#manager.deleteContainer(p.container_id));
    on('get_status', (p) => this.#manager.getContainerStatus(p.container_id, { refresh: p.refresh ?? false }));
    on('list_containers', () => Promise.resolve(this.#manager.listContainers()));
    on('send_message', async (p) => {
      const id = this.#manager.resolveId(p.container_id);
      this.#record(id, 'message_sent', (name) => `message sent to ${name}`);
      const reply = await this.#sockets.sendMessage(id, p.message ?? null, p.timeout_ms === undefined ? {} : { timeoutMs: p.timeout_ms });
      return { container_id: id, reply };
    });
    on('subscribe', async (p) => {
      const id = this.#manager.resolveId(p.container_id);
      await socket.join(roomOf(id));
      return { container_id: id, activity: this.#activity.recent(id) };
    });
    on('unsubscribe', async (p) => {
      let id = p.container_id;
      try {
        id = this.#manager.resolveId(p.container_id);
      } catch (err) {
        if (!FlowManagerError.is(err)) throw err; // a deleted container: leaving its room is still fine
      }
      await socket.leave(roomOf(id));
      return { container_id: id };
    });
  }
}
