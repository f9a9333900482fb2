import { buildRollbackPlan, type RollbackScope } from "../plan/build-rollback-plan.js";
import type { RunReport } from "../report/run-report.js";
import { lifecyclePorts, type RunPorts } from "./migrate.js";
import { withRunLifecycle } from "./run-lifecycle.js";

/** How `rollback` runs: the instance and journal, what to reverse and the bounds of the run. */
export interface RollbackOptions {
  /** The instance's key (`apiRuntime(…).domainKey`). */
  domain: string;
  /** The journal the migrations were recorded in. */
  journalPath: string;
  /** What to reverse: at least one of its fields set (`hasScope`). */
  scope: RollbackScope;
  /** Requests at once (default 4). */
  concurrency?: number | undefined;
  /** Stop starting new entries after this many failures. */
  maxFailures?: number | undefined;
  /** Recorded on the run row as its options (default: the scope and bounds). */
  recorded?: Record<string, unknown> | undefined;
}

/**
 * Reverses the recorded migrations in scope back to Federated V1: the lock, the run row, the
 * rollback plan from the journal, the reversals, the end of the run and the report, as `migrate`.
 */
export async function rollback(options: RollbackOptions, ports: RunPorts): Promise<RunReport> {
  const { scope } = options;
  const lifecycle = await lifecyclePorts(ports);
  const { runRollback, rollbackPlannedOutcome } = await import("./run-rollback.js");
  const report = await withRunLifecycle(
    {
      command: "rollback",
      journalPath: options.journalPath,
      domainKey: options.domain,
      manifestsHash: null,
      options: options.recorded ?? {
        all: scope.all,
        run: scope.runId ?? null,
        datasource: scope.datasources ? [...scope.datasources] : null,
        since: scope.since?.toISOString() ?? null,
        concurrency: options.concurrency ?? 4,
        maxFailures: options.maxFailures ?? null,
      },
      body: async (run) =>
        runRollback({
          runId: run.runId,
          domain: options.domain,
          journal: run.journal,
          scope,
          api: ports.api,
          retry: ports.retry,
          now: () => new Date(),
          logger: lifecycle.logger,
          stop: run.stop,
          concurrency: options.concurrency ?? 4,
          maxFailures: options.maxFailures,
          onPlan: (_plan, toRun) => run.startProgress(toRun, "rollback"),
          onEvent: run.onEvent,
        }),
      // Stopped before its plan: what the journal says it would have reversed, none of it attempted.
      notAttempted: (reason, journal) =>
        journal
          ? buildRollbackPlan({
              domain: options.domain,
              reversible: journal.reversible(options.domain),
              scope,
            }).items.map((item) => rollbackPlannedOutcome(item, reason))
          : [],
    },
    lifecycle,
  );
  if (ports.api.isSimulator?.()) report.simulator = true;
  return report;
}
