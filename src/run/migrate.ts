import type { Logger } from "pino";
import type { DomoApi } from "../domo/types.js";
import { FedmigrateError } from "../errors.js";
import { readHistories } from "../journal/read-histories.js";
import type { LoadedManifests } from "../manifest/load-manifests.js";
import { journalStateHash, type SavedPlan, staleReasons } from "../plan/saved-plan.js";
import type { PlanEntry } from "../plan/types.js";
import type { RunReport } from "../report/run-report.js";
import type { RetryRunner } from "./execute-items.js";
import {
  failedRunReport,
  isRunFailure,
  notAttemptedReason,
  type RunLifecyclePorts,
  withRunLifecycle,
} from "./run-lifecycle.js";
import { type RunMetadata, runMetadata } from "./run-metadata.js";
import type { ItemOutcome } from "./types.js";
import { migrationFacts, unsentOutcome } from "./unsent-outcome.js";

/** The ports of a run: the API and its retry policy (`apiRuntime`), and what goes around the run. */
export interface RunPorts extends Partial<Omit<RunLifecyclePorts, "logger" | "meta">> {
  api: DomoApi;
  retry: RetryRunner;
  /** Structured events of the run (default: none). */
  logger?: Logger | undefined;
  /** Who and where runs it, recorded on the run row (default: from `process.env`). */
  meta?: RunMetadata | undefined;
}

/** How `migrate` runs: the instance and journal, and the bounds of the run. */
export interface MigrateOptions {
  /** The instance's key (`apiRuntime(…).domainKey`): the journal is keyed by it. */
  domain: string;
  /** The SQLite journal; created on the first run. */
  journalPath: string;
  /** Only these datasources of the manifests (default: every entry). */
  only?: readonly string[] | undefined;
  /** Requests at once (default 4). */
  concurrency?: number | undefined;
  /** Stop starting new entries after this many failures. */
  maxFailures?: number | undefined;
  /** At most this many entries that need work. */
  limit?: number | undefined;
  /** Migrate again entries that a rollback reversed. */
  includeRolledBack?: boolean | undefined;
  /** A reviewed plan (`plan --out`): run exactly its migrations; a stale one is refused (PLAN_STALE). */
  savedPlan?: { plan: SavedPlan; name: string } | undefined;
  /** Only these datasources: those a person said yes to. */
  approved?: ReadonlySet<string> | undefined;
  /** Recorded on the run row as its options (default: these options). */
  recorded?: Record<string, unknown> | undefined;
}

/** The manifests' entries that `only` names; an id not in them is a usage error. */
export function selectEntries(
  entries: readonly PlanEntry[],
  only: readonly string[] | undefined,
): readonly PlanEntry[] {
  if (!only || only.length === 0) return entries;
  const wanted = new Set(only);
  const unknown = [...wanted].filter((id) => !entries.some((e) => e.datasource === id));
  if (unknown.length > 0) {
    throw new FedmigrateError(
      "USAGE",
      `--only names datasources that are not in the manifests: ${unknown.join(", ")}`,
    );
  }
  return entries.filter((e) => wanted.has(e.datasource));
}

/**
 * Migrates the manifests' entries that need it: takes the journal's lock, records the run, plans
 * online, executes, records the end and returns the report. A run-level failure (the journal, the
 * token, the API) is a report too, with `error` set; usage errors (`only`, a stale plan) are thrown.
 */
export async function migrate(
  manifests: Pick<LoadedManifests, "entries" | "hash">,
  options: MigrateOptions,
  ports: RunPorts,
): Promise<RunReport> {
  const entries = selectEntries(manifests.entries, options.only);
  const started = (ports.now ?? (() => new Date()))();
  let report: RunReport;
  try {
    report = await checkedMigrate(manifests, entries, options, ports);
  } catch (error) {
    // Reading the journal for the saved plan's check failed: a run-level failure, reported alike.
    if (!isRunFailure(error)) throw error;
    report = failedRunReport({
      command: "migrate",
      domain: options.domain,
      manifestsHash: manifests.hash,
      runId: null,
      started,
      error,
      items: notAttemptedEntries(entries, notAttemptedReason(error)),
    });
  }
  if (ports.api.isSimulator?.()) report.simulator = true;
  return report;
}

async function checkedMigrate(
  manifests: Pick<LoadedManifests, "entries" | "hash">,
  entries: readonly PlanEntry[],
  options: MigrateOptions,
  ports: RunPorts,
): Promise<RunReport> {
  let approved: Set<string> | undefined;
  if (options.savedPlan) {
    const { plan, name } = options.savedPlan;
    const histories = await readHistories(options.journalPath, options.domain, manifests);
    const reasons = staleReasons(plan, {
      domain: options.domain,
      manifestsHash: manifests.hash,
      journalHash: journalStateHash(manifests.entries, histories),
      includeRolledBack: options.includeRolledBack ?? false,
    });
    if (reasons.length > 0) {
      throw new FedmigrateError("PLAN_STALE", `the plan ${name} is stale: ${reasons.join("; ")}`, {
        hint: "Make and review a new one with 'fedmigrate plan … --out FILE'.",
      });
    }
    approved = new Set(plan.items.filter((i) => i.action === "migrate").map((i) => i.datasource));
  }
  if (options.approved) {
    const confirmed = options.approved;
    approved = new Set([...(approved ?? confirmed)].filter((id) => confirmed.has(id)));
  }
  const lifecycle = await lifecyclePorts(ports);
  const { runMigration } = await import("./run-migration.js");
  return withRunLifecycle(
    {
      command: "migrate",
      journalPath: options.journalPath,
      domainKey: options.domain,
      manifestsHash: manifests.hash,
      options: options.recorded ?? recordedOptions(options),
      body: async (run) => {
        const result = await runMigration({
          runId: run.runId,
          domain: options.domain,
          entries,
          journal: run.journal,
          api: ports.api,
          retry: ports.retry,
          now: () => new Date(),
          logger: lifecycle.logger,
          stop: run.stop,
          concurrency: options.concurrency ?? 4,
          maxFailures: options.maxFailures,
          includeRolledBack: options.includeRolledBack ?? false,
          limit: options.limit,
          approved,
          onPlan: (_plan, toRun) => run.startProgress(toRun, "migrate"),
          onEvent: run.onEvent,
        });
        return { outcomes: result.outcomes, fatal: result.fatal };
      },
      notAttempted: (reason) => notAttemptedEntries(entries, reason),
    },
    lifecycle,
  );
}

function recordedOptions(options: MigrateOptions): Record<string, unknown> {
  return {
    concurrency: options.concurrency ?? 4,
    only: options.only ?? null,
    limit: options.limit ?? null,
    maxFailures: options.maxFailures ?? null,
    includeRolledBack: options.includeRolledBack ?? false,
    plan: options.savedPlan?.name ?? null,
  };
}

/** The lifecycle's ports, with defaults for what a script leaves out. */
export async function lifecyclePorts(ports: RunPorts): Promise<RunLifecyclePorts> {
  let logger = ports.logger;
  if (!logger) {
    const { pino } = await import("pino");
    logger = pino({ level: "silent" });
  }
  return {
    logger,
    meta: ports.meta ?? runMetadata(process.env),
    now: ports.now,
    interrupts: ports.interrupts,
    progress: ports.progress,
  };
}

/** The manifest's entries as not attempted: the records of a run stopped before its plan. */
function notAttemptedEntries(entries: readonly PlanEntry[], reason: string): ItemOutcome[] {
  return entries.map((entry) => unsentOutcome(migrationFacts(entry, "none"), "not-started", reason));
}
