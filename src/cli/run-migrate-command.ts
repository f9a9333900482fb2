import { readFileSync } from "node:fs";
import path from "node:path";
import { FedmigrateError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { journalStateHash, parseSavedPlan, staleReasons } from "../plan/saved-plan.js";
import type { PlanEntry } from "../plan/types.js";
import type { RunReport } from "../report/run-report.js";
import type { ItemOutcome } from "../run/types.js";
import { migrationFacts, unsentOutcome } from "../run/unsent-outcome.js";
import { askToProceed, canAsk } from "./ask-to-proceed.js";
import type { MigrateArgs } from "./commands/migrate.js";
import type { CliIo } from "./context.js";
import { readHistories } from "./make-plan.js";
import { failedRunReport, isRunFailure, notAttemptedReason, withRunLifecycle } from "./run-lifecycle.js";
import {
  apiRuntime,
  checkCount,
  checkGiven,
  checkRunArgs,
  cliLogger,
  commandLine,
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

  // On a terminal, the plan is shown and a person says yes before anything is sent.
  let confirmed: Set<string> | undefined;
  if (!args.yes && canAsk(io)) {
    const answer = await confirmMigration(args, io, entries);
    if (typeof answer === "number") return answer;
    confirmed = answer;
  }

  const started = new Date();
  let report: RunReport;
  try {
    report = await migrateWithReport(args, io, { entries, manifests, config, logger, runtime, confirmed });
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
  await emitReport(report, args, io, config.journalPath, {
    rerun: commandLine("migrate", args.manifests),
    retried: runtime.retries.count,
  });
  return report.exitCode;
}

/** What `migrate` has resolved before it runs: the entries (after `--only`) and its ports. */
interface MigrateSetup {
  entries: readonly PlanEntry[];
  manifests: Awaited<ReturnType<typeof loadManifestArgs>>;
  config: ReturnType<typeof configFrom>;
  logger: Awaited<ReturnType<typeof cliLogger>>;
  runtime: Awaited<ReturnType<typeof apiRuntime>>;
  /** The datasources the operator said yes to (on a terminal): nothing else is migrated. */
  confirmed?: Set<string> | undefined;
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
  if (setup.confirmed) {
    const confirmed = setup.confirmed;
    approved = new Set([...(approved ?? confirmed)].filter((id) => confirmed.has(id)));
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
    retries: runtime.retries,
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

/**
 * Plans as `plan` does (GETs only), shows what would be migrated and asks. Returns the datasources
 * to migrate on yes, or the exit code to leave with (1 on no, 130 on Ctrl-C): nothing is sent.
 */
async function confirmMigration(
  args: MigrateArgs,
  io: CliIo,
  entries: readonly PlanEntry[],
): Promise<Set<string> | number> {
  const { makePlan } = await import("./make-plan.js");
  const { plan } = await makePlan({ ...args, offline: false, out: undefined }, io);
  const wanted = new Set(entries.map((e) => e.datasource));
  const items = plan.items.filter((item) => wanted.has(item.entry.datasource));
  let taken = 0;
  const shown = items.map((item) => {
    if (item.action !== "migrate") return item;
    if (args.limit !== undefined && taken >= args.limit) {
      return { ...item, action: "skip" as const, reason: `deferred by --limit ${args.limit}` };
    }
    taken += 1;
    return item;
  });
  const counts = { migrate: 0, skip: 0, held: 0, blocked: 0 };
  for (const item of shown) counts[item.action] += 1;
  const { renderPlanChunks } = await import("../report/render-plan.js");
  const { tableLayout } = await import("./table-layout.js");
  const out = args.json ? io.stderr : io.stdout;
  for (const chunk of renderPlanChunks(
    { ...plan, items: shown, counts },
    { layout: tableLayout(io, args.wide) },
  ))
    out.write(chunk);
  const ids = new Set(shown.filter((i) => i.action === "migrate").map((i) => i.entry.datasource));
  if (ids.size === 0) return ids;
  const { plural } = await import("../report/plural.js");
  const answer = await askToProceed(
    io,
    `Migrate ${plural(ids.size, "datasource", "datasources")} on ${plan.domain} now? Only 'yes' goes on: `,
    out,
  );
  if (answer === "yes") return ids;
  out.write("Nothing was sent.\n");
  return answer === "interrupted" ? ExitCode.INTERRUPTED : ExitCode.ITEMS_FAILED;
}

/** The manifest's entries as not attempted: the records of a run stopped before its plan. */
function notAttemptedEntries(entries: readonly PlanEntry[], reason: string): ItemOutcome[] {
  return entries.map((entry) => unsentOutcome(migrationFacts(entry, "none"), "not-started", reason));
}

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
    const { plural } = await import("../report/plural.js");
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
