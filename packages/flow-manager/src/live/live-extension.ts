import type { EngineClient } from '@pocketdock/engine-socket';
import type { Server } from 'socket.io';
import type { ContainerManager } from '../container-manager.js';
import { FlowManagerError } from '../errors.js';
import type { ExtensionEvent, FlowSocket, HandlerExtension, RequestContext } from '../handler-extension.js';
import { LABEL_INSTANCE } from '../labels.js';
import type { SystemLogger } from '../system-logger.js';
import { roomOf } from '../socketio-event-handler.js';
import { listOtherContainers } from './engine-overview.js';
import { LIVE_EVENT_SCHEMAS, OVERVIEW_ROOM, logsRoomOf } from './live-events.js';
import type { LiveClientToServerEvents, LiveContainer, LiveEventName, LiveServerToClientEvents } from './live-events.js';
import { LogFollower } from './log-follower.js';
import { StatsSampler } from './stats-sampler.js';
import { Terminals } from './terminals.js';

type LiveServer = Server<LiveClientToServerEvents, LiveServerToClientEvents>;
type Payload<E extends LiveEventName> = ReturnType<(typeof LIVE_EVENT_SCHEMAS)[E]['parse']>;

export interface LiveOptions {
  io: Server;
  manager: ContainerManager;
  engine: EngineClient;
  logger: SystemLogger;
  instance: string;
  /** Terminals open at most (all clients); one per container per client in any case. */
  maxTerminals: number;
  /** A terminal without traffic for this long is closed. */
  terminalIdleMs: number;
  /** Containers one client may follow the logs of at once. */
  maxLogFollowsPerClient: number;
  /** How often the overview's resource samples (and the other containers' states) are pushed. */
  statsIntervalMs: number;
}

/**
 * The dashboard's live events, as a handler extension (validated, acknowledged and answered like every other
 * event): the overview (`live:overview` room: every status push, and a `live_tick` of resource samples and the
 * other pocketdock containers while anyone watches), log following (room `logs:<id>`, one engine stream per
 * container whoever follows it), and terminals (see terminals.ts). `close()` ends all of it.
 */
