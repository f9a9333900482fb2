import { FedmigrateError, UsageError } from "../errors.js";
import {
  buildRollbackPlan,
  hasScope,
  type RollbackPlan,
  type RollbackScope,
} from "../plan/build-rollback-plan.js";
import { renderTable } from "../report/render-table.js";
import type { RollbackArgs } from "./commands/rollback.js";
import type { CliIo } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { failedRunReport, isRunFailure, withRunLifecycle } from "./run-lifecycle.js";
import { emitReport } from "./run-migrate-command.js";
import { apiRuntime, checkGiven, checkRunArgs, cliLogger, configFrom, loadManifestArgs } from "./runtime.js";

/** `fedmigrate rollback`: reverse the recorded migrations in scope; returns the exit code. */
export async function runRollbackCommand(args: RollbackArgs, io: CliIo): Promise<number> {
  checkRunArgs(args);
  checkGiven("run", args.run);
  checkGiven("manifest", args.manifest);
  checkGiven("datasource", args.datasource);
  const scope = await scopeFrom(args, io);
  if (!hasScope(scope)) {
    throw new UsageError("rollback needs a scope: nothing was sent", {
      hint: "Name one: --all, --run RUN_ID, --manifest FILE, --datasource ID or --since ISO_TIME (add --dry-run to preview).",
    });
  }
  const config = configFrom(args, io);
  const logger = await cliLogger(args, io, [config.token]);
  const runtime = await apiRuntime(config, args, logger, io.env);
  // Where the token and the reversals go, first, before anything changes.
  if (!args.json) io.stdout.write(`Domo: ${runtime.domainKey}\n`);
  const { journalExists, openJournal } = await import("../journal/open-journal.js");
  if (!journalExists(config.journalPath)) {
    throw new UsageError(
      `there is no journal at ${config.journalPath}: no migration is recorded to roll back`,
      {
        hint: "Name the journal the migrations were run with: --journal PATH or FEDMIGRATE_JOURNAL.",
      },
    );
  }
  const started = new Date();
  if (scope.runId !== undefined) {
    try {
      const journal = openJournal(config.journalPath, { readonly: true });
      try {
        if (!journal.getRun(scope.runId)) {
          throw new UsageError(`there is no run ${scope.runId} in ${config.journalPath}`, {
            hint: "List the runs with 'fedmigrate history'.",
          });
        }
      } finally {
        journal.close();
      }
    } catch (error) {
      // An unreadable journal stops a rollback as it does a migrate: with its report (nothing in it).
      if (args.dryRun || !isRunFailure(error)) throw error;
      const report = failedRunReport({
        command: "rollback",
        domain: runtime.domainKey,
        manifestsHash: null,
        runId: null,
        started,
        error,
        items: [],
      });
      await emitReport(report, args, io, config.journalPath);
      return report.exitCode;
    }
  }

  if (args.dryRun) {
    const { planRollback } = await import("../run/run-rollback.js");
    const journal = openJournal(config.journalPath, { readonly: true });
    let plan: RollbackPlan;
    try {
      const stale = journal.inFlight(runtime.domainKey);
      if (stale.length > 0) {
        logger.warn(
          { event: "inflight.pending", rows: stale.length },
          "requests left in flight by a stopped run are resolved from the server when rollback runs",
        );
      }
      plan = await planRollback(runtime.domainKey, journal, scope, runtime);
    } finally {
      journal.close();
    }
    io.stdout.write(
      args.json ? `${JSON.stringify(rollbackPlanJson(plan), null, 2)}\n` : renderRollbackPlan(plan),
    );
    return plan.counts.blocked > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
  }

  const { runRollback, rollbackPlannedOutcome } = await import("../run/run-rollback.js");
  const report = await withRunLifecycle({
    command: "rollback",
    io,
    logger,
    journalPath: config.journalPath,
    domainKey: runtime.domainKey,
    manifestsHash: null,
    json: Boolean(args.json),
    options: {
      all: scope.all,
      run: scope.runId ?? null,
      manifest: args.manifest ?? null,
      datasource: args.datasource ?? null,
      since: args.since ?? null,
      concurrency: args.concurrency,
      retries: args.retries,
      timeout: args.timeout,
      maxFailures: args.maxFailures ?? null,
    },
    body: async (run) =>
      runRollback({
        runId: run.runId,
        domain: runtime.domainKey,
        journal: run.journal,
        scope,
        api: runtime.api,
        retry: runtime.retry,
        now: () => new Date(),
        logger,
        stop: run.stop,
        concurrency: args.concurrency,
        maxFailures: args.maxFailures,
        onPlan: (_plan, toRun) => run.startProgress(toRun, "rollback"),
        onEvent: run.onEvent,
      }),
    // Stopped before its plan: what the journal says it would have reversed, none of it attempted.
    notAttempted: (reason, journal) =>
      journal
        ? buildRollbackPlan({
            domain: runtime.domainKey,
            reversible: journal.reversible(runtime.domainKey),
            scope,
          }).items.map((item) => rollbackPlannedOutcome(item, reason))
        : [],
  });
  if (runtime.api.isSimulator?.()) report.simulator = true;
  await emitReport(report, args, io, config.journalPath);
  return report.exitCode;
}

