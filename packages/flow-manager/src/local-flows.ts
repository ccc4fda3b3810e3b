import { EventEmitter } from 'node:events';
import type { FlowEvent } from '@pocketdock/flow-runtime';
import type { ContainerManager } from './container-manager.js';
import { FlowManagerError } from './errors.js';
import type { ContainerInfo, ContainerStatus } from './models.js';
import type { SocketCommunicationHandler } from './socket-communication-handler.js';

/** One instance's flows as served here: its container manager and its flows' sockets. */
export interface FlowCore {
  instance: string;
  manager: ContainerManager;
  sockets: SocketCommunicationHandler;
}

export interface LocalFlowsEvents {
  status: [ContainerStatus];
  message: [containerId: string, event: FlowEvent];
  connected: [containerId: string];
  disconnected: [containerId: string];
}

/**
 * The flows this process serves: its own instance's (`primary`) and, in a cluster, those of dead instances it adopted.
 * Re-emits every core's status, flow messages and flow connections, so the Socket.IO layer listens in one place.
 */
export class LocalFlows extends EventEmitter<LocalFlowsEvents> {
  readonly primary: FlowCore;
  readonly #cores: FlowCore[] = [];

  constructor(primary: FlowCore) {
    super();
    this.primary = primary;
    this.add(primary);
  }

  add(core: FlowCore): void {
    this.#cores.push(core);
    core.manager.on('status', (s) => this.emit('status', s));
    core.sockets.on('message', (id, e) => this.emit('message', id, e));
    core.sockets.on('connected', (id) => this.emit('connected', id));
    core.sockets.on('disconnected', (id) => this.emit('disconnected', id));
  }

  cores(): readonly FlowCore[] {
    return this.#cores;
  }

  /** The instances served here (own first). */
  instances(): string[] {
    return this.#cores.map((c) => c.instance);
  }

  /**
   * The core serving `ref` (an id, a name, or an id prefix) with its full id, or undefined when no core here has it.
   * An ambiguous prefix throws as it does on one manager.
   */
  find(ref: string): { core: FlowCore; id: string } | undefined {
    for (const core of this.#cores) {
      try {
        return { core, id: core.manager.resolveId(ref) };
      } catch (err) {
        if (!(FlowManagerError.is(err) && err.code === 'FM_CONTAINER_NOT_FOUND')) throw err;
      }
    }
    return undefined;
  }

  /** Like `find`, but throws the primary's own `FM_CONTAINER_NOT_FOUND` when nobody here has it. */
  get(ref: string): { core: FlowCore; id: string } {
    const found = this.find(ref);
    if (found) return found;
    this.primary.manager.resolveId(ref); // throws FM_CONTAINER_NOT_FOUND
    throw new FlowManagerError('FM_CONTAINER_NOT_FOUND', `no container ${ref}`, { details: { container_id: ref } });
  }

  has(id: string): boolean {
    return this.#cores.some((c) => c.manager.has(id));
  }

  statusOf(id: string): ContainerStatus | undefined {
    for (const c of this.#cores) {
      const s = c.manager.statusOf(id);
      if (s) return s;
    }
    return undefined;
  }

  list(): ContainerInfo[] {
    return this.#cores.flatMap((c) => c.manager.listContainers());
  }

  /** Closes every adopted core (the primary is the service's to close). */
  async closeAdopted(): Promise<void> {
    await Promise.allSettled(this.#cores.filter((c) => c !== this.primary).map((c) => c.manager.close()));
  }
}
