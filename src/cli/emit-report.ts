import { plural } from "../report/plural.js";
import type { RunReport } from "../report/run-report.js";
import type { CliIo } from "./context.js";
import { writeOutputFile } from "./runtime.js";
import { sayOnStderr } from "./say-on-stderr.js";

/** Prints the summary (or the JSON document) and writes the requested report files. */
export async function emitReport(
  report: RunReport,
  args: {
    json?: boolean | undefined;
    report?: string | undefined;
    junit?: string | undefined;
    wide?: boolean | undefined;
  },
  io: CliIo,
  journalPath: string,
  view: { rerun?: string | undefined; retried?: number } = {},
): Promise<void> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.report) writeOutputFile(args.report, json, io, "report");
  if (args.junit) {
    const { renderJunit } = await import("../report/render-junit.js");
    writeOutputFile(args.junit, renderJunit(report), io, "JUnit report");
  }
  const nothingAttempted = report.items.every((item) => item.outcome === "not-started");
  if (args.json) {
    io.stdout.write(json);
  } else if (report.error && nothingAttempted) {
    // Stopped before anything was sent: one line, not a table of every entry.
    io.stdout.write(
      `${report.command}${report.runId ? ` ${report.runId}` : ""} on ${report.domain} did not start: nothing was sent, ${plural(report.items.length, "entry", "entries")} not attempted (exit ${report.exitCode}).\n`,
    );
  } else {
    const { renderSummary } = await import("../report/render-summary.js");
    const { tableLayout } = await import("./table-layout.js");
    io.stdout.write(renderSummary(report, { layout: tableLayout(io, args.wide), ...view }));
  }
  // The run-level error, as `main` says any other (stdout already has the report).
  if (report.error && report.error.code !== "INTERRUPTED") {
    sayOnStderr(io, "error", "run.error", report.error.message, {
      code: report.error.code,
      hint: report.error.hint,
    });
  }
  // In GitHub Actions the run's summary also goes to the job page.
  if (io.env.GITHUB_STEP_SUMMARY) {
    const { appendStepSummary } = await import("./step-summary.js");
    await appendStepSummary({ report, journalPath, io });
  }
  // An interruption is said once: by the summary's "Next:" line, or with --json by stdout's `error`.
}
