import pc from "picocolors";
import type { Outcome } from "../run/types.js";
import { plural } from "./plural.js";
import { type Colours, type Column, fitText, renderTable, type TableLayout } from "./render-table.js";
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
  interrupted: "The run was interrupted: requests in flight finished and were recorded.",
  auth: "The token was refused (401/403): no new requests were sent. Check DOMO_DEVELOPER_TOKEN or --token-file.",
  setup:
    "The API answered with a redirect or a network setup error: no new requests were sent. Run 'fedmigrate doctor'.",
  "max-failures": "--max-failures was reached: no new entries were started.",
  journal: "The journal could not be written: no new requests were sent.",
};

/** The colour of an outcome, a journal state or a whereabouts (any case) on a terminal. */
export function colourOf(word: string, c: Colours): (text: string) => string {
  const key = word.toLowerCase();
  if (key === "complete" || key === "ok" || key === "on v2" || key === "succeeded") return c.green;
  if (key === "skipped" || key === "skip") return c.dim;
  if (["held", "not-started", "in_flight", "back on v1", "running", "interrupted"].includes(key))
    return c.yellow;
  return c.red;
}

/** `text` in its own colour (see `colourOf`). */
export function colourOutcome(text: string, c: Colours): string {
  return colourOf(text, c)(text);
}

/** The failures, with what support needs (the toe) and the error never cut. */
const FAILURE_COLUMNS: Column[] = [
  { header: "OUTCOME", colour: colourOutcome },
  { header: "DATASOURCE" },
  { header: "TOE" },
  { header: "NAME", shrink: 1 },
  { header: "ERROR / REASON", detail: true },
];

/** How `renderSummary` draws, and what it knows beyond the report. */
export interface SummaryView {
  layout: TableLayout;
  /** Requests retried after a transient failure (429, 5xx, network) in this run. */
  retried?: number;
  /** The command that runs this again (`fedmigrate migrate migrations.yaml`), for the next step. */
  rerun?: string | undefined;
}

/**
 * The end-of-run summary: counts by outcome; every failure with its `toe` and `errorMessage`
 * (entries not started are counted, not listed); why the run stopped; the verdict; the next step.
 */
export function renderSummary(report: RunReport, view: SummaryView): string {
  const c = layoutColours(view.layout);
  const lines: string[] = [];
  const counts = OUTCOME_ORDER.filter((outcome) => report.counts[outcome] > 0).map(
    (outcome) => `${report.counts[outcome]} ${colourOutcome(outcome, c)}`,
  );
  lines.push(
    `${plural(report.items.length, "entry", "entries")}: ${counts.length > 0 ? counts.join(", ") : "nothing to do"}.`,
  );
  // Retries that ended well are counted here once, not logged as warnings one by one.
  const recovered = report.items.filter((item) => item.outcome === "complete" && item.attempts > 1).length;
  if (view.retried || recovered > 0) {
    const requests = view.retried
      ? `${plural(view.retried, "request was", "requests were")} retried after a transient failure (429, 5xx, network)`
      : "";
    const entries = recovered > 0 ? `${plural(recovered, "entry", "entries")} completed after a retry` : "";
    lines.push(`${[requests, entries].filter((s) => s !== "").join("; ")}.`);
  }
  const failures = report.items.filter(
    (item) => isFailureOutcome(item.outcome) && item.outcome !== "not-started",
  );
  if (failures.length > 0) {
    const table = renderTable(
      FAILURE_COLUMNS,
      failures.map((item) => [
        item.outcome,
        item.datasource,
        item.toe ?? "",
        item.name ?? "",
        item.errorMessage ?? item.reason,
      ]),
      view.layout,
    );
    lines.push(`Failures (give Domo support the toe):\n${table.trimEnd()}`);
  }
  if (report.stopReason)
    lines.push(c.yellow(STOP_WORDS[report.stopReason] ?? `Stopped: ${report.stopReason}`));
  const seconds = (report.durationMs / 1000).toFixed(1);
  const verdict = report.success ? c.green("succeeded") : c.red("did not succeed");
  const run = report.runId ? ` ${report.runId}` : "";
  lines.push(
    `${report.command}${report.dryRun ? " (dry run)" : ""}${run} on ${report.domain}${report.simulator ? " (simulator)" : ""} ${verdict} in ${seconds}s (exit ${report.exitCode}).`,
  );
  const next = nextSteps(report, view.rerun);
  if (next.length > 0) lines.push(`Next: ${next.join("; ")}.`);
  return `${fitText(lines.join("\n"), view.layout)}\n`;
}

/** picocolors' functions, on for a layout with colour and off otherwise. */
function layoutColours(layout: TableLayout): Colours {
  return pc.createColors(layout.colour);
}

/** What to do after this run, in the order to do it. */
function nextSteps(report: RunReport, rerun: string | undefined): string[] {
  const again = rerun ? `'${rerun}'` : "the same command";
  const { counts } = report;
  const steps: string[] = [];
  const notStarted = counts["not-started"];
  if (report.stopReason === "interrupted" || (notStarted > 0 && report.stopReason !== "auth")) {
    if (notStarted > 0)
      steps.push(`run ${again} again to continue (${plural(notStarted, "entry", "entries")} not started)`);
    else steps.push(`run ${again} again to continue`);
  } else if (report.stopReason === "auth") {
    steps.push(`fix the token, then run ${again} again`);
  }
  const retryable = [
    counts.aborted > 0 ? `${counts.aborted} ABORTED` : "",
    counts.failed > 0 ? `${counts.failed} FAILED` : "",
    counts.incomplete > 0 ? `${counts.incomplete} INCOMPLETE` : "",
  ].filter((s) => s !== "");
  if (retryable.length > 0 && steps.length === 0) {
    steps.push(`rerun ${again} to retry the ${retryable.join(", ")}`);
  }
  if (counts.incomplete > 0) {
    steps.push("'fedmigrate status --state INCOMPLETE' lists the toe of each INCOMPLETE for Domo support");
  } else if (counts.aborted + counts.failed > 0) {
    steps.push("'fedmigrate status' puts what needs attention first");
  }
  if (counts.blocked > 0) steps.push(`'fedmigrate plan' says why the ${counts.blocked} blocked are blocked`);
  if (steps.length === 0 && report.success && report.runId && counts.complete > 0) {
    steps.push(
      report.command === "rollback"
        ? "'fedmigrate status' shows each datasource back on V1"
        : `'fedmigrate status' shows where each datasource is; 'fedmigrate rollback --run ${report.runId}' undoes this run`,
    );
  }
  return steps;
}
