import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderMarkdownReport } from "../../src/report/render-markdown-report.js";
import { buildRunView } from "../../src/report/run-view.js";
import { anAttemptRow, aRunRow } from "./report-fixtures.js";

describe("escapeMarkdown", () => {
  it.each([
    ["plain text 123", "plain text 123"],
    ["a | b", "a \\| b"],
    ["line one\nline two\r\nthree\rfour", "line one<br>line two<br>three<br>four"],
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ["<img src=x onerror=alert(2)>", "&lt;img src=x onerror=alert(2)&gt;"],
    ["AT&T", "AT&amp;T"],
    ["[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"],
    ["*bold* _it_ `code` ~strike~ back\\slash", "\\*bold\\* \\_it\\_ \\`code\\` \\~strike\\~ back\\\\slash"],
  ])("%j → %j", (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });
});

function view() {
  return buildRunView(aRunRow({ ciJobUrl: "https://ci.example/jobs/42" }), [
    anAttemptRow("ok", "COMPLETE", 0, 1000),
    anAttemptRow("bad", "ABORTED", 0, 500, {
      datasourceName: "<script>alert(1)</script> | pipes",
      errorMessage: "first line\nsecond | line",
      toe: "TOE-BAD",
    }),
    anAttemptRow("half", "INCOMPLETE", 0, 800, { toe: "TOE-HALF", errorMessage: "content not re-pointed" }),
    anAttemptRow("net", "FAILED", 0, 100, { toe: null, errorMessage: null, httpStatus: 502 }),
  ]);
}

describe("renderMarkdownReport", () => {
  it("has a title, the metadata, the counts and the failures, most urgent first", () => {
    expect(renderMarkdownReport(view())).toBe(
      [
        "# fedmigrate migrate run r-20261128T010000Z-abc123: FAILED",
        "",
        "Migrations, Federated V1 → V2, on acme.domo.com.",
        "",
        "- **Command:** migrate",
        "- **Status:** FAILED",
        "- **Run by:** ops on batch-1",
        "- **CI job:** <https://ci.example/jobs/42>",
        "- **Manifests' hash:** 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "- **Started:** 2026-11-28T01:00:00.000Z",
        "- **Ended:** 2026-11-28T01:01:00.000Z",
        "- **Duration:** 1 min 00 s",
        "- **Requests:** 4 (0 retries, 0 rate limited), peak concurrency 4",
        "",
        "| state | entries |",
        "| --- | ---: |",
        "| COMPLETE | 1 |",
        "| INCOMPLETE | 1 |",
        "| ABORTED | 1 |",
        "| FAILED | 1 |",
        "| **total** | **4** |",
        "",
        "## Failures (3)",
        "",
        "Give Domo support the toe of each.",
        "",
        "| datasource | name | state | toe | errorMessage |",
        "| --- | --- | --- | --- | --- |",
        "| half | Table half | INCOMPLETE | TOE-HALF | content not re-pointed |",
        "| net | Table net | FAILED | — | HTTP 502 |",
        "| bad | &lt;script&gt;alert(1)&lt;/script&gt; \\| pipes | ABORTED | TOE-BAD | first line<br>second \\| line |",
        "",
        "## Entries (4)",
        "",
        "| datasource | name | account | target | state | attempts | toe |",
        "| --- | --- | --- | --- | --- | ---: | --- |",
        "| ok | Table ok | 12 | ANALYTICS.PUBLIC.T\\_ok | COMPLETE | 1 | TOE-ok-0 |",
        "| bad | &lt;script&gt;alert(1)&lt;/script&gt; \\| pipes | 12 | ANALYTICS.PUBLIC.T\\_bad | ABORTED | 1 | TOE-BAD |",
        "| half | Table half | 12 | ANALYTICS.PUBLIC.T\\_half | INCOMPLETE | 1 | TOE-HALF |",
        "| net | Table net | 12 | ANALYTICS.PUBLIC.T\\_net | FAILED | 1 | — |",
        "",
        "Entries the run did not send (skipped, held, blocked) are not in the journal's attempts and are not listed; see the run's `--report` JSON.",
        "",
      ].join("\n"),
    );
  });

  it("keeps every failure row one table row with five cells", () => {
    const rows = renderMarkdownReport(view())
      .split("\n")
      .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"));
    const failureRows = rows.slice(
      rows.indexOf("| datasource | name | state | toe | errorMessage |") + 1,
      rows.indexOf("| datasource | name | account | target | state | attempts | toe |"),
    );
    expect(failureRows).toHaveLength(3);
    for (const row of failureRows) {
      // cells are split on pipes that are not escaped
      expect(row.split(/(?<!\\)\|/).slice(1, -1)).toHaveLength(5);
    }
  });

  it.each([
    ["https://ci.example/a_b/1", "<https://ci.example/a_b/1>"],
    ["javascript:alert(1)", "javascript:alert(1)"],
    ["https://x/<script>", "https://x/&lt;script&gt;"],
  ])("shows the CI job %s as %s", (url, shown) => {
    const md = renderMarkdownReport(buildRunView(aRunRow({ ciJobUrl: url }), []));
    expect(md).toContain(`- **CI job:** ${shown}\n`);
  });

  it("says so when nothing failed", () => {
    const md = renderMarkdownReport(
      buildRunView(aRunRow({ status: "SUCCEEDED" }), [anAttemptRow("ok", "COMPLETE", 0, 10)]),
    );
    expect(md).toContain("No failures: every entry sent ended COMPLETE.");
    expect(md).not.toContain("## Failures");
  });

  it("caps the failures table and counts the rest", () => {
    const rows = Array.from({ length: 7 }, (_, i) => anAttemptRow(`f${i}`, "ABORTED", 0, 10));
    const md = renderMarkdownReport(buildRunView(aRunRow(), rows), { maxFailures: 3, maxEntries: 0 });
    expect(md.match(/^\| f\d /gm)).toHaveLength(3);
    expect(md).toContain("…and 4 more: see the HTML report (`fedmigrate report --html`).");
  });

  it("lists every entry sent, as README promises, capped and counted past maxEntries", () => {
    const md = renderMarkdownReport(view());
    expect(md).toContain("## Entries (4)\n");
    expect(md).toMatch(/^\| ok \| Table ok \| 12 \| ANALYTICS\.PUBLIC\.T\\_ok \| COMPLETE \| 1 \| TOE-ok/m);
    const rows = Array.from({ length: 5 }, (_, i) => anAttemptRow(`e${i}`, "COMPLETE", 0, 10));
    const capped = renderMarkdownReport(buildRunView(aRunRow(), rows), { maxEntries: 2 });
    expect(capped.match(/^\| e\d /gm)).toHaveLength(2);
    expect(capped).toContain("…and 3 more: see the HTML report");
  });

  it("words a rollback and a run without an end", () => {
    const md = renderMarkdownReport(
      buildRunView(aRunRow({ command: "rollback", endedAt: null, status: "CRASHED" }), [
        anAttemptRow("a", "COMPLETE", 0, 10, { direction: "V2_TO_V1" }),
      ]),
    );
    expect(md).toContain("# fedmigrate rollback run r-20261128T010000Z-abc123: CRASHED");
    expect(md).toContain("Reversals, Federated V2 → V1");
    expect(md).toContain("- **Ended:** — (no end recorded: still running, or the process died)");
    expect(md).toContain("- **Duration:** —");
  });
});
