import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AttemptRow } from "../../src/journal/types.js";
import { type HtmlReportOptions, ROWS_DRAWN, renderHtmlReport } from "../../src/report/render-html-report.js";
import { buildRunView } from "../../src/report/run-view.js";
import { anAttemptRow, aRunRow } from "./report-fixtures.js";

const OPTIONS: HtmlReportOptions = { generatedAt: "2026-11-28T02:00:00.000Z", version: "9.9.9" };

const HOSTILE_NAME = "<script>alert(1)</script>";
const HOSTILE_ERROR = "<img src=x onerror=alert(2)> & more";
const HOSTILE_TOE = '"><svg onload=alert(3)>';

function failingRun(): AttemptRow[] {
  return [
    anAttemptRow("ok-1", "COMPLETE", 0, 1000),
    anAttemptRow("hostile", "ABORTED", 100, 900, {
      datasourceName: HOSTILE_NAME,
      errorMessage: HOSTILE_ERROR,
      toe: HOSTILE_TOE,
    }),
    anAttemptRow("flaky", "FAILED", 200, 300, { httpStatus: 429, errorMessage: "HTTP 429: slow down" }),
    anAttemptRow("flaky", "COMPLETE", 1500, 2500, { attempt: 2 }),
    anAttemptRow("half", "INCOMPLETE", 300, 1200, {
      toe: "TOE-HALF-1",
      errorMessage: "content not re-pointed",
    }),
    anAttemptRow("half", "INCOMPLETE", 1300, 2200, {
      attempt: 2,
      toe: "TOE-HALF-2",
      errorMessage: "still not",
    }),
  ];
}

function render(rows: AttemptRow[], options: Partial<HtmlReportOptions> = {}, run = aRunRow()): string {
  return renderHtmlReport(buildRunView(run, rows), { ...OPTIONS, ...options });
}

/** The inner text of the one element `tag` (the page has exactly one script and one style). */
function inner(html: string, tag: string): string {
  const matches = [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))];
  expect(matches).toHaveLength(1);
  return (matches[0] as RegExpMatchArray)[1] as string;
}

function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</section>", start));
}

function entryRows(html: string): string[] {
  return section(html, "all").match(/<tr data-s="[A-Z_]+"( hidden)?>.*<\/tr>/g) ?? [];
}

describe("renderHtmlReport: safety", () => {
  it("renders every journal text as text: no markup from a name, an error message or a toe", () => {
    const html = render(failingRun());
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<svg onload");
    expect(html).not.toMatch(/<[^>]*\sonerror=/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt; &amp; more");
    expect(html).toContain("&quot;&gt;&lt;svg onload=alert(3)&gt;");
  });

  it("escapes the run's own fields too", () => {
    const run = aRunRow({
      user: "<b>eve</b>",
      host: 'h"ost',
      options: '{"x":"</script>"}',
      manifestsHash: "<i>",
    });
    const html = render(failingRun(), {}, run);
    expect(html).toContain("&lt;b&gt;eve&lt;/b&gt; on h&quot;ost");
    expect(html).toContain("&lt;/script&gt;");
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).not.toContain("<i>");
  });

  it("allows exactly its own script and style by hash, and nothing to be fetched", () => {
    const html = render(failingRun());
    const csp = (
      /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? ""
    ).replace(/&#39;/g, "'");
    const hash = (text: string) => createHash("sha256").update(text).digest("base64");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash(inner(html, "script"))}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(inner(html, "style"))}'`);
    expect(csp).not.toContain("unsafe-inline");
  });

  it("inlines its script and stylesheet from the real files, as they are written", () => {
    const html = render(failingRun());
    const asset = (name: string) =>
      readFileSync(new URL(`../../src/report/html/${name}`, import.meta.url), "utf8");
    expect(inner(html, "script")).toBe(asset("report-page.js"));
    expect(inner(html, "style")).toBe(asset("report-page.css"));
  });

  it("references no external asset", () => {
    const html = render(failingRun());
    expect(html).not.toMatch(/<[^>]*\ssrc=/);
    expect(html).not.toMatch(/@import/);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(["data:,"]);
    expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1])).toEqual(
      expect.arrayContaining(["#hatch"]),
    );
    expect([...html.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1] === "#hatch")).toBe(true);
  });

  it.each([
    ["https://ci.example/jobs/42", true],
    ["http://jenkins.local/job/7/", true],
    ["javascript:alert(1)", false],
    ["data:text/html,<script>alert(1)</script>", false],
  ])("links the CI job %s only if it is a web address (%s)", (url, linked) => {
    const html = render(failingRun(), {}, aRunRow({ ciJobUrl: url }));
    const escaped = url.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    expect(html).toContain(escaped);
    expect(html.includes(`href="${escaped}"`)).toBe(linked);
  });
});

