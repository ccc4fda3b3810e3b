import { EngineClient } from '@pocketdock/engine-socket';
import type { EngineKind } from '@pocketdock/engine-socket';
import { HealthWatch, reconnectDelayMs } from './engine-health.js';
import type { HealthTiming } from './engine-health.js';
import { PoolError } from './errors.js';
import { parsePoolOptions } from './options.js';
import type { PoolOptions } from './options.js';
import { Pool, START } from './pool.js';
import type { PoolEvents, PoolStats } from './pool-events.js';
import { COUNTS, LIMITS } from './pool-limits.js';
import type { PoolCounts } from './pool-limits.js';
import { sweep } from './recovery.js';
import type { ResolvedEngine } from './multi-options.js';
import { Semaphore } from './semaphore.js';

/** `up`: in service; `down`: out of service, reconnecting with backoff; `closed`: the pool was shut down. */
export type EngineState = 'up' | 'down' | 'closed';

/** What an engine tells the pool over several engines. */
export interface MemberHooks {
  /** It joined (first time) or rejoined: its pool is ready. */
  up(member: EngineMember, rejoined: boolean): void;
  /** It was taken out: its pool is being shut down (its leases are revoked). */
  down(member: EngineMember, err: PoolError): void;
  /** An event of its pool (not `error`), to pass on. */
  event(member: EngineMember, event: keyof PoolEvents, info: object): void;
  report(err: PoolError): void;
  /** Its pool as it is made: the options, with this engine's current share of `minIdle`. */
  poolOptions(member: EngineMember): PoolOptions;
  /** Places left under the total `maxSize`. */
  room(): number;
}

const FORWARDED = ['acquire', 'release', 'create', 'destroy'] as const;

/**
 * One engine of a pool over several engines: its client, its own {@link Pool}, its health. When the engine stops
 * answering it is taken out (its pool shut down at once, its leases revoked) and reconnected with backoff; once it
 * answers, a new pool is made over it (adopting what the old one left, as any restarted pool does).
 */
export class EngineMember {
  state: EngineState = 'down';
  pool: Pool | undefined;
  client: EngineClient | undefined;
  /** Placements handed to waiters that have not called the engine's pool yet. */
  reservedIdle = 0;
  reservedCreate = 0;
  /** Something failed on it and a check runs: no placements meanwhile. */
  suspect = false;
  outages = 0;
  lastError: Error | undefined;
  readonly #health: HealthWatch;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #joined = false;
  /** The shutdown of a pool whose engine went away, or a connection attempt: both awaited before the next step. */
  #busy: Promise<unknown> = Promise.resolve();

  constructor(
    readonly spec: ResolvedEngine,
    readonly index: number,
    private readonly timing: HealthTiming & { probeTimeoutMs: number },
    private readonly hooks: MemberHooks,
  ) {
    this.#health = new HealthWatch(() => this.#ping(), timing, (err) => this.#goDown(err));
  }

  get name(): string {
    return this.spec.name;
  }

  /** The label its containers carry: `<pool name>.<engine name>`. */
  poolName(base: string): string {
    return `${base}.${this.spec.name}`;
  }

  get address(): string | undefined {
    return this.client?.address;
  }

  get kind(): EngineKind | undefined {
    return this.client?.engine;
  }

  /** Serving: in service, not under suspicion. */
  get available(): boolean {
    return this.state === 'up' && !this.suspect && this.pool !== undefined;
  }

  stats(): PoolStats | undefined {
    return this.pool?.stats();
  }

  /** Its pool's counts (cheap); also while (re)joining: what its first fill makes counts against the total. */
  counts(): PoolCounts | undefined {
    return this.pool?.[COUNTS]();
  }

  /** Its containers counted against the total `maxSize`, and the creates handed to waiters. */
  total(): number {
    const s = this.counts();
    return s ? s.idle + s.leased + s.creating + s.checking + s.removing + this.reservedCreate : 0;
  }

  /** First connection: resolves once it is up, or out of service and reconnecting. Invalid options throw. */
  async start(): Promise<void> {
    const joining = this.#join();
    this.#busy = joining.catch(() => undefined);
    await joining;
  }

  /** Something failed on it: check now (placements skip it meanwhile). True when it still answers. */
  async check(): Promise<boolean> {
    if (this.state !== 'up') return false;
    this.suspect = true;
    try {
      return await this.#health.check();
    } finally {
      this.suspect = false;
    }
  }

  setLimits(minIdle: number, room: () => number): void {
    this.pool?.[LIMITS]({ minIdle, room });
  }

