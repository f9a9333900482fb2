import { readFileSync } from "node:fs";
import path from "node:path";
import { FedmigrateError } from "../errors.js";
import { journalStateHash, parseSavedPlan, staleReasons } from "../plan/saved-plan.js";
import type { PlanEntry } from "../plan/types.js";
import type { RunReport } from "../report/run-report.js";
import type { ItemOutcome } from "../run/types.js";
import { migrationFacts, unsentOutcome } from "../run/unsent-outcome.js";
import type { MigrateArgs } from "./commands/migrate.js";
import type { CliIo } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { readHistories } from "./make-plan.js";
import { failedRunReport, isRunFailure, notAttemptedReason, withRunLifecycle } from "./run-lifecycle.js";
import {
  apiRuntime,
  checkCount,
  checkGiven,
  checkRunArgs,
  cliLogger,
  configFrom,
  loadManifestArgs,
  writeOutputFile,
} from "./runtime.js";
import { sayOnStderr } from "./say-on-stderr.js";

/** `fedmigrate migrate`: plan online, then run the plan; returns the exit code. */
export async function runMigrateCommand(args: MigrateArgs, io: CliIo): Promise<number> {
  checkRunArgs(args);
  checkCount("limit", args.limit, { max: 10_000_000 });
  checkGiven("only", args.only);
  checkGiven("plan", args.plan);

  if (args.dryRun) {
    if (args.plan) throw new FedmigrateError("USAGE", "--dry-run and --plan do not go together");
    const { planCommand } = await import("./commands/plan.js");
    const ctx = { io, exitCode: 0 };
    await (planCommand.handler as unknown as (a: unknown, c: unknown) => Promise<void>)(args, ctx);
    return ctx.exitCode;
  }

  const manifests = await loadManifestArgs(args.manifests, io);
  const config = configFrom(args, io, manifests);
  const logger = await cliLogger(args, io, [config.token]);
  const runtime = await apiRuntime(config, args, logger, io.env);
  // Where the token and the migrations go, first, before anything changes.
  if (!args.json) io.stdout.write(`Domo: ${runtime.domainKey}\n`);
  let entries = manifests.entries;
  if (args.only && args.only.length > 0) {
    const only = new Set(args.only);
    const unknown = [...only].filter((id) => !entries.some((e) => e.datasource === id));
    if (unknown.length > 0) {
      throw new FedmigrateError(
        "USAGE",
        `--only names datasources that are not in the manifests: ${unknown.join(", ")}`,
      );
    }
    entries = entries.filter((e) => only.has(e.datasource));
  }

  const started = new Date();
  let report: RunReport;
  try {
    report = await migrateWithReport(args, io, { entries, manifests, config, logger, runtime });
  } catch (error) {
    // Reading the journal for the saved plan's check failed: a run-level failure, reported alike.
    if (!isRunFailure(error)) throw error;
    report = failedRunReport({
      command: "migrate",
      domain: runtime.domainKey,
      manifestsHash: manifests.hash,
      runId: null,
      started,
      error,
      items: notAttemptedEntries(entries, notAttemptedReason(error)),
    });
  }
  if (runtime.api.isSimulator?.()) report.simulator = true;
  await emitReport(report, args, io, config.journalPath);
  return report.exitCode;
}

/** What `migrate` has resolved before it runs: the entries (after `--only`) and its ports. */
interface MigrateSetup {
  entries: readonly PlanEntry[];
  manifests: Awaited<ReturnType<typeof loadManifestArgs>>;
  config: ReturnType<typeof configFrom>;
  logger: Awaited<ReturnType<typeof cliLogger>>;
  runtime: Awaited<ReturnType<typeof apiRuntime>>;
}

/** Checks a saved plan (`--plan`), then runs; every run-level failure inside the run is in the report. */
async function migrateWithReport(args: MigrateArgs, io: CliIo, setup: MigrateSetup): Promise<RunReport> {
  const { entries, manifests, config, logger, runtime } = setup;
  let approved: Set<string> | undefined;
  if (args.plan) {
    const file = path.resolve(io.cwd, args.plan);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new FedmigrateError("USAGE", `cannot read the plan ${file}: ${(error as Error).message}`);
    }
    const parsed = parseSavedPlan(text);
    if ("error" in parsed) throw new FedmigrateError("USAGE", `${file} is ${parsed.error}`);
    const histories = await readHistories(config.journalPath, runtime.domainKey, manifests);
    const reasons = staleReasons(parsed.plan, {
      domain: runtime.domainKey,
      manifestsHash: manifests.hash,
      journalHash: journalStateHash(manifests.entries, histories),
      includeRolledBack: args.includeRolledBack ?? false,
    });
    if (reasons.length > 0) {
      throw new FedmigrateError("PLAN_STALE", `the plan ${args.plan} is stale: ${reasons.join("; ")}`, {
        hint: "Make and review a new one with 'fedmigrate plan … --out FILE'.",
      });
    }
    approved = new Set(parsed.plan.items.filter((i) => i.action === "migrate").map((i) => i.datasource));
  }

  const { runMigration } = await import("../run/run-migration.js");
  return withRunLifecycle({
    command: "migrate",
    io,
    logger,
    journalPath: config.journalPath,
    domainKey: runtime.domainKey,
    manifestsHash: manifests.hash,
    json: Boolean(args.json),
    options: {
      concurrency: args.concurrency,
      retries: args.retries,
      timeout: args.timeout,
      only: args.only ?? null,
      limit: args.limit ?? null,
      maxFailures: args.maxFailures ?? null,
      includeRolledBack: args.includeRolledBack ?? false,
      plan: args.plan ?? null,
      manifests: args.manifests,
    },
    body: async (run) => {
      const result = await runMigration({
        runId: run.runId,
        domain: runtime.domainKey,
        entries,
        journal: run.journal,
        api: runtime.api,
        retry: runtime.retry,
        now: () => new Date(),
        logger,
        stop: run.stop,
        concurrency: args.concurrency,
        maxFailures: args.maxFailures,
        includeRolledBack: args.includeRolledBack ?? false,
        limit: args.limit,
        approved,
        onPlan: (_plan, toRun) => run.startProgress(toRun, "migrate"),
        onEvent: run.onEvent,
      });
      return { outcomes: result.outcomes, fatal: result.fatal };
    },
    notAttempted: (reason) => notAttemptedEntries(entries, reason),
  });
}

/** The manifest's entries as not attempted: the records of a run stopped before its plan. */
function notAttemptedEntries(entries: readonly PlanEntry[], reason: string): ItemOutcome[] {
  return entries.map((entry) => unsentOutcome(migrationFacts(entry, "none"), "not-started", reason));
}

/** Prints the summary (or the JSON document) and writes the requested report files. */
export async function emitReport(
  report: RunReport,
  args: { json?: boolean | undefined; report?: string | undefined; junit?: string | undefined },
  io: CliIo,
  journalPath: string,
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
      `${report.command} ${report.runId ?? ""} on ${report.domain} did not start: nothing was sent, ${report.items.length} entries not attempted (exit ${report.exitCode}).\n`,
    );
  } else {
    const { renderSummary } = await import("../report/render-summary.js");
    io.stdout.write(renderSummary(report));
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
  if (report.exitCode === ExitCode.INTERRUPTED) {
    sayOnStderr(
      io,
      "warn",
      "run.interrupted",
      "interrupted; run the same command again to continue where it stopped",
    );
  }
}
