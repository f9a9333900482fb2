import { abortableSleep, type Sleep } from "./abortable-sleep.js";
import type { ErrorKind } from "./classify-error.js";
import { DomoApiError } from "./domo-api-error.js";
import type { RateGate, RequestEnd, RequestTicket } from "./rate-gate.js";
import { backoffDelay } from "./retry-timing.js";

/** What `onRetry` hears before each retry. */
export interface RetryInfo {
  /** The attempt about to start: 2 for the first retry. */
  attempt: number;
  /** Why the previous attempt failed. */
  error: DomoApiError;
  /** How long until the retry may start: the backoff, or the server's `Retry-After` if longer. */
  delayMs: number;
}

/** Options of `createRetryPolicy`. */
export interface RetryPolicyOptions {
  /** Retries after the first try, for transient and ambiguous failures (`--retries`). */
  retries: number;
  /** Backoff before the first retry. Default 1000; tests pass 0 so nothing sleeps. */
  minDelayMs?: number;
  /** Backoff ceiling. Default 60 000. */
  maxDelayMs?: number;
  /** Shared by every worker of the run: a `Retry-After` pauses all of them. */
  gate: RateGate;
  /** For jitter; default `Math.random`. */
  random?: () => number;
  /** The backoff's sleep; default a real timer. */
  sleep?: Sleep;
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryPolicy {
  /**
   * For calls that change nothing (GETs): runs `fn` (attempt 1, 2, …) through `send` until it
   * succeeds, fails for good, or retries run out.
   */
  run<T>(fn: (attempt: number) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /**
   * One request through the run's shared gate: waits out any `Retry-After` pause first (the
   * signal cuts that wait short, never the request), then tells the gate how it ended. Errors
   * are rethrown as they are. A POST goes through here alone, so that its caller decides, after
   * reading an ambiguous one back, whether to `backoff` and send it again.
   */
  send<T>(fn: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /**
   * After `failures` failed tries of one call (1 after the first): resolves true, once the
   * backoff has been waited, when the error may be retried (transient or ambiguous) and retries
   * are left; false when not. Rejects with the signal's reason if it aborts during the wait.
   */
  backoff(error: unknown, failures: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * How many requests the server currently takes at once, learnt from its 429s by the shared
   * gate (`RateGate.concurrencyLimit`): Infinity until the first 429. The executor starts no
   * more items than this.
   */
  concurrencyLimit(): number;
}

const RETRIED: ReadonlySet<ErrorKind> = new Set(["transient", "ambiguous"]);
const FACTOR = 2;
const JITTER = 0.5;

/**
 * The one owner of retries: an explicit loop over the pure timing of `retry-timing.ts`, from the
 * pure classification of each `DomoApiError`. `transient` and `ambiguous` are retried (the
 * caller reads an ambiguous POST back first), `auth`, `setup`, `other` and any error that is not
 * a `DomoApiError` are not. A `Retry-After` pauses the shared gate, and every request first
 * waits on the gate, so it holds back all workers; every request is also reported to the gate
 * (answered, 429, no answer), which learns from it how many requests the server takes at once.
 */
export function createRetryPolicy(opts: RetryPolicyOptions): RetryPolicy {
  if (!Number.isInteger(opts.retries) || opts.retries < 0) {
    throw new TypeError(`\`retries\` must be a whole number ≥ 0, got ${opts.retries}.`);
  }
  const minMs = opts.minDelayMs ?? 1000;
  const maxMs = opts.maxDelayMs ?? 60_000;
  if (!Number.isFinite(minMs) || minMs < 0) throw new TypeError(`\`minDelayMs\` must be ≥ 0, got ${minMs}.`);
  if (!(maxMs >= minMs)) throw new TypeError(`\`maxDelayMs\` must be ≥ minDelayMs, got ${maxMs}.`);
  const { gate, onRetry } = opts;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? abortableSleep;

  const send = async <T>(fn: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> => {
    const { signal } = options;
    signal?.throwIfAborted();
    await gate.wait(signal);
    const ticket: RequestTicket = gate.begin();
    try {
      const result = await fn();
      gate.end(ticket, "answered");
      return result;
    } catch (error) {
      gate.end(ticket, howItEnded(error), retryAfterOf(error));
      // Here, not in backoff: the server's wait binds every worker even when this call has no
      // retry left.
      const retryAfterMs = retryAfterOf(error);
      if (retryAfterMs !== undefined) gate.pauseFor(retryAfterMs);
      throw error;
    }
  };

  const backoff = async (error: unknown, failures: number, signal?: AbortSignal): Promise<boolean> => {
    if (!(error instanceof DomoApiError) || !RETRIED.has(error.kind) || failures > opts.retries) return false;
    const delayMs = backoffDelay(failures, { minMs, maxMs, factor: FACTOR, jitter: JITTER }, random);
    onRetry?.({ attempt: failures + 1, error, delayMs: Math.max(delayMs, error.retryAfterMs ?? 0) });
    // The rest of a longer Retry-After is waited for on the gate, by everyone.
    if (delayMs > 0) await sleep(delayMs, signal);
    return true;
  };

  return {
    send,
    backoff,
    async run(fn, options = {}) {
      // The signal is never given to the request: it would throw away the answer of a request
      // that was in flight when it came. It cuts the waits instead: the gate and the backoff.
      for (let attempt = 1; ; attempt++) {
        try {
          return await send(() => fn(attempt), options);
        } catch (error) {
          if (!(await backoff(error, attempt, options.signal))) throw error;
        }
      }
    },
    concurrencyLimit: () => gate.concurrencyLimit(),
  };
}

/** What an attempt's failure tells the gate about the server's rate. */
function howItEnded(error: unknown): RequestEnd {
  if (!(error instanceof DomoApiError) || error.status === undefined) return "failed";
  return error.status === 429 ? "rate-limited" : "answered";
}

function retryAfterOf(error: unknown): number | undefined {
  return error instanceof DomoApiError ? error.retryAfterMs : undefined;
}
