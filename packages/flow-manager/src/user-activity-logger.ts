import { EventEmitter } from 'node:events';
import type { ActivityEntry } from './models.js';

/**
 * The user-facing activity log: short sentences about what happened to a container (created, started, crashed,
 * message received...), emitted as `activity` (the Socket.IO layer sends each entry to that container's room) and
 * kept, the latest `historySize` per container, for clients that subscribe later.
 *
 * Entries are built from names, ids and images only. As a second line of defence, every value registered with
 * `protect(id, values)` (the container's environment values) is replaced by `[redacted]` in any message.
 */
export class UserActivityLogger extends EventEmitter<{ activity: [ActivityEntry] }> {
  readonly #history = new Map<string, ActivityEntry[]>();
  readonly #secrets = new Map<string, string[]>();
  readonly #historySize: number;

  constructor(options: { historySize?: number } = {}) {
    super();
    this.#historySize = options.historySize ?? 50;
  }

  /** Values that must never appear in this container's entries (its environment values). */
  protect(containerId: string, values: readonly string[]): void {
    // Short values would redact ordinary words ("1", "on"): only values of 4+ characters count as secrets.
    this.#secrets.set(containerId, values.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length));
  }

  /** `text` with every protected value of the container replaced by `[redacted]` (for its logs, say). */
  redact(containerId: string, text: string): string {
    let out = text;
    for (const secret of this.#secrets.get(containerId) ?? []) out = out.split(secret).join('[redacted]');
    return out;
  }

  record(entry: Omit<ActivityEntry, 'timestamp'>): ActivityEntry {
    const message = this.redact(entry.container_id, entry.message);
    const full: ActivityEntry = { ...entry, message, timestamp: new Date().toISOString() };
    const list = this.#history.get(entry.container_id) ?? [];
    list.push(full);
    if (list.length > this.#historySize) list.shift();
    this.#history.set(entry.container_id, list);
    this.emit('activity', full);
    return full;
  }

  /** The latest entries of a container, oldest first. */
  recent(containerId: string): ActivityEntry[] {
    return [...(this.#history.get(containerId) ?? [])];
  }

  /** Forgets a deleted container (its history and protected values). */
  forget(containerId: string): void {
    this.#history.delete(containerId);
    this.#secrets.delete(containerId);
  }
}
