/** How long to wait between retries; see `backoffDelay`. */
export interface BackoffOptions {
  /** The delay before the first retry, before jitter. */
  minMs: number;
  /** No delay exceeds this, before jitter. */
  maxMs: number;
  /** Each retry waits `factor` times longer than the one before. */
  factor: number;
  /**
   * The share of the delay that is random, 0..1: 0 waits exactly the exponential delay,
   * 1 waits anywhere between 0 and it ("full jitter"), 0.5 between half and all of it.
   */
  jitter: number;
}

/** The longest `Retry-After` honoured: a server asking for more is not going to recover soon. */
export const MAX_RETRY_AFTER_MS = 15 * 60 * 1000;

/**
 * The delay before retry number `attempt` (1 for the first retry): exponential, capped at
 * `maxMs`, then jittered so that workers that failed together do not retry together.
 * `random` returns a number in [0, 1), like `Math.random`, which tests replace.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const { minMs, maxMs, factor } = opts;
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.min(maxMs, minMs * factor ** exponent);
  if (!(base > 0)) return 0;
  const share = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter + jitter * share));
}

/**
 * Parses a `Retry-After` header (RFC 9110 10.2.3): delay-seconds or an HTTP date.
 * Returns milliseconds to wait from `nowMs`: a date in the past is 0, anything longer than
 * `MAX_RETRY_AFTER_MS` is capped, and a value that is neither form is undefined (ignored).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  let ms: number;
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    // RFC says non-negative integer seconds; fractions and negatives are read leniently.
    ms = Number(text) * 1000;
  } else {
    // Only accept something that looks like a date: Date.parse also reads bare words like "1".
    if (!/[a-z]{3}/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
