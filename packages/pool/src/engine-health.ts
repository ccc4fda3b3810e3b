/** Timing of the health checks of one engine. */
export interface HealthTiming {
  /** Period of the ping of an engine in service. */
  healthIntervalMs: number;
  /** Failed pings in a row that take it out of service. */
  downAfterFailures: number;
  /** First wait before reconnecting one out of service, doubling up to `maxBackoffMs`. */
  probeIntervalMs: number;
  maxBackoffMs: number;
}

/** Wait between the pings of one check that failed so far. */
const RETRY_MS = 100;

/**
 * Watches an engine in service: a check every `healthIntervalMs`, and one at once when something failed on it
 * (`check()`). A check pings up to `downAfterFailures` times, 100 ms apart, and passes on the first answer; when
 * none answers, `onDown` gets the last error and the watch stops. One check at a time: a `check()` during one
 * shares its outcome.
 */
export class HealthWatch {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #stopped = true;
  /** Bumped by `stop()`: a check from before it ends without a verdict, and never clears a newer one. */
  #generation = 0;
  #wake: (() => void) | undefined;

  constructor(
    private readonly ping: () => Promise<void>,
    private readonly timing: HealthTiming,
    private readonly onDown: (err: unknown) => void,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  /** No more checks; one running ends at its next ping (its outcome: up). */
  stop(): void {
    this.#stopped = true;
    this.#generation++;
    this.#running = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
  }

  /** Checks now (or joins the check that runs): true when the engine answered, false when it was taken out. */
  check(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (!this.#running) {
      const running: Promise<boolean> = this.#check(this.#generation).finally(() => {
        if (this.#running !== running) return;
        this.#running = undefined;
        this.#schedule();
      });
      this.#running = running;
    }
    return this.#running;
  }

  async #check(generation: number): Promise<boolean> {
    const stale = (): boolean => generation !== this.#generation;
    let last: unknown;
    for (let i = 0; i < this.timing.downAfterFailures; i++) {
      if (stale()) return true;
      if (i > 0) await this.#sleep(RETRY_MS);
      try {
        await this.ping();
        return true;
      } catch (err) {
        last = err;
      }
    }
    if (stale()) return true;
    this.stop();
    this.onDown(last);
    return false;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = this.#stopped || this.#running ? undefined : setTimeout(() => void this.check(), this.timing.healthIntervalMs);
  }
}

/** Wait before reconnection attempt `n` (0-based) of an engine out of service: `probeIntervalMs * 2^n`, at most `maxBackoffMs`. */
export function reconnectDelayMs(timing: HealthTiming, attempt: number): number {
  return Math.min(timing.probeIntervalMs * 2 ** Math.min(attempt, 30), timing.maxBackoffMs);
}
