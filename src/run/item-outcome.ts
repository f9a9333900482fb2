import type { ItemOutcome, Outcome, StopReason, WorkItem } from "./types.js";
import { type EntryFacts, unsentOutcome } from "./unsent-outcome.js";

/**
 * What an item's requests of this run came to, for its record: the record's own fields (`state`
 * is that of its last journal row of this run, `IN_FLIGHT` when left so), with the times as dates.
 */
export interface SentFacts
  extends Pick<ItemOutcome, "state" | "toe" | "errorMessage" | "httpStatus" | "attempts" | "resolvedBy"> {
  startedAt: Date;
  endedAt: Date;
}

/** The work item as its record says it. */
function factsOf(item: WorkItem): EntryFacts {
  return {
    datasource: item.datasourceId,
    name: item.name ?? null,
    account: item.accountId,
    direction: item.direction,
    catalog: item.target.catalog,
    schema: item.target.schema,
    table: item.target.table,
    action: item.direction === "V1_TO_V2" ? "migrate" : "reverse",
  };
}

/** The record of an item this run sent at least one request for. */
export function sentOutcome(item: WorkItem, outcome: Outcome, reason: string, facts: SentFacts): ItemOutcome {
  return {
    ...factsOf(item),
    outcome,
    reason,
    state: facts.state,
    toe: facts.toe,
    errorMessage: facts.errorMessage,
    httpStatus: facts.httpStatus,
    attempts: facts.attempts,
    resolvedBy: facts.resolvedBy,
    startedAt: facts.startedAt.toISOString(),
    endedAt: facts.endedAt.toISOString(),
    durationMs: facts.endedAt.getTime() - facts.startedAt.getTime(),
  };
}

const NOT_STARTED: Record<StopReason, string> = {
  interrupted: "not started: the run was interrupted",
  auth: "not started: the token was refused",
  setup: "not started: the API cannot be reached as configured",
  "max-failures": "not started: --max-failures reached",
  journal: "not started: the journal cannot be written",
};

/** The record of an item the run stopped before its first request. */
export function notStarted(item: WorkItem, reason: StopReason): ItemOutcome {
  return unsentOutcome(factsOf(item), "not-started", NOT_STARTED[reason]);
}
