/**
 * The background refill's timing: one `round` every `intervalMs`; after a failed round, `intervalMs * 2^failures`,
 * at most `maxBackoffMs` (no hot retry loop while the engine fails). One round at a time.
 */
export class RefillLoop {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  #failures = 0;

  /** `round` tops the pool up and resolves false when something failed (it reports its own errors). */
  constructor(
    private readonly round: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly maxBackoffMs: number,
  ) {}

  /** Runs a round now, then keeps going on schedule. Resolves when this round ended (at once when one runs already). */
  async run(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#running) return;
    this.#running = true;
    let ok = false;
    try {
      ok = await this.round();
    } finally {
      this.#running = false;
    }
    this.#failures = ok ? 0 : this.#failures + 1;
    this.#schedule(ok ? this.intervalMs : Math.min(this.intervalMs * 2 ** this.#failures, this.maxBackoffMs));
  }

  /** Brings the next round forward to now, unless one runs or the loop is backing off after failures. */
  kick(): void {
    if (!this.#running && this.#failures === 0) this.#schedule(0);
  }

  /** No more rounds (one running ends normally). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.run(), delayMs);
  }
}
