import { describe, expect, it } from "vitest";
import { hashParts, keyedRandom, seededRandom } from "../../src/sim/seeded-random.js";

describe("seededRandom", () => {
  it("repeats for a seed, differs between seeds, stays in [0, 1)", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 1_000 }, () => a());
    expect(Array.from({ length: 1_000 }, () => b())).toEqual(first);
    expect(seededRandom(43)()).not.toBe(first[0]);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = first.reduce((sum, x) => sum + x, 0) / first.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe("hashParts and keyedRandom", () => {
  it.each([
    [
      [1, "ds", "a", 0],
      [1, "ds", "a", 1],
    ],
    [
      [1, "ds", "a", 0],
      [2, "ds", "a", 0],
    ],
    [
      [1, "ab", "c"],
      [1, "a", "bc"],
    ],
  ])("tells %j from %j", (left, right) => {
    const [seedA, ...partsA] = left as [number, ...(string | number)[]];
    const [seedB, ...partsB] = right as [number, ...(string | number)[]];
    expect(hashParts(seedA, ...partsA)).not.toBe(hashParts(seedB, ...partsB));
  });

  it("gives the same draws for the same key, whatever was drawn for other keys", () => {
    const before = keyedRandom(9, "ds", "x", 3)();
    keyedRandom(9, "ds", "y", 0)();
    expect(keyedRandom(9, "ds", "x", 3)()).toBe(before);
  });
});
