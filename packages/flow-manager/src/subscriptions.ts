import type { StateStore } from './state-store.js';

const FILE = 'subscriptions.json';

/**
 * The containers each client identity (`auth.client_id`) is subscribed to, so that a client that reconnects, to
 * this run of the service or to the next, is back in its rooms without asking again. Saved in the state directory
 * (debounced); at most `maxIdentities`, the least recently seen dropped first.
 */
export class Subscriptions {
  readonly #store: StateStore;
  readonly #maxIdentities: number;
  /** Least recently seen first (re-inserted on use). */
  readonly #byIdentity = new Map<string, Set<string>>();
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(options: { store: StateStore; maxIdentities?: number }) {
    this.#store = options.store;
    this.#maxIdentities = options.maxIdentities ?? 10_000;
  }

  /** Reads what the previous run saved, keeping only containers that still exist. */
  async load(exists: (containerId: string) => boolean): Promise<void> {
    const raw = await this.#store.readJson(FILE);
    if (typeof raw !== 'object' || raw === null) return;
    for (const [identity, ids] of Object.entries(raw as Record<string, unknown>)) {
      if (!Array.isArray(ids)) continue;
      const live = ids.filter((id): id is string => typeof id === 'string' && exists(id));
      if (live.length > 0) this.#byIdentity.set(identity, new Set(live));
    }
  }

  /** The containers of an identity (marks it as seen). */
  of(identity: string): string[] {
    const set = this.#byIdentity.get(identity);
    if (!set) return [];
    this.#byIdentity.delete(identity);
    this.#byIdentity.set(identity, set);
    return [...set];
  }

  add(identity: string, containerId: string): void {
    const set = this.#byIdentity.get(identity) ?? new Set();
    this.#byIdentity.delete(identity);
    this.#byIdentity.set(identity, set);
    if (set.has(containerId)) return;
    set.add(containerId);
    while (this.#byIdentity.size > this.#maxIdentities) this.#byIdentity.delete(this.#byIdentity.keys().next().value!);
    this.#save();
  }

  remove(identity: string, containerId: string): void {
    if (this.#byIdentity.get(identity)?.delete(containerId)) this.#save();
  }

  /** A deleted container leaves every identity's list. */
  forgetContainer(containerId: string): void {
    let changed = false;
    for (const set of this.#byIdentity.values()) changed = set.delete(containerId) || changed;
    if (changed) this.#save();
  }

  /** Writes what is pending now (at shutdown). */
  async flush(): Promise<void> {
    if (this.#saveTimer === undefined) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.#write();
  }

  #save(): void {
    this.#saveTimer ??= setTimeout(() => {
      this.#saveTimer = undefined;
      void this.#write();
    }, 100);
  }

  #write(): Promise<void> {
    const out: Record<string, string[]> = {};
    for (const [identity, set] of this.#byIdentity) if (set.size > 0) out[identity] = [...set];
    return this.#store.writeJson(FILE, out).catch(() => undefined);
  }
}