  /** Shuts its pool down (or, out of service, removes what it left if the engine answers again now). */
  async shutdown(signal: AbortSignal | undefined): Promise<void> {
    const was = this.state;
    this.state = 'closed';
    this.#health.stop();
    clearTimeout(this.#timer);
    await this.#busy;
    const { pool, client } = this;
    this.pool = undefined;
    this.client = undefined;
    if (pool) await pool.shutdown(signal ? { signal } : {});
    else if (was === 'down' && this.#joined) await this.#lastSweep();
    await client?.close();
  }

  async #join(): Promise<void> {
    let client: EngineClient | undefined;
    try {
      client = await this.#connect();
      if (this.#closed()) return void (await client.close());
      const opts = parsePoolOptions({ ...this.hooks.poolOptions(this), engine: client });
      const pool = new Pool(opts, client, false);
      for (const event of FORWARDED) pool.on(event, (info: object) => this.hooks.event(this, event, info));
      pool.on('error', (err: Error) => this.#poolError(pool, err as PoolError));
      pool[LIMITS]({ room: () => this.hooks.room() }); // before its first fill
      this.pool = pool;
      this.client = client;
      await pool[START]();
      if (this.#closed()) return; // shutdown() awaits #busy, then shuts this pool down
      this.state = 'up';
      this.#attempt = 0;
      this.#health.start();
      this.hooks.up(this, this.#joined);
      this.#joined = true;
    } catch (err) {
      if (PoolError.is(err) && err.code === 'POOL_INVALID_OPTIONS') throw err;
      if ((err as { code?: string }).code === 'ENGINE_INVALID_OPTIONS') throw new PoolError('POOL_INVALID_OPTIONS', `engine ${this.name}: ${(err as Error).message}`, { cause: err });
      const pool = this.pool;
      this.pool = undefined;
      this.client = undefined;
      await pool?.shutdown({ signal: AbortSignal.abort() }).catch(() => undefined);
      await client?.close();
      this.lastError = err as Error;
      // Once per outage (not every retry): at start, or the first failed reconnection after it was taken out.
      if (this.#attempt === 0 && !this.#closed()) {
        const message = `engine ${this.name} does not answer: ${(err as Error).message}; retried with backoff`;
        this.hooks.report(new PoolError('POOL_ENGINE_DOWN', message, { cause: err }));
      }
      this.#scheduleJoin();
    }
  }

  #closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Connects anew (a fresh client works whatever happened to the old one's connections: ssh, TLS...). Each connection
   * it opens has `probeTimeoutMs` (unless the entry's `connect` sets `connectTimeoutMs`); detection (a context) is not
   * cut short by it.
   */
  #connect(): Promise<EngineClient> {
    return EngineClient.connect({ connectTimeoutMs: this.timing.probeTimeoutMs, ...this.spec.connect });
  }

  #scheduleJoin(): void {
    if (this.state === 'closed') return;
    const delayMs = reconnectDelayMs(this.timing, this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#busy = this.#busy.then(() => this.#join()).catch((err: Error) => this.hooks.report(err as PoolError));
    }, delayMs);
  }

  async #ping(): Promise<void> {
    const client = this.client;
    if (!client) throw new PoolError('POOL_ENGINE_DOWN', `engine ${this.name}: no client`);
    const res = await client.request({ path: '/_ping', timeoutMs: this.timing.probeTimeoutMs });
    res.body.resume();
    if (res.status !== 200) throw new Error(`/_ping answered HTTP ${res.status}`);
  }

  /** Its pool reported a failure: passed on, and (a create or an engine call failed) the engine is checked at once. */
  #poolError(pool: Pool, err: PoolError): void {
    if (pool !== this.pool || this.state !== 'up') return; // a pool being taken down: its engine is away, known already
    this.hooks.report(err);
    if (err.code === 'POOL_CREATE_FAILED' || err.code === 'POOL_ENGINE_ERROR') void this.check();
  }

  #goDown(cause: unknown): void {
    if (this.state !== 'up') return;
    this.state = 'down';
    this.outages++;
    const err = new PoolError('POOL_ENGINE_DOWN', `engine ${this.name} (${this.address ?? '?'}) stopped answering: ${(cause as Error)?.message ?? cause}; its leases ended, it is reconnected with backoff`, { cause });
    this.lastError = err;
    const { pool, client } = this;
    this.pool = undefined;
    this.client = undefined;
    this.hooks.down(this, err);
    // Forced at once: its engine is away, the leases are ended already. What it leaves is found when it rejoins.
    this.#busy = (async () => {
      await pool?.shutdown({ signal: AbortSignal.abort() });
      await client?.close();
    })().catch(() => undefined);
    this.#scheduleJoin();
  }

  /** At shutdown, out of service: one try to remove what the engine still holds of ours. */
  async #lastSweep(): Promise<void> {
    try {
      const client = await this.#connect();
      try {
        await sweep(client, new Semaphore(4), this.hooks.poolOptions(this).name);
      } finally {
        await client.close();
      }
    } catch (err) {
      this.hooks.report(new PoolError('POOL_ENGINE_DOWN', `engine ${this.name} is out of service at shutdown: what it holds of the pool stays (${(err as Error).message})`, { cause: err }));
    }
  }
}
