import { describe, expect, it } from "vitest";
import { type BodySummary, summarizeBody } from "../../src/domo/summarize-body.js";

describe("summarizeBody", () => {
  it.each<[string, string, string | null, Partial<BodySummary>]>([
    [
      "plain text",
      "Unauthorized",
      "text/plain",
      { firstLine: "Unauthorized", quote: "Unauthorized", isHtml: false },
    ],
    ["empty body", "", null, { firstLine: undefined, quote: undefined, toe: undefined }],
    [
      "blank lines first",
      "\n\n   \r\n  second line  \nthird",
      null,
      { firstLine: "second line", quote: "second line" },
    ],
    [
      "Domo JSON error",
      '{"status":403,"statusReason":"Forbidden","message":"Not allowed to migrate","toe":"ABC-123"}',
      "application/json",
      { quote: "Not allowed to migrate", toe: "ABC-123", isHtml: false },
    ],
    [
      "JSON with statusReason only",
      '{"status":500,"statusReason":"Internal Server Error"}',
      "application/json",
      { quote: "Internal Server Error", toe: undefined },
    ],
    ["JSON without message", '{"a":1}', "application/json", { quote: '{"a":1}' }],
    ["JSON array", "[1,2]", "application/json", { quote: "[1,2]" }],
    [
      "HTML with title",
      "<!DOCTYPE html>\n<html><head><title>\n  Domo is down for  maintenance &amp; upgrades\n</title></head><body>x</body></html>",
      "text/html; charset=utf-8",
      {
        firstLine: "<!DOCTYPE html>",
        quote: 'an HTML page titled "Domo is down for maintenance & upgrades"',
        isHtml: true,
      },
    ],
    [
      "HTML without title",
      "<html><body>nope</body></html>",
      "text/html",
      { quote: "an HTML page", isHtml: true },
    ],
    [
      "HTML sniffed without content type",
      "  <html lang=en><title>Blocked</title>",
      null,
      { quote: 'an HTML page titled "Blocked"' },
    ],
    [
      "numeric entities in title",
      "<html><title>A&#39;s &#x26; B</title>",
      "text/html",
      { quote: `an HTML page titled "A's & B"` },
    ],
  ])("%s", (_label, text, contentType, expected) => {
    expect(summarizeBody(text, contentType)).toMatchObject(expected);
  });

  it("clips the first line to 200 characters", () => {
    const summary = summarizeBody(`${"x".repeat(500)}\nsecond`, "text/plain");
    expect(summary.firstLine).toHaveLength(200);
    expect(summary.firstLine?.endsWith("…")).toBe(true);
    expect(summary.quote).toBe(summary.firstLine);
  });

  it("clips a long JSON message too", () => {
    const summary = summarizeBody(JSON.stringify({ message: "m".repeat(300) }), "application/json");
    expect(summary.quote).toHaveLength(200);
  });
});
