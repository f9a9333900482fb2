import Table from "cli-table3";
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

/** The failures table as cli-table3 draws it: what the summary showed before renderTable. */
function cliTable3Failures(items: readonly ItemOutcome[]): string {
  const table = new Table({
    head: ["outcome", "datasource", "name", "toe", "errorMessage / reason"],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [13, 38, 20, 26, 60],
  });
  for (const i of items)
    table.push([i.outcome, i.datasource, i.name ?? "", i.toe ?? "", i.errorMessage ?? i.reason]);
  return table.toString();
}

/** The summary without colour codes (picocolors colours it on a terminal, and where CI is set). */
function summaryText(runReport: RunReport): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
  return renderSummary(runReport).replace(/\x1b\[\d+m/g, "");
}

describe("renderSummary", () => {
  it("draws the counts and every failure as cli-table3 did", () => {
    const outcomes: Outcome[] = ["complete", "aborted", "not-started", "incomplete", "skipped", "failed"];
    const items = Array.from({ length: 300 }, (_, i) => item(i, outcomes[i % outcomes.length] as Outcome));
    const text = summaryText(report(items));
    const failures = items.filter((i) => !["complete", "skipped"].includes(i.outcome));
    expect(text).toContain(`Failures (give Domo support the toe):\n${cliTable3Failures(failures)}\n`);
    expect(text).toMatch(/│ complete +│ 50 +│/);
    expect(text).toMatch(/│ not-started +│ 50 +│/);
  });

  it("lists all of a stopped run's entries not started, one row each", () => {
    const items = Array.from({ length: 20_000 }, (_, i) => item(i, "not-started"));
    const text = summaryText(report(items, "auth"));
    expect(text.match(/│ not-started +│ ds-/g)).toHaveLength(20_000);
    expect(text).toContain("The token was refused");
  });
});
