import type { Logger } from "pino";
import type { DomoApi } from "../domo/types.js";
import type { Journal } from "../journal/journal.js";
import type { AttemptRow } from "../journal/types.js";
import {
  buildRollbackPlan,
  type RollbackItem,
  type RollbackPlan,
  type RollbackScope,
} from "../plan/build-rollback-plan.js";
import { type AttemptWriter, type ExecuteResult, executeItems, type RetryRunner } from "./execute-items.js";
import { readServerState } from "./read-server-state.js";
import { resolveInFlight } from "./resolve-in-flight.js";
import type { StopController } from "./stop-controller.js";
import type { ExecutorEvent, ItemOutcome, WorkItem } from "./types.js";
import { unsentOutcome } from "./unsent-outcome.js";

export interface RollbackJournal extends AttemptWriter, PlanningJournal {
  inFlight(domain: string): AttemptRow[];
}

/** What planning a rollback reads from the journal. */
export type PlanningJournal = Pick<Journal, "reversible" | "histories">;

export interface RollbackPorts {
  api: DomoApi;
  retry: RetryRunner;
  now: () => Date;
  logger: Logger;
}

/**
 * Reads what a rollback plan needs (what the journal can reverse, then the server's candidate
 * lists of the accounts involved and the journal's last reversal of each datasource to reverse)
 * and plans.
 */
export async function planRollback(
  domain: string,
  journal: PlanningJournal,
  scope: RollbackScope,
  ports: Pick<RollbackPorts, "api" | "retry">,
): Promise<RollbackPlan> {
  const reversible = journal.reversible(domain);
  const offline = buildRollbackPlan({ domain, reversible, scope });
  const reversing = offline.items.filter((i) => i.action === "reverse");
  const accounts = reversing.flatMap((i) => (i.accountId ? [i.accountId] : []));
  if (accounts.length === 0) return offline;
  const server = await readServerState(accounts, ports);
  const histories = journal.histories(
    domain,
    reversing.map((i) => i.datasourceId),
  );
  const lastReversals = new Map(
    [...histories].flatMap(([id, history]) =>
      history.lastReverse ? [[id, history.lastReverse] as const] : [],
    ),
  );
  return buildRollbackPlan({ domain, reversible, scope, server, lastReversals });
}

export interface RollbackRunInput extends RollbackPorts {
  runId: string;
  domain: string;
  journal: RollbackJournal;
  scope: RollbackScope;
  stop: StopController;
  concurrency: number;
  maxFailures?: number | undefined;
  onPlan?: (plan: RollbackPlan, toRun: number) => void;
  onEvent?: (event: ExecutorEvent) => void;
}

/**
 * `rollback` after the lock is held: resolve what a crashed run left in flight, plan from the
 * journal and the server, then call reverse for every datasource in scope, through the same
 * executor as `migrate` (concurrency, retries, read-back, journal, signals).
 */
export async function runRollback(
  input: RollbackRunInput,
): Promise<{ plan: RollbackPlan; outcomes: ItemOutcome[]; fatal: ExecuteResult["fatal"] }> {
  const { domain, journal } = input;
  const ports = { api: input.api, journal, retry: input.retry, now: input.now, logger: input.logger };
  const stale = journal.inFlight(domain);
  if (stale.length > 0) {
    // A reversal is confirmed by "not migrated" only if the migration it reversed was COMPLETE.
    const complete = new Set(
      journal
        .reversible(domain)
        .filter((row) => row.state === "COMPLETE")
        .map((row) => row.datasourceId),
    );
    await resolveInFlight(stale, ports, (row) => complete.has(row.datasourceId));
  }

  const plan = await planRollback(domain, journal, input.scope, ports);
  const selected = plan.items.filter((i) => i.action === "reverse");
  input.onPlan?.(plan, selected.length);
  const work: WorkItem[] = selected.map((item) => ({
    datasourceId: item.datasourceId,
    name: item.name ?? undefined,
    accountId: item.accountId ?? "",
    direction: "V2_TO_V1",
    target: { catalog: item.catalog, schema: item.schema, table: item.table },
  }));
  const executed = await executeItems(work, ports, {
    runId: input.runId,
    domain,
    concurrency: input.concurrency,
    maxFailures: input.maxFailures,
    stop: input.stop,
    onEvent: input.onEvent,
    // The server listed these migrated when the plan was made (an INCOMPLETE one it lists as not).
    migratedBeforeReversal: new Set(
      selected.filter((item) => item.migration?.state === "COMPLETE").map((item) => item.datasourceId),
    ),
  });
  const byId = new Map(executed.outcomes.map((o) => [o.datasource, o]));
  const outcomes = plan.items.map((item) => {
    const done = item.action === "reverse" ? byId.get(item.datasourceId) : undefined;
    return done ?? rollbackPlannedOutcome(item);
  });
  return { plan, outcomes, fatal: executed.fatal };
}

/**
 * The outcome of a rollback item that was not sent: as planned (skipped, blocked), or, given
 * `notAttemptedReason`, a reversal the run stopped before.
 */
export function rollbackPlannedOutcome(item: RollbackItem, notAttemptedReason?: string): ItemOutcome {
  const stopped = notAttemptedReason !== undefined && item.action === "reverse";
  return unsentOutcome(
    {
      datasource: item.datasourceId,
      name: item.name,
      account: item.accountId ?? "",
      direction: "V2_TO_V1",
      catalog: item.catalog,
      schema: item.schema,
      table: item.table,
      action: item.action,
    },
    stopped ? "not-started" : item.action === "blocked" ? "blocked" : "skipped",
    stopped ? (notAttemptedReason ?? item.reason) : item.reason,
  );
}
