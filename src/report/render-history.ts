import type { RunSummary } from "../journal/types.js";
import { colourOutcome } from "./render-summary.js";
import { type Column, renderTable, type TableLayout } from "./render-table.js";

/**
 * `history`'s columns. The counts are over each datasource's latest attempt in the run (retries
 * are not counted twice), as README's audit query 2 counts them.
 */
const HISTORY_COLUMNS: Column[] = [
  { header: "RUN" },
  { header: "COMMAND" },
  { header: "STATUS", colour: colourOutcome },
  { header: "ENTRIES", align: "right" },
  { header: "COMPLETE", align: "right" },
  /** INCOMPLETE, ABORTED or FAILED. */
  { header: "FAILED", align: "right" },
  { header: "STARTED", shrink: 3 },
  { header: "DOMAIN", shrink: 2 },
  { header: "BY", shrink: 1 },
];

/** The runs, newest first, with their counts. */
export function renderHistory(runs: readonly RunSummary[], layout: TableLayout): string {
  if (runs.length === 0) return "No runs in this journal yet.\n";
  return renderTable(
    HISTORY_COLUMNS,
    runs.map((run) => [
      run.id,
      run.command,
      run.status,
      String(run.datasources),
      String(run.counts.COMPLETE),
      String(run.counts.ABORTED + run.counts.INCOMPLETE + run.counts.FAILED),
      run.startedAt,
      run.domain,
      `${run.user}@${run.host}`,
    ]),
    layout,
  );
}
