import type { AttemptRow } from "../journal/types.js";
import type { PlanEntry } from "../plan/types.js";
import type { ItemOutcome, Outcome } from "./types.js";

/** What the record of an entry says about the entry itself: who it is, where it goes, the plan. */
export type EntryFacts = Pick<
  ItemOutcome,
  "datasource" | "name" | "account" | "direction" | "catalog" | "schema" | "table" | "action"
>;

/**
 * The record of an entry this run sent no request for: planned so (skipped, held, blocked), or
 * kept from its turn (not started: the run stopped first). `last` is the journal's last attempt,
 * shown for context (a skipped COMPLETE entry keeps its toe); the run's own counts stay zero.
 */
export function unsentOutcome(
  entry: EntryFacts,
  outcome: Outcome,
  reason: string,
  last?: Pick<AttemptRow, "state" | "toe" | "errorMessage">,
): ItemOutcome {
  return {
    ...entry,
    outcome,
    reason,
    state: last?.state ?? null,
    toe: last?.toe ?? null,
    errorMessage: last?.errorMessage ?? null,
    httpStatus: null,
    attempts: 0,
    resolvedBy: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
  };
}

/** A manifest entry as the record of its migration says it; `action` is what the plan said. */
export function migrationFacts(entry: PlanEntry, action: string): EntryFacts {
  return {
    datasource: entry.datasource,
    name: entry.name ?? null,
    account: entry.account,
    direction: "V1_TO_V2",
    catalog: entry.catalog,
    schema: entry.schema,
    table: entry.table,
    action,
  };
}
