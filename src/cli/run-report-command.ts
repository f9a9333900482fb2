import { resolveConfig } from "../config/resolve-config.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { Journal } from "../journal/open-journal.js";
import type { RunRow } from "../journal/types.js";
import { plural } from "../report/plural.js";
import { renderHtmlReport } from "../report/render-html-report.js";
import { renderMarkdownReport } from "../report/render-markdown-report.js";
import { buildRunView } from "../report/run-view.js";
import { VERSION } from "../version.js";
import type { ReportArgs } from "./commands/report.js";
import type { CliIo } from "./context.js";
import { loadManifestArgs, writeOutputFile } from "./runtime.js";

/** `fedmigrate report`: reads one run from the journal, writes it as HTML and/or Markdown. */
export async function runReportCommand(
  args: ReportArgs,
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (args.html === undefined && args.md === undefined) {
    throw new UsageError("report needs somewhere to write: give --html FILE, --md FILE, or both", {
      hint: "For example: fedmigrate report --last --html run.html",
    });
  }
  for (const [flag, value] of [
    ["html", args.html],
    ["md", args.md],
  ] as const) {
    if (value !== undefined && value.trim() === "") throw new UsageError(`--${flag} needs a file name`);
  }
  if (args.run !== undefined && args.run.trim() === "") {
    throw new UsageError("--run needs a run id", {
      hint: "'fedmigrate history' lists the runs and their ids.",
    });
  }

  if (args.html === "-" && args.md === "-") {
    throw new UsageError("--html - and --md - would both write to stdout: send one of them to a file");
  }
  if (args.json && (args.html === "-" || args.md === "-")) {
    throw new UsageError("--json and a report on stdout ('-') would both write to stdout: give one of them");
  }
  // Only the journal matters here: a domain or token in the environment is not read, so a stale
  // one cannot stop a report.
  const manifests =
    args.manifest && args.manifest.length > 0 ? await loadManifestArgs(args.manifest, io) : undefined;
  const config = resolveConfig({
    flags: { journal: args.journal },
    env: { FEDMIGRATE_JOURNAL: io.env.FEDMIGRATE_JOURNAL },
    manifest: manifests ? { journal: manifests.journal } : undefined,
    cwd: io.cwd,
  });
  const { journalExists, openJournal } = await import("../journal/open-journal.js");
  if (!journalExists(config.journalPath)) {
    throw new UsageError(`there is no journal at ${config.journalPath}: nothing has run with it yet`, {
      hint: "Name the journal with --journal PATH, FEDMIGRATE_JOURNAL, or --manifest FILE (its journal:).",
    });
  }
  const journal = openJournal(config.journalPath, { readonly: true });
  let run: RunRow;
  let view: ReturnType<typeof buildRunView>;
  try {
    run = pickRun(journal, args, config.journalPath);
    view = buildRunView(run, journal.attemptsOfRun(run.id));
  } finally {
    journal.close();
  }

  const written: { html: string | null; md: string | null } = { html: null, md: null };
  if (args.html !== undefined) {
    const html = renderHtmlReport(view, { generatedAt: now().toISOString(), version: VERSION });
    if (args.html === "-") io.stdout.write(html);
    else writeOutputFile(args.html, html, io, "HTML report");
    written.html = args.html;
  }
  if (args.md !== undefined) {
    const md = renderMarkdownReport(view);
    if (args.md === "-") io.stdout.write(md);
    else writeOutputFile(args.md, md, io, "Markdown report");
    written.md = args.md;
  }
  // stdout holds the report itself: the note on what was written goes to a file only.
  if (args.html === "-" || args.md === "-") return ExitCode.OK;

  if (args.json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          success: true,
          runId: run.id,
          command: run.command,
          status: run.status,
          entries: view.entries.length,
          failures: view.failures.length,
          counts: view.counts,
          html: written.html,
          md: written.md,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const files = [written.html, written.md].filter((f): f is string => f !== null).join(" and ");
    io.stdout.write(
      `Wrote the report of ${run.command} run ${run.id} (${run.status}; ${plural(view.entries.length, "entry", "entries")}, ${view.failures.length} not COMPLETE) to ${files}.\n`,
    );
  }
  return ExitCode.OK;
}

function pickRun(journal: Journal, args: ReportArgs, journalPath: string): RunRow {
  if (args.run !== undefined) {
    const run = journal.getRun(args.run.trim());
    if (run) return run;
    throw new UsageError(`there is no run ${args.run} in the journal ${journalPath}`, {
      hint: "'fedmigrate history' lists the runs and their ids; --last reports the newest.",
    });
  }
  const run = journal.lastRun(args.command === undefined ? {} : { command: args.command });
  if (run) return run;
  throw new UsageError(
    args.command === undefined
      ? `there are no runs in the journal ${journalPath} yet`
      : `there is no ${args.command} run in the journal ${journalPath}`,
    { hint: "'fedmigrate history' lists the runs in a journal." },
  );
}
