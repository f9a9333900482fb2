import { abortableSleep, type Sleep } from "./abortable-sleep.js";

/** The clock a `RateGate` reads; tests pass a manual one so they wait on events, not time. */
export interface RateGateOptions {
  /** Milliseconds, monotonic enough for pauses. Default: `Date.now`. */
  now?: () => number;
  /** Default: a real timer that rejects with the signal's reason on abort. */
  sleep?: Sleep;
}

/**
 * One per run, shared by every worker. A 429's `Retry-After` pauses everyone, not only the
 * worker that got it (SPEC section 5): until the pause has passed, `wait` holds back every
 * new request. (Issue 7 will grow this into adaptive concurrency.)
 */
export class RateGate {
  readonly #now: () => number;
  readonly #sleep: Sleep;
  #until = 0;

  constructor(options: RateGateOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** Pauses every worker for `ms` from now. Overlapping pauses end at the latest of them. */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    this.#until = Math.max(this.#until, this.#now() + ms);
  }

  /** Milliseconds until the current pause ends; 0 when none is active. */
  remainingMs(): number {
    return Math.max(0, this.#until - this.#now());
  }

  /**
   * Resolves once no pause is active. A pause extended while waiting is waited for too.
   * Rejects with the signal's reason if it aborts first.
   */
  async wait(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs()) {
      await this.#sleep(left, signal);
    }
  }
}