async function scopeFrom(args: RollbackArgs, io: CliIo): Promise<RollbackScope> {
  let since: Date | undefined;
  if (args.since !== undefined) {
    since = new Date(args.since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(args.since) || Number.isNaN(since.getTime())) {
      throw new UsageError(
        `--since takes an ISO time such as 2026-11-28T02:00:00Z (got ${JSON.stringify(args.since)})`,
      );
    }
  }
  let manifestIds: Set<string> | undefined;
  if (args.manifest && args.manifest.length > 0) {
    const manifests = await loadManifestArgs(args.manifest, io);
    manifestIds = new Set(manifests.entries.map((e) => e.datasource));
  }
  if (args.all && (args.run || args.datasource || manifestIds || since)) {
    throw new FedmigrateError(
      "USAGE",
      "--all reverses everything: give it alone, or narrow with the other scopes instead",
    );
  }
  return {
    all: Boolean(args.all),
    runId: args.run,
    datasources: args.datasource && args.datasource.length > 0 ? new Set(args.datasource) : undefined,
    manifestIds,
    since,
  };
}

function renderRollbackPlan(plan: RollbackPlan): string {
  // Drawn in linear time: a rollback --all --dry-run lists every migration the journal holds.
  const table = renderTable(
    {
      head: ["action", "datasource", "name", "account", "target", "reason"],
      style: { head: [], border: [] },
      wordWrap: true,
      colWidths: [9, 38, 20, 9, 30, 50],
    },
    plan.items.map((item) => [
      item.action,
      item.datasourceId,
      item.name ?? "",
      item.accountId ?? "",
      item.catalog ? `${item.catalog}.${item.schema}.${item.table}` : "",
      item.reason,
    ]),
  );
  const { counts } = plan;
  return `${plan.items.length > 0 ? `${table}\n` : ""}Rollback plan for ${plan.domain} (dry run, nothing sent): ${counts.reverse} to reverse, ${counts.skip} to skip, ${counts.blocked} blocked.\n`;
}

function rollbackPlanJson(plan: RollbackPlan) {
  return {
    success: plan.counts.blocked === 0,
    command: "rollback",
    dryRun: true,
    domain: plan.domain,
    counts: plan.counts,
    items: plan.items.map((i) => ({
      datasource: i.datasourceId,
      name: i.name,
      account: i.accountId,
      catalog: i.catalog,
      schema: i.schema,
      table: i.table,
      action: i.action,
      reason: i.reason,
      migrationRun: i.migration?.runId ?? null,
      migrationToe: i.migration?.toe ?? null,
    })),
  };
}
