/** The last `size` samples, for percentiles: bounded memory however long the pool lives. */
export class LatencyWindow {
  readonly #samples: number[] = [];
  #next = 0;

  constructor(readonly size = 1024) {}

  add(ms: number): void {
    if (this.#samples.length < this.size) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
  }

  /** The `p`th percentile (0-100) of the window, nearest-rank; 0 when empty. */
  percentile(p: number): number {
    if (this.#samples.length === 0) return 0;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank]!;
  }
}
