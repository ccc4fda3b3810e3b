import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { AnswerOf, ClientEvents, ContainerStatus, LiveContainer, PayloadOf, Row, ServerEvents, StatsSample } from './types.js';

export const TOKEN_KEY = 'pocketdock.dashboard.token';
const HISTORY = 60;

/** A refusal or failure, with flow-manager's stable code when there is one. */
export class LiveError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;

/**
 * The page's one Socket.IO connection and the overview's state. Pushes are applied as they arrive; listeners are
 * told once per animation frame at most, so a burst of pushes costs one render.
 */
export class Live {
  readonly socket: Socket<ServerEvents, ClientEvents>;
  readonly rows = new Map<string, Row>();
  instance = '';
  readonly #listeners = new Set<Listener>();
  #frame = 0;
  #refetch: ReturnType<typeof setTimeout> | undefined;

  private constructor(socket: Socket<ServerEvents, ClientEvents>) {
    this.socket = socket;
  }

  /** Connects with the token (sent in the handshake's auth payload, never in a URL); rejects with the refusal. */
  static connect(token: string): Promise<Live> {
    const socket: Socket<ServerEvents, ClientEvents> = io({ auth: { token }, transports: ['websocket'], reconnection: true, autoConnect: false });
    return new Promise((resolve, reject) => {
      const fail = (err: Error & { data?: { code?: string } }): void => {
        socket.off('connect', ok);
        socket.disconnect();
        const code = err.data?.code ?? 'CONNECT_FAILED';
        reject(new LiveError(code, code === 'FM_UNAUTHORIZED' ? 'The service refused this token. Check it and try again.' : `Cannot reach the service: ${err.message}`));
      };
      const ok = (): void => {
        socket.off('connect_error', fail);
        const live = new Live(socket);
        live.#wire();
        resolve(live);
      };
      socket.once('connect_error', fail);
      socket.once('connect', ok);
      socket.connect();
    });
  }

  /** A request and its acknowledgement: the answer, or a LiveError with the service's code. */
  request<E extends keyof ClientEvents>(event: E, payload: PayloadOf<E>, timeoutMs = 30_000): Promise<AnswerOf<E>> {
    return new Promise((resolve, reject) => {
      const timed = this.socket.timeout(timeoutMs) as unknown as { emit: (e: string, p: unknown, ack: (err: Error | null, r: unknown) => void) => void };
      timed.emit(event, payload, (err, response) => {
        if (err) return reject(new LiveError('TIMEOUT', `${event}: no answer within ${timeoutMs / 1000} s`));
        const r = response as { ok?: true; data?: unknown; code?: string; message?: string };
        if (r.ok === true) resolve(r.data as AnswerOf<E>);
        else reject(new LiveError(r.code ?? 'UNKNOWN', r.message ?? 'failed'));
      });
    });
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      for (const l of this.#listeners) l();
    });
  }

  close(): void {
    this.socket.disconnect();
  }

  async loadOverview(): Promise<void> {
    const { instance, containers } = await this.request('live_overview', {});
    this.instance = instance;
    const seen = new Set<string>();
    for (const c of containers) {
      seen.add(c.container_id);
      this.#upsert(c);
    }
    for (const id of this.rows.keys()) if (!seen.has(id)) this.rows.delete(id);
    this.changed();
  }

  #wire(): void {
    this.socket.on('container_status', (s) => this.#status(s));
    this.socket.on('live_tick', ({ flows, others, samples }) => {
      for (const s of flows) this.#status(s, false);
      const seen = new Set(others.map((o) => o.container_id));
      for (const [id, row] of this.rows) if (!row.managed_here && !seen.has(id)) this.rows.delete(id);
      for (const o of others) this.#upsert(o);
      for (const s of samples) this.#sample(s);
      this.changed();
    });
    // After a reconnect (a service restart): the overview again, as it is now.
    this.socket.io.on('reconnect', () => void this.loadOverview().catch(() => undefined));
  }

  #upsert(c: LiveContainer): void {
    const old = this.rows.get(c.container_id);
    this.rows.set(c.container_id, { ...c, cpu: old?.cpu ?? [], mem: old?.mem ?? [], sample: old?.sample ?? null, pushedAt: old?.pushedAt ?? 0, receivedAt: performance.now() });
  }

  #status(s: ContainerStatus, pushed = true): void {
    const row = this.rows.get(s.container_id);
    if (row === undefined) {
      // A flow created since the overview was read (by anyone): read the overview once more, soon.
      this.#refetch ??= setTimeout(() => {
        this.#refetch = undefined;
        void this.loadOverview().catch(() => undefined);
      }, 50);
      return;
    }
    if (s.state === 'removing') this.rows.delete(s.container_id);
    else this.rows.set(s.container_id, { ...row, state: s.state, health: s.health, uptime: s.uptime, status: s, pushedAt: pushed ? performance.now() : row.pushedAt, receivedAt: performance.now() });
    this.changed();
  }

  #sample(s: StatsSample): void {
    const row = this.rows.get(s.container_id);
    if (row === undefined) return;
    const push = (list: number[], v: number | null): number[] => (v === null ? list : [...list, v].slice(-HISTORY));
    this.rows.set(s.container_id, { ...row, sample: s, cpu: push(row.cpu, s.cpu_percent), mem: push(row.mem, s.memory_bytes) });
  }
}
