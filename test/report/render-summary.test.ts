import { describe, expect, it } from "vitest";
import { renderSummary } from "../../src/report/render-summary.js";
import { countOutcomes, type RunReport } from "../../src/report/run-report.js";
import type { ItemOutcome, Outcome } from "../../src/run/types.js";

function item(i: number, outcome: Outcome): ItemOutcome {
  const answered = outcome === "aborted" || outcome === "incomplete" || outcome === "complete";
  return {
    datasource: `ds-${String(i).padStart(6, "0")}`,
    name: `Orders ${i}`,
    account: "12",
    direction: "V1_TO_V2",
    catalog: "ANALYTICS",
    schema: "PUBLIC",
    table: `ORDERS_${i}`,
    action: "migrate",
    outcome,
    reason: outcome === "not-started" ? "not started: the token was refused" : `migration ${outcome}`,
    state: null,
    toe: answered ? `TOE-${i}` : null,
    errorMessage: outcome === "aborted" ? "Table not found in the catalog ANALYTICS" : null,
    httpStatus: null,
    attempts: answered ? 1 : 0,
    resolvedBy: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
  };
}

function report(items: ItemOutcome[], stopReason: RunReport["stopReason"] = null): RunReport {
  return {
    reportVersion: 1,
    success: false,
    command: "migrate",
    dryRun: false,
    runId: "r-1",
    domain: "acme.domo.com",
    startedAt: "2026-11-28T01:00:00.000Z",
    endedAt: "2026-11-28T01:01:00.000Z",
    durationMs: 60_000,
    manifestsHash: null,
    stopReason,
    exitCode: 1,
    counts: countOutcomes(items),
    items,
  };
}

/** The summary without colour codes, as off a terminal (or fitted to `width`). */
function summaryText(runReport: RunReport, width?: number): string {
  return renderSummary(runReport, { layout: { width, colour: false } });
}

describe("renderSummary", () => {
  it("says (simulator) after the domain of a run the simulator answered, and nothing otherwise", () => {
    const items = [item(1, "complete")];
    expect(summaryText({ ...report(items), simulator: true })).toContain(
      "migrate r-1 on acme.domo.com (simulator) did not succeed",
    );
    expect(summaryText(report(items))).not.toContain("simulator");
  });

  it("counts by outcome and lists every failure with its toe and error", () => {
    const outcomes: Outcome[] = ["complete", "aborted", "not-started", "incomplete", "skipped", "failed"];
    const items = Array.from({ length: 300 }, (_, i) => item(i, outcomes[i % outcomes.length] as Outcome));
    const text = summaryText(report(items));
    expect(text).toContain(
      "300 entries: 50 complete, 50 skipped, 50 incomplete, 50 aborted, 50 failed, 50 not-started.",
    );
    expect(text).not.toMatch(/[│┌]/);
    expect(text).toMatch(/^OUTCOME +DATASOURCE +TOE +NAME +ERROR \/ REASON$/m);
    expect(text).toMatch(/^aborted +ds-000001 +TOE-1 +Orders 1 +Table not found in the catalog ANALYTICS$/m);
    // One line per failure off a terminal: 150 failures, none of them not-started.
    expect(text.match(/^(aborted|incomplete|failed) /gm)).toHaveLength(150);
  });

  it("counts a stopped run's entries not started instead of listing them, and says once how to go on", () => {
    const items = Array.from({ length: 20_000 }, (_, i) => item(i, "not-started"));
    const text = summaryText({ ...report(items, "interrupted"), exitCode: 130 });
    expect(text).toContain("20000 entries: 20000 not-started.");
    expect(text).not.toContain("ds-000001");
    expect(text.match(/again to continue/g)).toHaveLength(1);
    expect(text).toContain("Next: run the same command again to continue (20000 entries not started).");
  });

  it("fits 80 columns: the toe and the error whole, the error beneath its row", () => {
    const failed = { ...item(1, "aborted"), errorMessage: `Table not found ${"in the catalog ".repeat(8)}` };
    const text = summaryText(report([failed, item(2, "complete")]), 80);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain("TOE-1");
    expect(text.replace(/\n {4}/g, " ")).toContain(failed.errorMessage.trim());
  });

  it.each<[string, Outcome[], RegExp]>([
    ["aborted", ["aborted", "complete"], /Next: rerun 'fedmigrate migrate m.yaml' to retry the 1 ABORTED/],
    ["incomplete", ["incomplete"], /fedmigrate status --state INCOMPLETE/],
    ["all done", ["complete"], /fedmigrate rollback --run r-1' undoes this run/],
  ])("ends with the next step: %s", (_label, outcomes, next) => {
    const items = outcomes.map((o, i) => item(i, o));
    const done = { ...report(items), success: outcomes.every((o) => o === "complete") };
    expect(renderSummary(done, { layout: { colour: false }, rerun: "fedmigrate migrate m.yaml" })).toMatch(
      next,
    );
  });

  it("counts entries that succeeded after retries", () => {
    const retried = { ...item(1, "complete"), attempts: 3 };
    const text = renderSummary(report([retried]), { layout: { colour: false }, retried: 2 });
    expect(text).toContain(
      "2 requests were retried after a transient failure (429, 5xx, network); 1 entry completed after a retry.",
    );
    expect(summaryText(report([retried]))).toContain("1 entry completed after a retry.");
    expect(summaryText(report([item(2, "complete")]))).not.toContain("retr");
  });

  it("never shows an empty run id", () => {
    const text = summaryText({ ...report([item(1, "complete")]), runId: null });
    expect(text).toMatch(/^migrate on acme.domo.com /m);
  });
});
