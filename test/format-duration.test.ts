import { describe, expect, it } from "vitest";
import { formatDuration } from "../src/format-duration.js";

describe("formatDuration", () => {
  it.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [1000, "1.0 s"],
    [12_345, "12.3 s"],
    [60_000, "1 min 00 s"],
    [245_000, "4 min 05 s"],
    [3_600_000, "1 h 00 min"],
    [7_380_000, "2 h 03 min"],
    [Number.NaN, "—"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
