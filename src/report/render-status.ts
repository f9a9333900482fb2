import type { AttemptRow } from "../journal/types.js";
import { plural } from "./plural.js";
import { colourOf, colourOutcome } from "./render-summary.js";
import { type Column, fitText, renderTableChunks, type TableLayout } from "./render-table.js";

/** Where a datasource is now, from its latest attempt. */
export type Whereabouts = "needs attention" | "back on V1" | "on V2";

/** Reversals go back to where the datasource came from (V2 → V1, Cloud Amplifier → Federated). */
function isReversal(direction: string): boolean {
  return direction === "V2_TO_V1" || direction.startsWith("CLOUD_AMPLIFIER_TO");
}

/**
 * A datasource whose latest attempt completed is where that attempt took it; anything else (an
 * attempt that failed, one left in flight, a reversal that did not complete) needs attention.
 */
export function whereabouts(row: Pick<AttemptRow, "direction" | "state">): Whereabouts {
  if (row.state !== "COMPLETE") return "needs attention";
  return isReversal(row.direction) ? "back on V1" : "on V2";
}

const ORDER: Record<Whereabouts, number> = { "needs attention": 0, "back on V1": 1, "on V2": 2 };

/** The last attempt in words: `migrate COMPLETE`, `rollback ABORTED`. */
function lastAttempt(row: Pick<AttemptRow, "direction" | "state">): string {
  return `${isReversal(row.direction) ? "rollback" : "migrate"} ${row.state}`;
}

const STATUS_COLUMNS: Column[] = [
  { header: "DATASOURCE" },
  { header: "NOW", colour: colourOutcome },
  { header: "LAST ATTEMPT", colour: (t, c) => colourOf(t.split(" ").pop() ?? t, c)(t) },
  { header: "NAME", shrink: 1 },
  { header: "RUN", shrink: 3 },
  { header: "AT", shrink: 2 },
  { header: "TOE", detail: true, label: "toe" },
  { header: "ERROR", detail: true },
];

/**
 * `status` as text: what needs attention first, then what is back on V1, then what is on V2, each
 * in journal order; the toe and error of what needs attention beneath it on a terminal.
 */
export function* renderStatusChunks(rows: readonly AttemptRow[], layout: TableLayout): Generator<string> {
  const sorted = [...rows]
    .map((row, index) => ({ row, index, where: whereabouts(row) }))
    .sort((a, b) => ORDER[a.where] - ORDER[b.where] || a.index - b.index);
  const fitted = layout.width !== undefined;
  if (sorted.length > 0) {
    yield* renderTableChunks(
      STATUS_COLUMNS,
      sorted.map(({ row, where }) => [
        row.datasourceId,
        where,
        lastAttempt(row),
        row.datasourceName ?? "",
        row.runId,
        row.endedAt ?? row.startedAt,
        // On a terminal the toe goes beneath a row only where support needs it: what needs attention.
        fitted && where !== "needs attention" ? "" : (row.toe ?? ""),
        row.errorMessage ?? "",
      ]),
      layout,
    );
  }
  const counts = new Map<Whereabouts, number>();
  for (const { where } of sorted) counts.set(where, (counts.get(where) ?? 0) + 1);
  const parts = (["needs attention", "back on V1", "on V2"] as const)
    .filter((where) => counts.has(where))
    .map((where) => `${counts.get(where)} ${where}`);
  let text = `${plural(rows.length, "datasource", "datasources")}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}.`;
  const attention = counts.get("needs attention") ?? 0;
  if (attention > 0) {
    text += `\nNext: rerun 'fedmigrate migrate' (or 'rollback') to retry the ${attention} that ${attention === 1 ? "needs" : "need"} attention; give Domo support the toe of any INCOMPLETE.`;
  }
  yield `${fitText(text, layout)}\n`;
}
