import { abortableSleep, type Sleep } from "./abortable-sleep.js";

/** The clock and the tuning of a `RateGate`; tests pass a manual clock so they wait on events, not time. */
export interface RateGateOptions {
  /** The run's clock, in milliseconds (monotonic enough for pauses): injected, never read here. */
  now: () => number;
  /** Default: a real timer that rejects with the signal's reason on abort. */
  sleep?: Sleep;
  /**
   * Multiplicative decrease: the share of the requests in flight still allowed after a 429,
   * until the server's rate has been measured over a whole cycle. Default 0.5.
   */
  decrease?: number;
  /**
   * Headroom over the measured sustainable concurrency (rate × latency), so that the bucket of a
   * rate-limited server is drained slowly rather than left full. Default 1.1.
   */
  headroom?: number;
  /**
   * Additive increase: one more request at once after this many `Retry-After` windows (of at
   * least a second) without a 429. Default 5.
   */
  increaseAfterWindows?: number;
}

/** What `begin` hands out for a request and `end` takes back. */
export interface RequestTicket {
  /** The gate's decrease epoch when the request started: one decrease per cohort of 429s. */
  readonly epoch: number;
  readonly startedAt: number;
}

/**
 * How a request ended: `answered` (the server took it: any status but 429), `rate-limited` (429),
 * or `failed` (no answer: it says nothing about the server's rate).
 */
export type RequestEnd = "answered" | "rate-limited" | "failed";

const MIN_WINDOW_MS = 1000;

/**
 * One per run, shared by every worker. A 429's `Retry-After` pauses everyone, not only the
 * worker that got it (SPEC section 5): until the pause has passed, `wait` holds back every
 * new request.
 *
 * It also learns how many requests the server takes at once (`concurrencyLimit`), by additive
 * increase and multiplicative decrease, so that a rate-limited run neither stalls nor hammers.
 * Unlimited until the first 429. The first 429 of a cohort (requests started since the last
 * decrease) cuts the limit to half the requests in flight; once a whole cycle between two
 * decreases has been seen, the cut is to what the server sustained over it: a token bucket is
 * empty at both ends of such a cycle, so the requests it answered over its length are its rate,
 * and rate × latency (Little's law), with a little headroom, is the concurrency that keeps up
 * with it without piling up 429s. Every few `Retry-After` windows without a 429 allow one more.
 */
export class RateGate {
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #decrease: number;
  readonly #headroom: number;
  readonly #increaseAfterWindows: number;
  #until = 0;

  #limit = Number.POSITIVE_INFINITY;
  #inFlight = 0;
  #epoch = 0;
  /** When the limit last went down, and the requests answered since: the measured cycle. */
  #lastDecreaseAt: number | undefined;
  #answeredSinceDecrease = 0;
  #lastChangeAt = 0;
  #windowMs = MIN_WINDOW_MS;
  /** Moving average of the time an answered request takes, start to end. */
  #latencyMs: number | undefined;

  constructor(options: RateGateOptions) {
    this.#now = options.now;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#decrease = options.decrease ?? 0.5;
    this.#headroom = options.headroom ?? 1.1;
    this.#increaseAfterWindows = options.increaseAfterWindows ?? 5;
    if (!(this.#decrease > 0 && this.#decrease < 1)) {
      throw new RangeError(`\`decrease\` must be between 0 and 1, got ${this.#decrease}.`);
    }
    if (!(this.#headroom >= 1)) throw new RangeError(`\`headroom\` must be ≥ 1, got ${this.#headroom}.`);
    if (!(this.#increaseAfterWindows > 0)) {
      throw new RangeError(`\`increaseAfterWindows\` must be positive, got ${this.#increaseAfterWindows}.`);
    }
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

  /** How many requests may be in flight at once: a whole number ≥ 1, or Infinity before any 429. */
  concurrencyLimit(): number {
    return this.#limit;
  }

  /** Call as a request is sent; give the ticket back to `end`. */
  begin(): RequestTicket {
    this.#inFlight += 1;
    return { epoch: this.#epoch, startedAt: this.#now() };
  }

  /**
   * Call as a request ends. The first 429 of a cohort lowers the limit (its `Retry-After` sets the
   * window of the slow increase; pausing is `pauseFor`'s job); answers raise it again, slowly.
   */
  end(ticket: RequestTicket, how: RequestEnd, retryAfterMs?: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const now = this.#now();
    if (how === "answered") {
      this.#answeredSinceDecrease += 1;
      const took = Math.max(0, now - ticket.startedAt);
      this.#latencyMs =
        this.#latencyMs === undefined ? took : this.#latencyMs + 0.1 * (took - this.#latencyMs);
      if (
        Number.isFinite(this.#limit) &&
        now - this.#lastChangeAt >= this.#increaseAfterWindows * this.#windowMs
      ) {
        this.#limit += 1;
        this.#lastChangeAt = now;
      }
      return;
    }
    if (how !== "rate-limited") return;
    // The rest of a cohort sent before the cut answer 429 too: one cut per cohort.
    if (ticket.epoch !== this.#epoch) return;
    const inFlight = this.#inFlight + 1;
    const ceiling = Math.min(this.#limit, inFlight);
    let next = Math.floor(ceiling * this.#decrease);
    const sustained = this.#sustainedConcurrency(now);
    if (sustained !== undefined) next = Math.min(ceiling, sustained);
    this.#limit = Math.max(1, next);
    this.#epoch += 1;
    this.#lastDecreaseAt = now;
    this.#lastChangeAt = now;
    this.#answeredSinceDecrease = 0;
    this.#windowMs = Math.max(MIN_WINDOW_MS, retryAfterMs ?? 0);
  }

  /** Rate × latency over the cycle since the last decrease, with headroom; undefined before one. */
  #sustainedConcurrency(now: number): number | undefined {
    if (this.#lastDecreaseAt === undefined || this.#latencyMs === undefined) return undefined;
    const cycleMs = now - this.#lastDecreaseAt;
    if (!(cycleMs > 0) || this.#answeredSinceDecrease === 0) return undefined;
    const perMs = this.#answeredSinceDecrease / cycleMs;
    return Math.ceil(perMs * this.#latencyMs * this.#headroom);
  }
}
