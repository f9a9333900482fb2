import type { Logger } from "pino";
import type { DomoApi } from "../domo/types.js";
import type { AttemptRow, ItemHistory } from "../journal/types.js";
import { buildPlan } from "../plan/build-plan.js";
import type { Plan, PlanEntry, PlannedItem } from "../plan/types.js";
import { type AttemptWriter, type ExecuteResult, executeItems, type RetryRunner } from "./execute-items.js";
import { readServerState } from "./read-server-state.js";
import { resolveInFlight } from "./resolve-in-flight.js";
import type { StopController } from "./stop-controller.js";
import type { ExecutorEvent, ItemOutcome, WorkItem } from "./types.js";
import { migrationFacts, unsentOutcome } from "./unsent-outcome.js";

/** The journal as a migration run uses it. */
export interface MigrationJournal extends AttemptWriter {
  inFlight(domain: string): AttemptRow[];
  histories(domain: string, datasourceIds?: readonly string[]): Map<string, ItemHistory>;
}

export interface MigrationRunInput {
  runId: string;
  domain: string;
  entries: readonly PlanEntry[];
  journal: MigrationJournal;
  api: DomoApi;
  retry: RetryRunner;
  now: () => Date;
  logger: Logger;
  stop: StopController;
  concurrency: number;
  maxFailures?: number | undefined;
  includeRolledBack: boolean;
  /** `--limit N`: at most N entries that need work. */
  limit?: number | undefined;
  /** `migrate --plan FILE`: only the datasources that reviewed plan said to migrate. */
  approved?: ReadonlySet<string> | undefined;
  /** Called once the plan is made, before any POST (to size a progress bar). */
  onPlan?: (plan: Plan, toRun: number) => void;
  onEvent?: (event: ExecutorEvent) => void;
}

export interface MigrationRunResult {
  plan: Plan;
  outcomes: ItemOutcome[];
  fatal: ExecuteResult["fatal"];
  resolvedInFlight: number;
}

/**
 * `migrate` after the lock is held: resolve what a crashed run left in flight, plan online
 * (the same GETs as `plan`), then execute the entries that need work. Returns one outcome per
 * entry, in manifest order.
 */
export async function runMigration(input: MigrationRunInput): Promise<MigrationRunResult> {
  const { domain, journal } = input;
  const ports = { api: input.api, journal, retry: input.retry, now: input.now, logger: input.logger };

  const stale = journal.inFlight(domain);
  if (stale.length > 0) {
    // A reversal left in flight is confirmed by "not migrated" only if its migration was COMPLETE.
    const before = journal.histories(
      domain,
      stale.map((row) => row.datasourceId),
    );
    await resolveInFlight(
      stale,
      ports,
      (row) => before.get(row.datasourceId)?.lastMigrate?.state === "COMPLETE",
    );
  }

  const server = await readServerState(
    input.entries.map((e) => e.account),
    ports,
  );
  const histories = journal.histories(
    domain,
    input.entries.map((e) => e.datasource),
  );
  const plan = buildPlan({
    domain,
    entries: input.entries,
    histories,
    server,
    includeRolledBack: input.includeRolledBack,
  });

  const selected: PlannedItem[] = [];
  const deferred = new Map<PlannedItem, string>();
  for (const item of plan.items) {
    if (item.action !== "migrate") continue;
    if (input.approved && !input.approved.has(item.entry.datasource)) {
      deferred.set(item, "not in the reviewed plan (--plan): left for another run");
    } else if (input.limit !== undefined && selected.length >= input.limit) {
      deferred.set(item, `deferred by --limit ${input.limit}: a later run takes it`);
    } else {
      selected.push(item);
    }
  }
  input.onPlan?.(plan, selected.length);

  const work: WorkItem[] = selected.map((item) => ({
    datasourceId: item.entry.datasource,
    name: item.entry.name,
    accountId: item.entry.account,
    direction: "V1_TO_V2",
    target: { catalog: item.entry.catalog, schema: item.entry.schema, table: item.entry.table },
  }));
  const executed = await executeItems(work, ports, {
    runId: input.runId,
    domain,
    concurrency: input.concurrency,
    maxFailures: input.maxFailures,
    stop: input.stop,
    onEvent: input.onEvent,
  });
  const byId = new Map(executed.outcomes.map((o) => [o.datasource, o]));
  const outcomes = plan.items.map((item) => {
    const done = byId.get(item.entry.datasource);
    if (done && item.action === "migrate" && !deferred.has(item)) return done;
    return plannedOutcome(item, deferred.get(item));
  });
  return { plan, outcomes, fatal: executed.fatal, resolvedInFlight: stale.length };
}

/** The outcome of an entry that was not sent: as planned (skip, held, blocked) or deferred. */
function plannedOutcome(item: PlannedItem, deferredReason?: string): ItemOutcome {
  const outcome =
    deferredReason !== undefined || item.action === "skip"
      ? "skipped"
      : item.action === "held"
        ? "held"
        : "blocked";
  return unsentOutcome(
    migrationFacts(item.entry, item.action),
    outcome,
    deferredReason ?? item.reason,
    item.last,
  );
}
