import type { EngineClient } from '@pocketdock/engine-socket';
import type { ContainerManager } from '../container-manager.js';
import type { AckResponse } from '../event-schemas.js';
import type { FlowSocket, HandlerExtension } from '../handler-extension.js';
import type { ActivityEntry, ContainerStatus } from '../models.js';
import type { Monitor } from '../monitoring/monitor.js';
import type { SocketCommunicationHandler, SocketHandlerEvents } from '../socket-communication-handler.js';
import type { FlowServer } from '../socketio-event-handler.js';
import type { UserActivityLogger } from '../user-activity-logger.js';
import { tailLogs } from './crash-logs.js';
import { KAWAFLOW_ACTIVITY, KAWAFLOW_REPLIES, epochSeconds, kawaflowError, kawaflowReply, kawaflowStatus } from './kawaflow-format.js';

export interface KawaflowCompatOptions {
  io: FlowServer;
  manager: ContainerManager;
  sockets: SocketCommunicationHandler;
  activity: UserActivityLogger;
  monitor: Monitor;
  engine: EngineClient;
}

type Untyped = { emit(event: string, payload: unknown): boolean };

/**
 * kawaflow's protocol next to ours (the `kawaflow` option): every answer is also emitted to the requester as
 * kawaflow's reply event (`container_created`, ..., `container_status`, `container_list`, or `error` in the seed's
 * format), requests sent without an acknowledgement are answered so, `get_container_status` is an alias of
 * `get_status`, a client gets `connected` on connecting, and kawaflow's pushes go to every client: `status_changed`,
 * `container_crashed` (with the last log lines), `container_health_warning`, `container_status_update` (the
 * monitoring's period), `activity_log`, `message_received`. Our acknowledgements and room pushes are unchanged.
 */
export class KawaflowCompat implements HandlerExtension {
  readonly aliases = { get_container_status: 'get_status' } as const;
  readonly answerWithoutAck = true;
  readonly #o: KawaflowCompatOptions;
  readonly #io: Untyped;
  readonly #last = new Map<string, { state: ContainerStatus['state']; health: ContainerStatus['health'] }>();
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: KawaflowCompatOptions) {
    this.#o = options;
    this.#io = options.io;
    for (const c of options.manager.listContainers()) {
      const s = options.manager.statusOf(c.container_id);
      if (s) this.#last.set(s.container_id, { state: s.state, health: s.health });
    }
    const onStatus = (s: ContainerStatus): void => this.#status(s);
    const onActivity = (e: ActivityEntry): void => this.#activity(e);
    const onMessage = (...[id, event]: SocketHandlerEvents['message']): void => {
      this.#io.emit('message_received', { container_id: id, message: { command: event.event, data: event.message }, timestamp: epochSeconds() });
    };
    const onUpdate = (s: ContainerStatus): void => {
      const { state, health, socket_connected, uptime, resource_usage } = kawaflowStatus(s, this.#sample(s.container_id));
      this.#io.emit('container_status_update', { container_id: s.container_id, status: { state, health, socket_connected, uptime, resource_usage }, timestamp: epochSeconds() });
    };
    options.manager.on('status', onStatus);
    options.activity.on('activity', onActivity);
    options.sockets.on('message', onMessage);
    options.monitor.on('status_update', onUpdate);
    this.#unsubscribe.push(
      () => options.manager.off('status', onStatus),
      () => options.activity.off('activity', onActivity),
      () => options.sockets.off('message', onMessage),
      () => options.monitor.off('status_update', onUpdate),
    );
  }

  connected(socket: FlowSocket): void {
    (socket as unknown as Untyped).emit('connected', { message: 'Connected to flow-manager' });
  }

  answered(socket: FlowSocket, event: string, payload: unknown, response: AckResponse<unknown>): void {
    const s = socket as unknown as Untyped;
    if (!('ok' in response)) {
      s.emit('error', kawaflowError(response, event));
      return;
    }
    const reply = Object.hasOwn(KAWAFLOW_REPLIES, event) ? KAWAFLOW_REPLIES[event] : undefined;
    if (reply === undefined) return; // ours only (subscribe, ...): the acknowledgement is the answer
    const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    s.emit(reply, kawaflowReply(event, p, response.data, (id) => this.#sample(id)));
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #sample(id: string): ReturnType<Monitor['usageHistory']>[number] | undefined {
    return this.#o.monitor.usageHistory(id, 1)[0];
  }

  #status(s: ContainerStatus): void {
    const last = this.#last.get(s.container_id);
    if (s.state === 'removing') this.#last.delete(s.container_id);
    else this.#last.set(s.container_id, { state: s.state, health: s.health });
    const now = epochSeconds();
    if (last?.state !== s.state) this.#io.emit('status_changed', { container_id: s.container_id, old_state: last?.state ?? null, new_state: s.state, timestamp: now });
    if (s.health === 'unhealthy' && last?.health !== 'unhealthy') {
      this.#io.emit('container_health_warning', { container_id: s.container_id, health: s.health, timestamp: now });
      this.#io.emit('activity_log', { activity_type: 'health_warning', container_id: s.container_id, message: `${s.name} is unhealthy`, details: { health: s.health, state: s.state }, timestamp: now });
    }
  }

  #activity(e: ActivityEntry): void {
    const timestamp = epochSeconds(Date.parse(e.timestamp));
    this.#io.emit('activity_log', { activity_type: KAWAFLOW_ACTIVITY[e.type], container_id: e.container_id, message: e.message, details: { name: e.name, type: e.type }, timestamp });
    if (e.type !== 'crashed') return;
    const exitCode = this.#o.manager.statusOf(e.container_id)?.exit_code ?? null;
    void tailLogs(this.#o.engine, e.container_id).then((logs) => {
      this.#io.emit('container_crashed', { container_id: e.container_id, exit_code: exitCode, crash_details: { error: e.message, logs: this.#o.activity.redact(e.container_id, logs) }, timestamp });
    });
  }
}
