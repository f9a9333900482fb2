import { apiRuntime } from "../domo/api-runtime.js";
import { UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { LoadedManifests } from "../manifest/load-manifests.js";
import { hasScope, type RollbackPlan, type RollbackScope } from "../plan/build-rollback-plan.js";
import { plural } from "../report/plural.js";
import { renderRollbackPlan, rollbackPlanJson } from "../report/render-rollback-plan.js";
import { failedRunReport, isRunFailure } from "../run/run-lifecycle.js";
import { askToProceed, canAsk } from "./ask-to-proceed.js";
import type { RollbackArgs } from "./commands/rollback.js";
import type { CliIo } from "./context.js";
import { emitReport } from "./emit-report.js";
import { cliRunPorts } from "./run-ports.js";
import { checkGiven, checkRunArgs, cliLogger, configFrom, loadManifestArgs } from "./runtime.js";
import { tableLayout } from "./table-layout.js";

/** `fedmigrate rollback`: reverse the recorded migrations in scope; returns the exit code. */
export async function runRollbackCommand(args: RollbackArgs, io: CliIo): Promise<number> {
  checkRunArgs(args);
  checkGiven("run", args.run);
  checkGiven("manifest", args.manifest);
  checkGiven("datasource", args.datasource);
  const { scope, manifests } = await scopeFrom(args, io);
  if (!hasScope(scope)) {
    throw new UsageError("rollback needs a scope: nothing was sent", {
      hint: "Name one: --all, --run RUN_ID, --manifest FILE, --datasource ID or --since ISO_TIME (add --dry-run to preview).",
    });
  }
  // A manifest in scope also says where its journal is (and which instance), as for migrate.
  const config = configFrom(args, io, manifests);
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

  const preview = async (): Promise<RollbackPlan> => {
    const { planRollback } = await import("../run/run-rollback.js");
    const journal = openJournal(config.journalPath, { readonly: true });
    try {
      const stale = journal.inFlight(runtime.domainKey);
      if (stale.length > 0) {
        logger.warn(
          { event: "inflight.pending", rows: stale.length },
          "requests left in flight by a stopped run are resolved from the server when rollback runs",
        );
      }
      return await planRollback(runtime.domainKey, journal, scope, runtime);
    } finally {
      journal.close();
    }
  };

  if (args.dryRun) {
    const plan = await preview();
    io.stdout.write(
      args.json
        ? `${JSON.stringify(rollbackPlanJson(plan), null, 2)}\n`
        : renderRollbackPlan(plan, tableLayout(io, args.wide)),
    );
    return plan.counts.blocked > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
  }

  // On a terminal, what would be reversed is shown and a person says yes before anything is sent;
  // only what was shown is reversed.
  if (!args.yes && canAsk(io)) {
    const plan = await preview();
    const out = args.json ? io.stderr : io.stdout;
    out.write(renderRollbackPlan(plan, tableLayout(io, args.wide)).replace(" (dry run, nothing sent)", ""));
    const ids = new Set(plan.items.filter((i) => i.action === "reverse").map((i) => i.datasourceId));
    if (ids.size === 0) {
      out.write("Nothing to reverse.\n");
      return plan.counts.blocked > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
    }
    const answer = await askToProceed(
      io,
      `Reverse ${plural(ids.size, "datasource", "datasources")} on ${plan.domain} back to Federated V1 now? Type 'yes' (or 'y') to go on: `,
      out,
    );
    if (answer !== "yes") {
      out.write("Nothing was sent.\n");
      return answer === "interrupted" ? ExitCode.INTERRUPTED : ExitCode.ITEMS_FAILED;
    }
    scope.datasources = new Set([...ids].filter((id) => scope.datasources?.has(id) ?? true));
  }

  const { rollback } = await import("../run/rollback.js");
  const report = await rollback(
    {
      domain: runtime.domainKey,
      journalPath: config.journalPath,
      scope,
      concurrency: args.concurrency,
      maxFailures: args.maxFailures,
      recorded: {
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
    },
    { ...runtime, ...cliRunPorts(io, logger, runtime, args.json) },
  );
  await emitReport(report, args, io, config.journalPath, { retried: runtime.retries.count });
  return report.exitCode;
}

async function scopeFrom(
  args: RollbackArgs,
  io: CliIo,
): Promise<{ scope: RollbackScope; manifests: LoadedManifests | undefined }> {
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
  let manifests: LoadedManifests | undefined;
  if (args.manifest && args.manifest.length > 0) {
    manifests = await loadManifestArgs(args.manifest, io);
    manifestIds = new Set(manifests.entries.map((e) => e.datasource));
  }
  const scope = {
    all: Boolean(args.all),
    runId: args.run,
    datasources: args.datasource && args.datasource.length > 0 ? new Set(args.datasource) : undefined,
    manifestIds,
    since,
  };
  return { scope, manifests };
}
