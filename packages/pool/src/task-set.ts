/** Background work the pool started (creates, returns, removals): shutdown waits until all of it settled. */
export class TaskSet {
  readonly #tasks = new Set<Promise<unknown>>();

  get size(): number {
    return this.#tasks.size;
  }

  /** Tracks `task` until it settles; its rejection is the starter's to handle, never unhandled here. */
  add(task: Promise<unknown>): void {
    this.#tasks.add(task);
    void task.catch(() => undefined).finally(() => this.#tasks.delete(task));
  }

  /** Resolves once every task, including ones added meanwhile, has settled. */
  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }
}
