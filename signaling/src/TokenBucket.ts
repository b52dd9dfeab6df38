/**
 * A token bucket: `burst` at once, refilled at `perSecond`. Counts events (`take()`) or bytes
 * (`take(bytes)`): a connection's request rate, its board writes in bytes of JSON, its live traffic.
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(burst: number, perSecond: number, now: () => number = () => performance.now()) {
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `cost` tokens if the bucket has them; answers whether it did. */
  take(cost = 1): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