export class LiveEvents implements HandlerExtension {
  readonly events: Readonly<Record<string, ExtensionEvent>>;
  readonly #o: LiveOptions;
  readonly #io: LiveServer;
  readonly #stats: StatsSampler;
  readonly #terminals: Terminals;
  readonly #watchers = new Set<string>();
  readonly #logs = new Map<string, { follower: LogFollower; clients: Set<string>; ready: Promise<void> }>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(options: LiveOptions) {
    this.#o = options;
    this.#io = options.io;
    this.#stats = new StatsSampler({ engine: options.engine, concurrency: 4 });
    this.#terminals = new Terminals({ engine: options.engine, maxTerminals: options.maxTerminals, idleMs: options.terminalIdleMs, command: ['/bin/sh'] });
    options.manager.on('status', (status) => this.#io.to(OVERVIEW_ROOM).except(roomOf(status.container_id)).emit('container_status', status));
    const event = <E extends LiveEventName>(name: E, run: (p: Payload<E>, ctx: RequestContext) => Promise<unknown>): [string, ExtensionEvent] => [
      name,
      // async: a synchronous throw becomes the answer, never an exception in Socket.IO's dispatch.
      { schema: LIVE_EVENT_SCHEMAS[name], run: async (p, ctx) => run(p as Payload<E>, ctx) },
    ];
    this.events = Object.fromEntries([
      event('live_overview', async (_p, { socket }) => {
        await socket.join(OVERVIEW_ROOM);
        this.#watchers.add(socket.id);
        this.#schedule();
        return { instance: this.#o.instance, containers: await this.#overview() };
      }),
      event('live_overview_leave', async (_p, { socket }) => {
        await socket.leave(OVERVIEW_ROOM);
        this.#watchers.delete(socket.id);
        return { left: true };
      }),
      event('live_logs', (p, { socket }) => this.#follow(socket, p.container_id, p.tail ?? 200)),
      event('live_logs_stop', async (p, { socket }) => {
        for (const [id, entry] of this.#logs) if (id === p.container_id || id.startsWith(p.container_id)) await this.#unfollow(socket, id, entry);
        return { container_id: p.container_id };
      }),
      event('terminal_open', async (p, { socket }) => {
        const id = this.#o.manager.resolveId(p.container_id);
        const emit: Parameters<Terminals['open']>[3] = (e, ...args) => (socket as unknown as { emit: (e: string, ...a: unknown[]) => void }).emit(e, ...args);
        const conn = socket.conn as unknown as { writeBuffer: unknown[]; once: (e: 'drain', l: () => void) => void };
        const terminalId = await this.#terminals.open(socket.id, id, p, emit, { queued: () => conn.writeBuffer.length, onDrain: (cb) => conn.once('drain', cb) });
        return { terminal_id: terminalId, container_id: id };
      }),
      event('terminal_input', (p, { socket }) => Promise.resolve({ bytes: this.#terminals.input(socket.id, p.terminal_id, p.data) })),
      event('terminal_resize', async (p, { socket }) => {
        await this.#terminals.resize(socket.id, p.terminal_id, p);
        return { cols: p.cols, rows: p.rows };
      }),
      event('terminal_close', async (p, { socket }) => {
        await this.#terminals.close(p.terminal_id, 'closed', socket.id);
        return { terminal_id: p.terminal_id };
      }),
    ]);
  }

  connected(socket: FlowSocket): void {
    socket.once('disconnect', () => {
      this.#watchers.delete(socket.id);
      for (const [id, entry] of this.#logs) void this.#unfollow(socket, id, entry);
      void this.#terminals.closeOwner(socket.id);
    });
  }

  /** Open terminals (all clients). */
  get terminals(): number {
    return this.#terminals.size;
  }

  async #overview(): Promise<LiveContainer[]> {
    const m = this.#o.manager;
    const own: LiveContainer[] = m.listContainers().flatMap((info) => {
      const status = m.statusOf(info.container_id);
      if (status === undefined) return [];
      return [{ container_id: info.container_id, name: info.name, image: info.image, state: status.state, health: status.health, uptime: status.uptime, kind: 'flow' as const, managed_here: true, status }];
    });
    const others = await listOtherContainers(this.#o.engine, this.#o.instance, this.#abort.signal).catch(() => []);
    return [...own, ...others];
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#abort.signal.aborted) return;
    this.#timer = setInterval(() => void this.#tick(), this.#o.statsIntervalMs);
    void this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#watchers.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const others = await listOtherContainers(this.#o.engine, this.#o.instance, this.#abort.signal).catch(() => []);
      const running = [
        ...this.#o.manager.listContainers().filter((c) => this.#o.manager.statusOf(c.container_id)?.state === 'running').map((c) => c.container_id),
        ...others.filter((c) => c.state === 'running').map((c) => c.container_id),
      ];
      const samples = await this.#stats.sample(running, this.#abort.signal);
      const m = this.#o.manager;
      const flows = m.listContainers().flatMap((c) => m.statusOf(c.container_id) ?? []);
      if (!this.#abort.signal.aborted) this.#io.to(OVERVIEW_ROOM).emit('live_tick', { flows, others, samples });
    } catch (err) {
      this.#o.logger.debug({ err: (err as Error).message }, 'live tick failed');
    } finally {
      this.#ticking = false;
    }
  }

  /** Own flows by any reference the manager knows; other containers by full id, if pocketdock manages them. */
  async #resolveReadable(ref: string): Promise<string> {
    try {
      return this.#o.manager.resolveId(ref);
    } catch (err) {
      if (!FlowManagerError.is(err) || err.code !== 'FM_CONTAINER_NOT_FOUND' || !/^[a-f0-9]{64}$/.test(ref)) throw err;
    }
    const info = await this.#o.engine.json<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>({ path: `/containers/${ref}/json` }).catch(() => undefined);
    const labels = info?.Config?.Labels ?? {};
    if (info === undefined || labels['pocketdock.managed'] !== 'true' || labels[LABEL_INSTANCE] === this.#o.instance) {
      throw new FlowManagerError('FM_CONTAINER_NOT_FOUND', `no pocketdock container ${ref}`, { details: { container_id: ref } });
    }
    return info.Id;
  }

  async #follow(socket: FlowSocket, ref: string, tail: number): Promise<{ container_id: string; lines: ReturnType<LogFollower['history']['slice']> }> {
    const id = await this.#resolveReadable(ref);
    const mine = [...this.#logs.values()].filter((e) => e.clients.has(socket.id)).length;
    let entry = this.#logs.get(id);
    if (entry?.clients.has(socket.id) !== true && mine >= this.#o.maxLogFollowsPerClient) {
      throw new FlowManagerError('FM_LIVE_LIMIT', `this client follows the logs of ${mine} containers (at most ${this.#o.maxLogFollowsPerClient}); stop one first`, {
        details: { max_log_follows: this.#o.maxLogFollowsPerClient },
      });
    }
    if (entry === undefined) {
      const follower = new LogFollower({
        engine: this.#o.engine,
        containerId: id,
        historyLines: 1_000,
        tail,
        batchMs: 50,
        onLines: (lines) => this.#io.to(logsRoomOf(id)).emit('live_log', { container_id: id, lines }),
      });
      const created = { follower, clients: new Set<string>(), ready: follower.start() };
      entry = created;
      this.#logs.set(id, created);
      created.ready.catch(() => {
        follower.close();
        if (this.#logs.get(id) === created) this.#logs.delete(id);
      });
    }
    entry.clients.add(socket.id);
    await socket.join(logsRoomOf(id));
    await entry.ready;
    entry.follower.flush(); // pushed before this answer, and part of the history it carries
    return { container_id: id, lines: entry.follower.history };
  }

  async #unfollow(socket: FlowSocket, id: string, entry: { follower: LogFollower; clients: Set<string> }): Promise<void> {
    if (!entry.clients.delete(socket.id)) return;
    await socket.leave(logsRoomOf(id));
    if (entry.clients.size === 0) {
      entry.follower.close();
      this.#logs.delete(id);
    }
  }

  /** Stops the ticks, the log streams and every terminal. Idempotent. */
  async close(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#logs.values()) entry.follower.close();
    this.#logs.clear();
    await this.#terminals.closeAll();
  }
}
