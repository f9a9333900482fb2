import { describe, expect, it } from "vitest";
import {
  type BackoffOptions,
  backoffDelay,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
} from "../../src/domo/retry-timing.js";

const plain: BackoffOptions = { minMs: 1000, maxMs: 30_000, factor: 2, jitter: 0 };

describe("backoffDelay", () => {
  it.each<[number, BackoffOptions, number, number]>([
    // attempt, options, random(), expected
    [1, plain, 0.7, 1000],
    [2, plain, 0.7, 2000],
    [3, plain, 0.7, 4000],
    [5, plain, 0.7, 16_000],
    [6, plain, 0.7, 30_000], // capped: 32 000 > maxMs
    [60, plain, 0.7, 30_000], // no overflow to Infinity or NaN
    [0, plain, 0.7, 1000], // attempt below 1 counts as the first retry
    [3, { ...plain, factor: 3 }, 0, 9000],
    [1, { ...plain, jitter: 1 }, 0, 0], // full jitter: anywhere in [0, base)
    [1, { ...plain, jitter: 1 }, 0.5, 500],
    [2, { ...plain, jitter: 1 }, 0.999, 1998],
    [1, { ...plain, jitter: 0.5 }, 0, 500], // partial: [base/2, base)
    [1, { ...plain, jitter: 0.5 }, 0.5, 750],
    [1, { ...plain, jitter: 7 }, 0.5, 500], // jitter clamped to 1
    [1, { ...plain, jitter: -1 }, 0.5, 1000], // jitter clamped to 0
    [1, { ...plain, jitter: 1 }, 2, 1000], // a bad random source cannot exceed the base
    [4, { ...plain, minMs: 0 }, 0.5, 0], // tests: no sleeping at all
  ])("attempt %i %o random %d → %i ms", (attempt, opts, r, expected) => {
    expect(backoffDelay(attempt, opts, () => r)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2024-04-15T19:48:00.000Z");
  it.each<[string | null | undefined, number | undefined]>([
    ["120", 120_000],
    ["0", 0],
    [" 3 ", 3000],
    ["1.5", 1500],
    ["-5", 0],
    ["Mon, 15 Apr 2024 19:48:30 GMT", 30_000],
    ["Mon, 15 Apr 2024 19:47:00 GMT", 0], // in the past
    ["Monday, 15-Apr-24 19:49:00 GMT", 60_000], // RFC 850 form
    ["99999", MAX_RETRY_AFTER_MS], // capped
    ["Tue, 16 Apr 2024 19:48:00 GMT", MAX_RETRY_AFTER_MS],
    ["soon", undefined],
    ["", undefined],
    ["   ", undefined],
    ["12abc", undefined],
    ["1e3", undefined],
    [null, undefined],
    [undefined, undefined],
  ])("%o → %o", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
