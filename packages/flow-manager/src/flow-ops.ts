import { EVENT_SCHEMAS } from './event-schemas.js';
import { payloadError } from './errors.js';
import type { LocalFlows } from './local-flows.js';
import type { UserActivityLogger } from './user-activity-logger.js';

/** The requests that act on one flow: in a cluster, a request for a flow served elsewhere is forwarded to it. */
export const FLOW_EVENTS = ['start_container', 'stop_container', 'restart_container', 'update_container', 'delete_container', 'get_status', 'send_message', 'subscribe'] as const;
export type FlowEventName = (typeof FLOW_EVENTS)[number];

export const isFlowEvent = (event: string): event is FlowEventName => (FLOW_EVENTS as readonly string[]).includes(event);

/**
 * Runs a flow's request on the core that serves it here (`runLocal`: undefined when no core here has the flow), and
 * otherwise hands it to `forward` (the cluster) or fails with the local `FM_CONTAINER_NOT_FOUND`. `subscribe` only
 * answers what the subscriber needs (the id and recent activity): joining the room is the caller's.
 */
export class FlowOps {
  readonly #flows: LocalFlows;
  readonly #activity: UserActivityLogger;
  forward: ((event: FlowEventName, payload: Record<string, unknown>) => Promise<unknown>) | undefined;

  constructor(options: { flows: LocalFlows; activity: UserActivityLogger }) {
    this.#flows = options.flows;
    this.#activity = options.activity;
  }

  /** Always a promise (never a synchronous throw: Socket.IO's dispatch calls it). */
  async run(event: FlowEventName, payload: Record<string, unknown>): Promise<unknown> {
    const local = this.runLocal(event, payload);
    if (local) return local;
    if (this.forward) return this.forward(event, payload);
    return this.#flows.get(String(payload['container_id'])); // throws FM_CONTAINER_NOT_FOUND
  }

  /** The request run here, or undefined when no flow here matches (payloads from other nodes are validated again). */
  runLocal(event: FlowEventName, raw: unknown): Promise<unknown> | undefined {
    const parsed = EVENT_SCHEMAS[event].safeParse(raw);
    if (!parsed.success) return Promise.reject(payloadError(parsed.error.issues));
    const p = parsed.data as { container_id: string; code_path?: string; refresh?: boolean; message?: unknown; timeout_ms?: number };
    let found: ReturnType<LocalFlows['find']>;
    try {
      found = this.#flows.find(p.container_id);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err))); // an ambiguous prefix
    }
    if (!found) return undefined;
    const { core, id } = found;
    const m = core.manager;
    switch (event) {
      case 'start_container':
        return m.startContainer(id);
      case 'stop_container':
        return m.stopContainer(id);
      case 'restart_container':
        return m.restartContainer(id);
      case 'update_container':
        return m.updateContainer(id, p.code_path ?? '');
      case 'delete_container':
        return m.deleteContainer(id);
      case 'get_status':
        return m.getContainerStatus(id, { refresh: p.refresh ?? false });
      case 'subscribe':
        return Promise.resolve({ container_id: id, activity: this.#activity.recent(id) });
      case 'send_message':
        return (async () => {
          const status = m.statusOf(id);
          if (status) this.#activity.record({ container_id: id, name: status.name, type: 'message_sent', message: `message sent to ${status.name}` });
          const reply = await core.sockets.sendMessage(id, p.message ?? null, p.timeout_ms === undefined ? {} : { timeoutMs: p.timeout_ms });
          return { container_id: id, reply };
        })();
    }
  }
}
