/** Token bucket counted in bytes: `burst` bytes at once, refilled at `perSecond`. */
export class ByteBudget {
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #now: () => number;
  #bytes: number;
  #last: number;

  constructor(burst: number, perSecond: number, now: () => number = () => performance.now()) {
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#now = now;
    this.#bytes = burst;
    this.#last = now();
  }

  /** Spends `bytes` if the budget has them; answers whether it did. */
  spend(bytes: number): boolean {
    const now = this.#now();
    this.#bytes = Math.min(this.#burst, this.#bytes + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
    if (this.#bytes < bytes) return false;
    this.#bytes -= bytes;
    return true;
  }
}
