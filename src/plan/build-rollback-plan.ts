import type { AttemptRow } from "../journal/types.js";
import type { ServerState } from "./types.js";

/** What `rollback` reverses: scopes narrow each other; at least one must be given. */
export interface RollbackScope {
  all: boolean;
  runId?: string | undefined;
  datasources?: ReadonlySet<string> | undefined;
  /** Datasource ids of the manifests given with `--manifest`. */
  manifestIds?: ReadonlySet<string> | undefined;
  /** Migrations that ended at or after this time. */
  since?: Date | undefined;
}

export type RollbackAction = "reverse" | "skip" | "blocked";

export interface RollbackItem {
  datasourceId: string;
  name: string | null;
  /** The account it was migrated to (whose candidate list shows it). */
  accountId: string | null;
  catalog: string;
  schema: string;
  table: string;
  action: RollbackAction;
  reason: string;
  /** The migration being reversed. */
  migration: AttemptRow | undefined;
}

export interface RollbackPlan {
  domain: string;
  online: boolean;
  items: RollbackItem[];
  counts: Record<RollbackAction, number>;
}

export function hasScope(scope: RollbackScope): boolean {
  return (
    scope.all ||
    scope.runId !== undefined ||
    scope.datasources !== undefined ||
    scope.manifestIds !== undefined ||
    scope.since !== undefined
  );
}

/**
 * The pure rollback planner: every datasource in scope whose latest migration changed it
 * (COMPLETE or INCOMPLETE) and that has not been reversed since, checked against the server
 * when it is known. Datasources named with `--datasource` that have nothing to reverse are
 * listed too, so a typo is visible.
 */
export function buildRollbackPlan(input: {
  domain: string;
  reversible: readonly AttemptRow[];
  scope: RollbackScope;
  server?: ServerState | undefined;
  /**
   * The journal's latest final reversal attempt of each datasource (any state), for the rule that
   * a reversal which took effect is not sent again (see `planRow`); used with `server` only.
   */
  lastReversals?: ReadonlyMap<string, AttemptRow> | undefined;
}): RollbackPlan {
  const { scope, server } = input;
  const inScope = input.reversible.filter((row) => {
    if (scope.runId !== undefined && row.runId !== scope.runId) return false;
    if (scope.datasources && !scope.datasources.has(row.datasourceId)) return false;
    if (scope.manifestIds && !scope.manifestIds.has(row.datasourceId)) return false;
    if (scope.since && Date.parse(row.endedAt ?? row.startedAt) < scope.since.getTime()) return false;
    return true;
  });
  const items: RollbackItem[] = inScope.map((row) =>
    planRow(row, server, input.lastReversals?.get(row.datasourceId)),
  );
  if (scope.datasources) {
    const found = new Set(inScope.map((r) => r.datasourceId));
    for (const id of scope.datasources) {
      if (found.has(id)) continue;
      items.push({
        datasourceId: id,
        name: null,
        accountId: null,
        catalog: "",
        schema: "",
        table: "",
        action: "skip",
        reason:
          "nothing to reverse in scope: the journal records no COMPLETE or INCOMPLETE migration of it that is not already reversed",
        migration: undefined,
      });
    }
  }
  const counts: Record<RollbackAction, number> = { reverse: 0, skip: 0, blocked: 0 };
  for (const item of items) counts[item.action] += 1;
  return { domain: input.domain, online: server !== undefined, items, counts };
}

/**
 * One migration to reverse, checked against the server when it is known. The server's candidate
 * list is the truth about a datasource that was migrated COMPLETE: listed as not migrated, it is
 * on V1 already and nothing is sent (a reversal that ends INCOMPLETE leaves it listed migrated).
 * For one whose migration ended INCOMPLETE the list cannot tell (it shows INCOMPLETE and V1
 * alike), so the last reversal attempt after it decides: one the server refused (ABORTED) while
 * listing it not migrated found nothing to reverse, so it is back on V1 and sending the reversal
 * again would only be refused again, run after run. One answered INCOMPLETE failed after some
 * changes (Domo: to be re-attempted until it completes), and one that got no answer (FAILED)
 * proves nothing: either is sent again, which is how the server says where it is.
 */
function planRow(
  row: AttemptRow,
  server: ServerState | undefined,
  lastReversal: AttemptRow | undefined,
): RollbackItem {
  const base = {
    datasourceId: row.datasourceId,
    name: row.datasourceName,
    accountId: row.accountId,
    catalog: row.catalog ?? "",
    schema: row.schema ?? "",
    table: row.tableName ?? "",
    migration: row,
  };
  const what = `${row.state === "COMPLETE" ? "migrated" : "migration INCOMPLETE"} in run ${row.runId}${row.toe ? ` (toe ${row.toe})` : ""}`;
  if (server && row.accountId) {
    const candidate = server.candidates.get(row.accountId)?.get(row.datasourceId);
    if (!candidate) {
      return {
        ...base,
        action: "blocked",
        reason: `${what}, but account ${row.accountId} no longer lists it as a candidate; check it in Domo before reversing`,
      };
    }
    // Only a reversal attempt after this migration says anything about it.
    const reversal = lastReversal && lastReversal.id > row.id ? lastReversal : undefined;
    if (!candidate.migrated && (row.state === "COMPLETE" || tookEffect(reversal))) {
      return {
        ...base,
        action: "skip",
        reason: `${what}; already on V1: ${reversal ? `${reversalWords(reversal)}, and the server lists it not migrated` : "the server lists it not migrated (reversed outside this journal)"}; not sent again`,
      };
    }
  }
  return { ...base, action: "reverse", reason: what };
}

/** Whether a reversal attempt, with the server listing the datasource not migrated, left it on V1. */
function tookEffect(reversal: AttemptRow | undefined): boolean {
  return reversal?.state === "ABORTED";
}

function reversalWords(reversal: AttemptRow): string {
  const toe = reversal.toe ? ` (toe ${reversal.toe})` : "";
  switch (reversal.state) {
    case "INCOMPLETE":
      return `the reversal of run ${reversal.runId}${toe} took effect though it was answered INCOMPLETE`;
    case "ABORTED":
      return `the server refused the reversal of run ${reversal.runId}${toe} as ABORTED${reversal.errorMessage ? ` (${reversal.errorMessage})` : ""}`;
    default:
      return `the reversal of run ${reversal.runId} (${reversal.state}${reversal.resolvedBy ? `, read back` : ""}) took effect`;
  }
}
