import { describe, expect, it } from "vitest";
import { createToeGenerator } from "../../src/sim/toe-generator.js";

describe("createToeGenerator", () => {
  it("makes unique toes shaped like Domo's", () => {
    const next = createToeGenerator(123);
    const toes = Array.from({ length: 100_000 }, next);
    expect(new Set(toes).size).toBe(100_000);
    expect(toes.every((toe) => /^[0-9A-Z]{10}-[0-9A-Z]{5}-[0-9A-Z]{5}$/.test(toe))).toBe(true);
  });

  it("differs between simulators (nonces)", () => {
    expect(createToeGenerator(1)()).not.toBe(createToeGenerator(2)());
  });
});
