import { appendFileSync } from "node:fs";
import { escapeMarkdown, renderMarkdownReport } from "../report/render-markdown-report.js";
import type { RunReport } from "../report/run-report.js";
import type { ItemOutcome } from "../run/types.js";
import type { CliIo } from "./context.js";
import { sayOnStderr } from "./say-on-stderr.js";

/** What `appendStepSummary` needs: the run's report and where its journal is. */
export interface StepSummaryInput {
  report: RunReport;
  /** The journal the run wrote: the summary is rendered from it, as `fedmigrate report --md` would. */
  journalPath: string;
  io: CliIo;
}

/** Rows of the "not sent" table; GitHub caps a step summary at 1 MiB. */
const MAX_NOT_SENT_ROWS = 200;

/**
 * In GitHub Actions (`GITHUB_STEP_SUMMARY` set), appends the run's Markdown summary to the step
 * summary file: the same Markdown as `fedmigrate report --md` (`renderMarkdownReport`), followed
 * by the entries the run did not send (blocked, not started, skipped, held), which the journal
 * cannot show. Appends, never overwrites: other steps write there too.
 *
 * A run stopped as a whole (the report's `error`) says why under its heading; one that could not
 * even start (no run id: the journal could not be opened) gets a summary of its own, the error and
 * its entries, none sent: in CI that is the run an operator most needs to read about.
 *
 * A summary is a courtesy: when it cannot be written, a warning says why and the run's exit code
 * stands. Returns the file appended to, or null. Dry runs (no run id, no error) write nothing.
 */
export async function appendStepSummary(input: StepSummaryInput): Promise<string | null> {
  const file = input.io.env.GITHUB_STEP_SUMMARY;
  const { report, io } = input;
  if (!file || (report.runId === null && !report.error)) return null;
  try {
    const [heading, ...rest] = (
      report.runId === null
        ? `# fedmigrate ${escapeMarkdown(report.command)} on ${escapeMarkdown(report.domain)}: did not start\n`
        : await renderRunMarkdown(report.runId, input.journalPath)
    ).split("\n");
    const stopped = report.error
      ? `\n> **Stopped (${escapeMarkdown(report.error.code)}):** ${escapeMarkdown(report.error.message)}${report.error.hint ? ` ${escapeMarkdown(report.error.hint)}` : ""}`
      : "";
    const head = report.journalHead
      ? `\n> **Journal head after the run:** entry ${report.journalHead.seq}, \`${report.journalHead.hash}\` (check a copy with \`fedmigrate audit --offline --journal COPY\`)`
      : "";
    // The blank line first: whatever an earlier step left, this starts a new block.
    const markdown = `\n${[heading, stopped, head, ...rest].join("\n")}${renderNotSent(report.items)}`;
    appendFileSync(file, markdown, "utf8");
    return file;
  } catch (error) {
    sayOnStderr(
      io,
      "warn",
      "step-summary.failed",
      `could not append the run's summary to GITHUB_STEP_SUMMARY (${file}): ${(error as Error).message}`,
      { runId: report.runId },
    );
    return null;
  }
}

async function renderRunMarkdown(runId: string, journalPath: string): Promise<string> {
  // Loaded here: a run outside GitHub Actions never pays for the report code.
  const { openJournal } = await import("../journal/open-journal.js");
  const { buildRunView } = await import("../report/run-view.js");
  const journal = openJournal(journalPath, { readonly: true });
  try {
    const run = journal.getRun(runId);
    if (!run) throw new Error(`run ${runId} is not in the journal ${journalPath}`);
    return renderMarkdownReport(buildRunView(run, journal.attemptsOfRun(runId)));
  } finally {
    journal.close();
  }
}

/** Reading order: what made the run fail first, then what was left alone on purpose. */
const NOT_SENT_ORDER = ["blocked", "not-started", "held", "skipped"] as const;

/** The entries the run sent nothing for, which the journal (and so the report above) does not list. */
export function renderNotSent(items: readonly ItemOutcome[]): string {
  const notSent = NOT_SENT_ORDER.flatMap((outcome) => items.filter((i) => i.outcome === outcome));
  if (notSent.length === 0) return "";
  const counts = NOT_SENT_ORDER.map((outcome) => [
    outcome,
    notSent.filter((i) => i.outcome === outcome).length,
  ])
    .filter(([, count]) => count !== 0)
    .map(([outcome, count]) => `${count} ${outcome}`);
  const lines = [
    "",
    `## Not sent (${notSent.length}: ${counts.join(", ")})`,
    "",
    "| datasource | name | outcome | reason |",
    "| --- | --- | --- | --- |",
    ...notSent
      .slice(0, MAX_NOT_SENT_ROWS)
      .map(
        (i) =>
          `| ${escapeMarkdown(i.datasource)} | ${i.name ? escapeMarkdown(i.name) : "—"} | ${i.outcome} | ${escapeMarkdown(i.reason)} |`,
      ),
  ];
  if (notSent.length > MAX_NOT_SENT_ROWS) {
    lines.push("", `…and ${notSent.length - MAX_NOT_SENT_ROWS} more: see the run's \`--report\` JSON.`);
  }
  return `${lines.join("\n")}\n`;
}
