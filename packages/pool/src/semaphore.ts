/**
 * A counting semaphore with a strict FIFO queue: `run(fn)` waits for a permit, runs `fn`, gives the permit back.
 * The pool puts every engine call it makes behind one of these (`maxConcurrentEngineOps`).
 */
export class Semaphore {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`permits must be a positive integer, got ${permits}`);
  }

  /** Permits in use now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a permit. */
  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.#take();
    try {
      return await fn();
    } finally {
      this.#give();
    }
  }

  #take(): Promise<void> {
    if (this.#active < this.permits) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #give(): void {
    const next = this.#queue.shift();
    // The permit passes straight to the next caller: nobody can overtake it between release and wake-up.
    if (next) next();
    else this.#active--;
  }
}
