import { formatDuration } from "../format-duration.js";
import type { AttemptState } from "../journal/types.js";
import type { RunView } from "./run-view.js";
import { terminalSafe } from "./terminal-safe.js";

/** Options of `renderMarkdownReport`. */
export interface MarkdownReportOptions {
  /**
   * Failures listed in the table; the rest are counted. Default 200, which keeps a GitHub step
   * summary (at most 1 MiB) readable and within its limit.
   */
  maxFailures?: number;
  /** Entries listed in the table of every entry sent; the rest are counted. Default 1,000. */
  maxEntries?: number;
}

const STATES: readonly AttemptState[] = ["COMPLETE", "INCOMPLETE", "ABORTED", "FAILED", "IN_FLIGHT"];

/**
 * Journal text as Markdown inline text, safe in a table cell: HTML is entity-escaped (a
 * `<script>` in a name shows as text), Markdown punctuation is backslash-escaped so that no text
 * becomes a link, emphasis or a cell boundary, and a line break becomes `<br>` (a cell is one line).
 * Secrets are redacted and control characters shown as escapes first (`terminalSafe`).
 */
export function escapeMarkdown(text: string): string {
  return terminalSafe(text.replace(/\r\n?/g, "\n"))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/\r\n|\r|\n/g, "<br>");
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return escapeMarkdown(String(value));
}

/** A web address as an autolink (escaping would put backslashes into it); anything else as text. */
function ciLink(url: string | null): string {
  return url !== null && /^https?:\/\/[^\s<>]+$/i.test(url) ? `<${url}>` : cell(url);
}

/**
 * The run in Markdown: title, metadata, counts by final state, the failures with their `toe`
 * and `errorMessage`, then every entry sent (as README promises). The CI step summary reuses this rather than building its own.
 */
export function renderMarkdownReport(view: RunView, options: MarkdownReportOptions = {}): string {
  const { run } = view;
  const reverse = view.direction === "V2_TO_V1" || run.command === "rollback";
  const lines: string[] = [
    `# fedmigrate ${cell(run.command)} run ${cell(run.id)}: ${cell(run.status)}`,
    "",
    `${reverse ? "Reversals, Federated V2 → V1" : "Migrations, Federated V1 → V2"}, on ${cell(run.domain)}.`,
    "",
    `- **Command:** ${cell(run.command)}`,
    `- **Status:** ${cell(run.status)}`,
    `- **Run by:** ${cell(run.user)} on ${cell(run.host)}`,
    `- **CI job:** ${ciLink(run.ciJobUrl)}`,
    `- **Manifests' hash:** ${cell(run.manifestsHash)}`,
    `- **Started:** ${cell(run.startedAt)}`,
    `- **Ended:** ${run.endedAt === null ? "— (no end recorded: still running, or the process died)" : cell(run.endedAt)}`,
    `- **Duration:** ${view.durationMs === null ? "—" : formatDuration(view.durationMs)}`,
    `- **Requests:** ${view.attemptCount} (${view.retryCount} retries, ${view.rateLimitCount} rate limited), peak concurrency ${view.timeline.lanes}`,
    "",
    "| state | entries |",
    "| --- | ---: |",
    ...STATES.filter((s) => s === "COMPLETE" || view.counts[s] > 0).map(
      (s) => `| ${s} | ${view.counts[s]} |`,
    ),
    `| **total** | **${view.entries.length}** |`,
    "",
  ];
  const { failures } = view;
  if (failures.length === 0) {
    lines.push("No failures: every entry sent ended COMPLETE.", "");
  } else {
    const max = Math.max(0, options.maxFailures ?? 200);
    lines.push(
      `## Failures (${failures.length})`,
      "",
      "Give Domo support the toe of each.",
      "",
      "| datasource | name | state | toe | errorMessage |",
      "| --- | --- | --- | --- | --- |",
      ...failures
        .slice(0, max)
        .map(
          (f) =>
            `| ${cell(f.datasourceId)} | ${cell(f.name)} | ${f.state} | ${cell(f.toe)} | ${cell(f.errorMessage ?? (f.httpStatus === null ? null : `HTTP ${f.httpStatus}`))} |`,
        ),
      "",
    );
    if (failures.length > max) {
      lines.push(
        `…and ${failures.length - max} more: see the HTML report (\`fedmigrate report --html\`).`,
        "",
      );
    }
  }
  const maxEntries = Math.max(0, options.maxEntries ?? 1000);
  if (view.entries.length > 0) {
    lines.push(
      `## Entries (${view.entries.length})`,
      "",
      "| datasource | name | account | target | state | attempts | toe |",
      "| --- | --- | --- | --- | --- | ---: | --- |",
      ...view.entries
        .slice(0, maxEntries)
        .map(
          (e) =>
            `| ${cell(e.datasourceId)} | ${cell(e.name)} | ${cell(e.accountId)} | ${cell(e.catalog === null ? null : `${e.catalog}.${e.schema}.${e.table}`)} | ${e.state} | ${e.attempts} | ${cell(e.toe)} |`,
        ),
      "",
    );
    if (view.entries.length > maxEntries) {
      lines.push(
        `…and ${view.entries.length - maxEntries} more: see the HTML report (\`fedmigrate report --html\`).`,
        "",
      );
    }
  }
  lines.push(
    "Entries the run did not send (skipped, held, blocked) are not in the journal's attempts and are not listed; see the run's `--report` JSON.",
  );
  return `${lines.join("\n")}\n`;
}
