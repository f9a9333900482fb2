import pc from "picocolors";
import type { Outcome } from "../run/types.js";
import { renderTable } from "./render-table.js";
import { isFailureOutcome, type RunReport } from "./run-report.js";

const OUTCOME_ORDER: Outcome[] = [
  "complete",
  "skipped",
  "held",
  "incomplete",
  "aborted",
  "failed",
  "blocked",
  "not-started",
];

const STOP_WORDS: Record<string, string> = {
  interrupted: "The run was interrupted: requests in flight finished and were recorded; rerun to continue.",
  auth: "The token was refused (401/403): no new requests were sent. Check DOMO_DEVELOPER_TOKEN or --token-file.",
  setup:
    "The API answered with a redirect or a network setup error: no new requests were sent. Run 'fedmigrate doctor'.",
  "max-failures": "--max-failures was reached: no new entries were started.",
  journal: "The journal could not be written: no new requests were sent.",
};

/** The end-of-run summary: counts by outcome, then every failure with its `toe` and `errorMessage`. */
export function renderSummary(report: RunReport): string {
  const lines: string[] = [];
  const counts = OUTCOME_ORDER.filter((outcome) => report.counts[outcome] > 0).map((outcome) => [
    colourOutcome(outcome),
    String(report.counts[outcome]),
  ]);
  lines.push(renderTable({ head: ["outcome", "entries"], style: { head: [], border: [] } }, counts));

  const failures = report.items.filter((item) => isFailureOutcome(item.outcome));
  if (failures.length > 0) {
    // A run stopped early lists every entry it did not start: tens of thousands of rows.
    const table = renderTable(
      {
        head: ["outcome", "datasource", "name", "toe", "errorMessage / reason"],
        style: { head: [], border: [] },
        wordWrap: true,
        colWidths: [13, 38, 20, 26, 60],
      },
      failures.map((item) => [
        colourOutcome(item.outcome),
        item.datasource,
        item.name ?? "",
        item.toe ?? "",
        item.errorMessage ?? item.reason,
      ]),
    );
    lines.push(`Failures (give Domo support the toe):\n${table}`);
  }
  if (report.stopReason)
    lines.push(pc.yellow(STOP_WORDS[report.stopReason] ?? `Stopped: ${report.stopReason}`));
  const seconds = (report.durationMs / 1000).toFixed(1);
  const verdict = report.success ? pc.green("succeeded") : pc.red("did not succeed");
  lines.push(
    `${report.command}${report.dryRun ? " (dry run)" : ""} ${report.runId ?? ""} on ${report.domain}${report.simulator ? " (simulator)" : ""} ${verdict} in ${seconds}s (exit ${report.exitCode}).`,
  );
  return `${lines.join("\n")}\n`;
}

function colourOutcome(outcome: Outcome): string {
  if (outcome === "complete") return pc.green(outcome);
  if (outcome === "skipped") return pc.dim(outcome);
  if (outcome === "held" || outcome === "not-started") return pc.yellow(outcome);
  return pc.red(outcome);
}
