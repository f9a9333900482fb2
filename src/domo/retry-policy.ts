import pRetry, { AbortError } from "p-retry";
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

/** What an attempt knows about the one before it. */
export interface AttemptContext {
  /**
   * The previous attempt's error. When its `kind` is `ambiguous`, a POST may have reached
   * the server: read the item back before sending it again.
   */
  previousError: DomoApiError | undefined;
}

export interface RetryPolicy {
  /** Runs `fn` (attempt 1, 2, …) until it succeeds, fails for good, or retries run out. */
  run<T>(
    fn: (attempt: number, context: AttemptContext) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
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
 * Retries on p-retry 7, from the pure classification of each `DomoApiError`: `transient` and
 * `ambiguous` are retried (the caller reads an ambiguous item back first), `auth`, `setup`,
 * `other` and any error that is not a `DomoApiError` are thrown at once.
 *
 * One owner for timing: p-retry counts attempts and honours the signal, but its own delay is
 * set to 0 and this policy sleeps in `shouldRetry`. p-retry's delay can neither take a
 * server's `Retry-After` nor a test's random source and clock. A `Retry-After` pauses the
 * shared gate, and every attempt first waits on the gate, so it holds back all workers. Every
 * attempt is also reported to the gate (answered, 429, no answer), which learns from it how many
 * requests the server takes at once (`concurrencyLimit`).
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

  return {
    async run(fn, options = {}) {
      const { signal } = options;
      let previousError: DomoApiError | undefined;
      // What to rethrow as is. AbortError stops p-retry, which then throws its
      // `originalError`; keeping the value here also keeps non-Error values intact.
      let fatal: { value: unknown } | undefined;

      try {
        return await pRetry(
          async (attempt) => {
            let ticket: RequestTicket | undefined;
            try {
              signal?.throwIfAborted();
              await gate.wait(signal);
              ticket = gate.begin();
              const result = await fn(attempt, { previousError });
              gate.end(ticket, "answered");
              return result;
            } catch (error) {
              if (ticket !== undefined) gate.end(ticket, howItEnded(error), retryAfterOf(error));
              // Here, not in shouldRetry: the server's wait binds every worker even when this
              // item has no retry left.
              if (error instanceof DomoApiError && error.retryAfterMs !== undefined) {
                gate.pauseFor(error.retryAfterMs);
              }
              if (error instanceof DomoApiError && RETRIED.has(error.kind)) {
                previousError = error;
                throw error;
              }
              fatal = { value: error };
              throw new AbortError(error instanceof Error ? error : String(error));
            }
          },
          {
            retries: opts.retries,
            minTimeout: 0,
            maxTimeout: 0,
            factor: 1,
            randomize: false,
            // The signal is deliberately not given to p-retry: it would throw away the answer of
            // a request that was in flight when the signal came (a migration that happened).
            // It cuts the waits instead: the gate and the backoff sleep.
            // Called only while retries are left, after a retryable DomoApiError.
            shouldRetry: async ({ error, attemptNumber }) => {
              if (!(error instanceof DomoApiError)) return false;
              const backoff = backoffDelay(
                attemptNumber,
                { minMs, maxMs, factor: FACTOR, jitter: JITTER },
                random,
              );
              onRetry?.({
                attempt: attemptNumber + 1,
                error,
                delayMs: Math.max(backoff, error.retryAfterMs ?? 0),
              });
              // The rest of a longer Retry-After is waited for on the gate, by everyone.
              if (backoff > 0) await sleep(backoff, signal);
              return true;
            },
          },
        );
      } catch (error) {
        if (fatal !== undefined) throw fatal.value;
        throw error;
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
