import type { Redis } from 'ioredis';
import type { FlowCore, LocalFlows } from '../local-flows.js';
import type { SystemLogger } from '../system-logger.js';

/** What an instance publishes about itself in `{prefix}members` (renewed with each heartbeat). */
interface MemberInfo {
  instance: string;
  /** `{host}|{engine address}`: only a member with the same one can take over its sockets and containers. */
  engine: string;
  /** Every instance whose flows it serves (its own first, then those it adopted), with their socket directories. */
  serves: Array<{ instance: string; socketDir: string }>;
}

export interface AdoptionOptions {
  redis: Redis;
  prefix: string;
  instance: string;
  socketDir: string;
  engine: string;
  flows: LocalFlows;
  logger: SystemLogger;
  heartbeatMs: number;
  heartbeatTtlMs: number;
  /** Undefined: this instance never adopts. */
  adopt: ((instance: string, socketDir: string) => Promise<FlowCore>) | undefined;
}

/**
 * Membership and adoption. Each heartbeat sets `{prefix}alive:{instance}` (expiring after `heartbeatTtlMs`) and this
 * instance's entry in the hash `{prefix}members`. A member whose alive key expired is dead: the first survivor on the
 * same engine and host to win `{prefix}adopting:{dead}` (SET NX) starts a container manager for each instance the
 * dead one served, on their socket directories (the flows inside reconnect to it by themselves), publishes that it
 * serves them, and only then removes the dead member's entry: an adopter that dies half-way leaves it for another.
 */
export class Adoption {
  readonly #o: AdoptionOptions;
  readonly #socketDirs = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #stopped = false;
  /** Dead members seen in the last scan and not adopted yet. */
  orphans = 0;

  constructor(options: AdoptionOptions) {
    this.#o = options;
    this.#socketDirs.set(options.instance, options.socketDir);
  }

  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beating ??= this.#beat()
        .catch((err: unknown) => this.#o.logger.debug({ err }, 'cluster heartbeat failed'))
        .finally(() => (this.#beating = undefined));
    }, this.#o.heartbeatMs);
  }

  /** Stops the heartbeat and removes this member (its flows are then nobody's to adopt). Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#beating;
    const leave = this.#o.redis.multi().del(this.#key('alive', this.#o.instance)).hdel(`${this.#o.prefix}members`, this.#o.instance).exec();
    await Promise.race([leave.catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    await this.#publish();
    if (this.#o.adopt) await this.#scan();
  }

  async #publish(): Promise<void> {
    const info: MemberInfo = {
      instance: this.#o.instance,
      engine: this.#o.engine,
      serves: this.#o.flows.instances().map((instance) => ({ instance, socketDir: this.#socketDirs.get(instance) ?? '' })),
    };
    await this.#o.redis
      .multi()
      .set(this.#key('alive', this.#o.instance), String(process.pid), 'PX', this.#o.heartbeatTtlMs)
      .hset(`${this.#o.prefix}members`, this.#o.instance, JSON.stringify(info))
      .exec();
  }

  async #scan(): Promise<void> {
    const members = await this.#o.redis.hgetall(`${this.#o.prefix}members`);
    let orphans = 0;
    for (const [name, json] of Object.entries(members)) {
      if (name === this.#o.instance || this.#stopped) continue;
      if ((await this.#o.redis.exists(this.#key('alive', name))) === 1) continue;
      let info: MemberInfo;
      try {
        info = JSON.parse(json) as MemberInfo;
      } catch {
        continue;
      }
      if (info.engine !== this.#o.engine) continue;
      orphans++;
      const won = await this.#o.redis.set(this.#key('adopting', name), this.#o.instance, 'PX', Math.max(60_000, this.#o.heartbeatTtlMs * 4), 'NX');
      if (won !== 'OK') continue;
      await this.#adopt(info);
      orphans--;
    }
    this.orphans = orphans;
  }

  async #adopt(dead: MemberInfo): Promise<void> {
    const adopt = this.#o.adopt!;
    const served = new Set(this.#o.flows.instances());
    for (const { instance, socketDir } of dead.serves) {
      if (served.has(instance) || socketDir === '') continue;
      const started = performance.now();
      const core = await adopt(instance, socketDir);
      this.#socketDirs.set(instance, socketDir);
      this.#o.flows.add(core);
      this.#o.logger.warn({ dead: dead.instance, instance, flows: core.manager.size, ms: Math.round(performance.now() - started) }, 'adopted the flows of a dead cluster member');
    }
    await this.#publish(); // serving them is known before the dead member's entry goes
    await this.#o.redis.hdel(`${this.#o.prefix}members`, dead.instance);
  }

  #key(kind: string, instance: string): string {
    return `${this.#o.prefix}${kind}:${instance}`;
  }
}
