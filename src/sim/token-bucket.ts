/**
 * A token bucket: `burst` requests at once, then `perSecond` on average. The simulator's stand-in
 * for Domo's rate limiting; the clock is injected so tests need not wait.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${perSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.perSecond = perSecond;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /**
   * Takes a token if there is one: 0. Otherwise the whole seconds until one is due (at least 1),
   * which is what a `Retry-After` header can carry.
   */
  take(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.perSecond);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.perSecond));
  }
}