describe("renderHtmlReport: content", () => {
  it("shows the run's metadata", () => {
    const html = render(failingRun(), {}, aRunRow({ ciJobUrl: "https://ci.example/jobs/42" }));
    const meta = /<dl class="meta">.*<\/dl>/.exec(html)?.[0] ?? "";
    for (const text of [
      "<dt>Command</dt><dd>migrate</dd>",
      "<dt>Run by</dt><dd>ops on batch-1 (pid 4242)</dd>",
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "<dt>Started</dt><dd>2026-11-28T01:00:00.000Z</dd>",
      "<dt>Ended</dt><dd>2026-11-28T01:01:00.000Z</dd>",
      "<dt>Duration</dt><dd>1 min 00 s</dd>",
      '<a href="https://ci.example/jobs/42"',
    ]) {
      expect(meta).toContain(text);
    }
    expect(html).toContain("<title>fedmigrate migrate r-20261128T010000Z-abc123</title>");
  });

  it("counts entries by final state", () => {
    const tiles = /<ul class="tiles" id="counts">.*?<\/ul>/.exec(render(failingRun()))?.[0] ?? "";
    expect(tiles).toContain("<b>4</b><span>entries sent</span>");
    expect(tiles).toContain('data-state="COMPLETE"><b>2</b>');
    expect(tiles).toContain('data-state="INCOMPLETE"><b>1</b>');
    expect(tiles).toContain('data-state="ABORTED"><b>1</b>');
    expect(tiles).not.toContain('data-state="FAILED"');
    expect(tiles).toContain("<b>6</b><span>requests</span>");
    expect(tiles).toContain("<b>1</b><span>rate limited (429)</span>");
  });

  it("lists failures first, most urgent first, each with datasource, name, account, target, state, toe and errorMessage", () => {
    const html = render(failingRun());
    expect(html.indexOf('<section id="failures">')).toBeLessThan(html.indexOf('<section id="timeline">'));
    expect(html.indexOf('<section id="failures">')).toBeLessThan(html.indexOf('<section id="all">'));
    const rows = section(html, "failures").match(/<tr><td class="st.*?<\/tr>/g) ?? [];
    expect(rows).toEqual([
      '<tr><td class="st st-INCOMPLETE">INCOMPLETE</td><td class="m">half</td><td>Table half</td><td class="m">12</td><td class="m">ANALYTICS.PUBLIC.T_half</td><td class="m">TOE-HALF-2</td><td class="e">still not</td></tr>',
      '<tr><td class="st st-ABORTED">ABORTED</td><td class="m">hostile</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td class="m">12</td><td class="m">ANALYTICS.PUBLIC.T_hostile</td><td class="m">&quot;&gt;&lt;svg onload=alert(3)&gt;</td><td class="e">&lt;img src=x onerror=alert(2)&gt; &amp; more</td></tr>',
    ]);
  });

  it("says so when nothing failed", () => {
    const html = render([anAttemptRow("a", "COMPLETE", 0, 10)], {}, aRunRow({ status: "SUCCEEDED" }));
    expect(section(html, "failures")).toContain("None: every entry sent ended COMPLETE.");
    expect(html).toContain('<span class="badge b-SUCCEEDED">SUCCEEDED</span>');
  });

  it("caps the failures section and points to the table for the rest", () => {
    const rows = Array.from({ length: 12 }, (_, i) => anAttemptRow(`f${i}`, "ABORTED", 0, 10));
    const html = render(rows, { maxFailures: 5 });
    expect(section(html, "failures").match(/<tr><td class="st/g)).toHaveLength(5);
    expect(section(html, "failures")).toContain("7 more: filter the table of every entry below by outcome.");
    expect(entryRows(html)).toHaveLength(12);
  });

  it("has one table row per entry, with attempts, duration and the outcome to filter on", () => {
    const rows = entryRows(render(failingRun()));
    expect(rows.map((r) => /data-s="([A-Z_]+)"/.exec(r)?.[1])).toEqual([
      "COMPLETE",
      "ABORTED",
      "COMPLETE",
      "INCOMPLETE",
    ]);
    // flaky: 2 requests, one 429, 200 ms to 2500 ms
    expect(rows[2]).toContain('<td data-k="2">2 (1×429)<td data-k="2300">2.3 s<td data-k="200">01:00:00.200');
    expect(rows[0]).toContain("<td>1<td");
    // A table this short is drawn whole: no row hidden, no "Show all".
    expect(rows.some((row) => /^<tr [^>]*\bhidden\b/.test(row))).toBe(false);
    expect(render(failingRun())).toContain('<span id="f-cut" hidden>');
  });

  it("offers the outcome filter only for states present", () => {
    const select = /<select id="f-state">.*?<\/select>/.exec(render(failingRun()))?.[0] ?? "";
    expect([...select.matchAll(/value="([^"]*)"/g)].map((m) => m[1])).toEqual([
      "",
      "not-complete",
      "COMPLETE",
      "INCOMPLETE",
      "ABORTED",
    ]);
  });

  it("says what entries are not listed", () => {
    expect(render(failingRun())).toContain(
      "Entries the run did not send (skipped, held, blocked) are not in the journal's attempts and are not listed; see the run's <code>--report</code> JSON",
    );
  });

  it("words a rollback run the other way", () => {
    const rows = [anAttemptRow("a", "COMPLETE", 0, 10, { direction: "V2_TO_V1" })];
    const html = render(rows, {}, aRunRow({ command: "rollback" }));
    expect(html).toContain("<h1>Rollback run");
    expect(html).toContain("reversals, Federated V2 → V1");
  });

  it("is a pure function of the view and options", () => {
    const rows = failingRun();
    expect(renderHtmlReport(buildRunView(aRunRow(), rows), OPTIONS)).toBe(
      renderHtmlReport(buildRunView(aRunRow(), [...rows].reverse()), OPTIONS),
    );
  });
});

describe("renderHtmlReport: timeline", () => {
  it("draws one bar per request on its lane, hatches retries and marks 429s", () => {
    const html = render(failingRun());
    const svg = section(html, "timeline");
    expect(svg).toContain('data-mode="bars"');
    const bars = [
      ...svg.matchAll(
        /<rect class="(s-[A-Z_]+)" x="[\d.]+" y="(\d+)" width="[\d.]+" height="12" data-id="\d+">/g,
      ),
    ];
    expect(bars).toHaveLength(6);
    expect(bars.filter((b) => b[1] === "s-RL")).toHaveLength(1);
    expect(svg.match(/fill="url\(#hatch\)" pointer-events="none"/g)).toHaveLength(2);
    expect(svg.match(/<path class="s-RL"/g)).toHaveLength(1);
    // 3 lanes: ok-1, hostile and flaky overlap; half starts as flaky's 429 ends, on its lane
    expect(new Set(bars.map((b) => b[2])).size).toBe(3);
    expect(svg).toContain("peak concurrency 3");
  });

  it("shades pauses and lists them", () => {
    const rows = [
      anAttemptRow("a", "FAILED", 0, 500, { httpStatus: 429 }),
      anAttemptRow("a", "COMPLETE", 3000, 4000, { attempt: 2 }),
    ];
    const svg = section(render(rows), "timeline");
    expect(svg.match(/<rect class="pause" x=/g)).toHaveLength(1);
    expect(svg).toContain("pause 2.5 s: nothing in flight, after a 429 (rate limit)");
    expect(svg).toMatch(/<text class="pl" [^>]*>pause 2\.5 s \(429\)<\/text>/);
    expect(svg).toContain(
      "<li>2026-11-28T01:00:00.500Z to 2026-11-28T01:00:03.000Z: 2.5 s, after a 429 (rate limit)</li>",
    );
  });

  it("draws at most the 200 longest pauses, and lists the 20 longest", () => {
    // 400 requests one after another with growing gaps: 399 pauses
    const rows = Array.from({ length: 400 }, (_, i) => {
      const start = i * 2000 + (i * (i + 1)) / 2;
      return anAttemptRow(`p${i}`, "COMPLETE", start, start + 1000);
    });
    const html = render(rows);
    const svg = section(html, "timeline");
    expect(svg).toContain("399 pauses with nothing in flight");
    expect(svg.match(/<rect class="pause" x=/g)).toHaveLength(200);
    // the longest gap is the last: 1000 + 399 ms
    expect(svg).toContain("<title>pause 1.4 s: nothing in flight</title>");
    expect(svg).not.toContain("<title>pause 1.0 s: nothing in flight</title>");
    expect(svg.match(/<details id="pauses">.*<\/details>/)?.[0].match(/<li>/g)).toHaveLength(20);
  });

  it("above maxTimelineBars, draws requests in flight over time instead of one bar each", () => {
    const html = render(failingRun(), { maxTimelineBars: 5 });
    const svg = section(html, "timeline");
    expect(svg).toContain('data-mode="concurrency"');
    expect(svg).not.toMatch(/data-id=/);
    expect(svg).toContain('<path class="area"');
  });

  it("stays bounded and keeps one row per entry for 10,000 entries", () => {
    const rows: AttemptRow[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const start = Math.floor(i / 8) * 1000;
      if (i % 50 === 0) {
        rows.push(anAttemptRow(`d${i}`, "FAILED", start, start + 100, { httpStatus: 429 }));
        rows.push(anAttemptRow(`d${i}`, "COMPLETE", start + 200, start + 900, { attempt: 2 }));
      } else {
        rows.push(anAttemptRow(`d${i}`, i % 97 === 0 ? "ABORTED" : "COMPLETE", start, start + 900));
      }
    }
    const html = render(rows);
    const table = entryRows(html);
    expect(table).toHaveLength(10_000);
    // Only the first ROWS_DRAWN are drawn when the page opens; "Show all" is offered for the rest.
    expect(table.filter((row) => !/^<tr [^>]*\bhidden\b/.test(row))).toHaveLength(ROWS_DRAWN);
    expect(table.slice(0, ROWS_DRAWN).every((row) => !/^<tr [^>]*\bhidden\b/.test(row))).toBe(true);
    expect(html).toMatch(
      /<span id="f-cut">, the first 1,000 drawn <button type="button" id="f-more">Show all<\/button>/,
    );
    const svg = section(html, "timeline");
    expect(svg).toContain('data-mode="concurrency"');
    expect((svg.match(/<rect/g) ?? []).length).toBeLessThan(1000);
  });

  it("says when no request has a readable time", () => {
    const html = render([anAttemptRow("a", "COMPLETE", 0, 10, { startedAt: "?" })]);
    expect(section(html, "timeline")).toContain("No request of this run has a readable time.");
    expect(entryRows(html)).toHaveLength(1);
  });
});
