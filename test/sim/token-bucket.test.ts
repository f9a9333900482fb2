import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/sim/token-bucket.js";

describe("TokenBucket", () => {
  it("lets a burst through, then one per 1/perSecond, saying how long to wait", () => {
    let now = 0;
    const bucket = new TokenBucket(4, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 1]);
    now += 250;
    expect([bucket.take(), bucket.take()]).toEqual([0, 1]);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 1]);
  });

  it("says whole seconds, more than one when the rate is below 1/s", () => {
    let now = 0;
    const bucket = new TokenBucket(0.25, 1, () => now);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(4);
    now += 2_000;
    expect(bucket.take()).toBe(2);
  });

  it("holds 1,000 req/s: 1,000 pass per simulated second after the burst, the rest wait", () => {
    let now = 0;
    const bucket = new TokenBucket(1_000, 1_000, () => now);
    let passed = 0;
    for (let ms = 0; ms < 2_000; ms++) {
      now = ms;
      for (let i = 0; i < 3; i++) if (bucket.take() === 0) passed++;
    }
    expect(passed).toBeGreaterThanOrEqual(2_998);
    expect(passed).toBeLessThanOrEqual(3_001);
  });

  it.each([
    [0, 1],
    [1, 0],
  ])("refuses perSecond %d and burst %d", (perSecond, burst) => {
    expect(() => new TokenBucket(perSecond, burst)).toThrow(RangeError);
  });
});
