import type { AttemptRow, ItemHistory } from "../journal/types.js";
import type {
  Plan,
  PlanAction,
  PlanCounts,
  PlanEntry,
  PlannedItem,
  ReasonCode,
  ServerState,
} from "./types.js";

export interface BuildPlanInput {
  domain: string;
  entries: readonly PlanEntry[];
  /** Journal history per datasource id on this domain (empty when there is no journal). */
  histories: ReadonlyMap<string, ItemHistory>;
  /** The server's state; absent for an offline plan. */
  server?: ServerState | undefined;
  /** Migrate the entries held as rolled back or reversed outside this journal (`--include-rolled-back`). */
  includeRolledBack?: boolean;
}

/**
 * The pure planner of SPEC section 4: one action per manifest entry, with its reason, from the
 * journal and (online) the server. No I/O.
 */
export function buildPlan(input: BuildPlanInput): Plan {
  const includeRolledBack = input.includeRolledBack ?? false;
  const items = input.entries.map((entry) =>
    planEntry(entry, input.histories.get(entry.datasource), input.server, includeRolledBack),
  );
  return {
    domain: input.domain,
    online: input.server !== undefined,
    includeRolledBack,
    items,
    counts: countActions(items),
  };
}

function countActions(items: readonly { action: PlanAction }[]): PlanCounts {
  const counts: PlanCounts = { migrate: 0, skip: 0, held: 0, blocked: 0 };
  for (const item of items) counts[item.action] += 1;
  return counts;
}

function planEntry(
  entry: PlanEntry,
  history: ItemHistory | undefined,
  server: ServerState | undefined,
  includeRolledBack: boolean,
): PlannedItem {
  const lastMigrate = history?.lastMigrate;
  const decide = (action: PlanAction, code: ReasonCode, reason: string): PlannedItem => ({
    entry,
    action,
    code,
    reason,
    last: lastMigrate,
  });

  // The server is the authority on what exists: an entry it cannot take is blocked whatever
  // the journal says, so that `migrate` never sends a call bound to fail.
  const candidate = server?.candidates.get(entry.account)?.get(entry.datasource);
  if (server) {
    if (!server.accounts.has(entry.account)) {
      return decide(
        "blocked",
        "unknown-account",
        `account ${entry.account} is not a Federated V2 account this token can see; check the id with 'fedmigrate discover'`,
      );
    }
    if (!candidate) {
      return decide(
        "blocked",
        "not-candidate",
        `datasource is not a migration candidate of account ${entry.account}; check the account (is it the right integration type?) with 'fedmigrate discover --account ${entry.account}'`,
      );
    }
  }

  // A crashed run left a request in flight: its fate is read from the server before anything
  // else (`migrate` records that resolution in the journal before planning).
  const inFlight = history?.inFlight.at(-1);
  const lastReverse = history?.lastReverse;
  let rolledBackBy: string | undefined;
  let rollbackState: string | undefined;
  if (inFlight) {
    if (!candidate) {
      return decide(
        "migrate",
        "in-flight-unresolved",
        `a request of run ${inFlight.runId} was in flight when it stopped; migrate reads the server to resolve it first`,
      );
    }
    if (inFlight.direction === "V1_TO_V2" && candidate.migrated) {
      return decide(
        "skip",
        "in-flight-applied",
        `a request of run ${inFlight.runId} was in flight when it stopped and the server reports it migrated; it is recorded COMPLETE`,
      );
    }
    if (inFlight.direction === "V2_TO_V1" && !candidate.migrated) {
      rolledBackBy = inFlight.runId;
      rollbackState = "COMPLETE";
    }
    // Otherwise the in-flight request took no effect: the rules below apply as if it had failed.
  }

  if (!rolledBackBy && lastReverse && isAfter(lastReverse, lastMigrate)) {
    // An ABORTED or FAILED reversal changed nothing; COMPLETE and INCOMPLETE ones did.
    if (lastReverse.state === "COMPLETE" || lastReverse.state === "INCOMPLETE") {
      rolledBackBy = lastReverse.runId;
      rollbackState = lastReverse.state;
    }
  }
  if (rolledBackBy) {
    if (!includeRolledBack) {
      const how = rollbackState === "COMPLETE" ? "rolled back" : `rollback ended ${rollbackState}`;
      return decide(
        "held",
        "rolled-back",
        `${how} by run ${rolledBackBy}; held until 'migrate --include-rolled-back'`,
      );
    }
    return decide(
      "migrate",
      "rolled-back-included",
      `rolled back by run ${rolledBackBy}; --include-rolled-back`,
    );
  }

  if (lastMigrate?.state === "COMPLETE") {
    const drift = describeDrift(entry, lastMigrate);
    if (drift) {
      return decide(
        "blocked",
        "drift",
        `migrated by run ${lastMigrate.runId} with a different mapping (${drift}); to apply the new mapping, 'fedmigrate rollback --datasource ${entry.datasource}' then migrate again`,
      );
    }
    if (candidate && !candidate.migrated) {
      // Someone reversed it in Domo, or a reversal answered ABORTED took effect anyway: any
      // reversal is held alike, so that a scheduled run never fights a person who reversed it
      // on purpose. The journal's COMPLETE still means "do not POST again".
      const why = `reversed outside this journal: Domo lists it on V1 (the journal has it migrated by run ${lastMigrate.runId})`;
      if (!includeRolledBack) {
        return decide("held", "reversed-outside", `${why}; held until 'migrate --include-rolled-back'`);
      }
      return decide("migrate", "reversed-outside-included", `${why}; --include-rolled-back`);
    }
    return decide(
      "skip",
      "complete",
      `migrated by run ${lastMigrate.runId}${lastMigrate.toe ? ` (toe ${lastMigrate.toe})` : ""}`,
    );
  }

  if (candidate?.migrated) {
    return decide(
      "skip",
      "migrated-outside",
      `migrated outside this journal${candidate.migrationDate ? ` on ${candidate.migrationDate}` : ""}`,
    );
  }

  if (!lastMigrate) {
    if (inFlight) {
      return decide(
        "migrate",
        "in-flight-not-applied",
        `a request of run ${inFlight.runId} was in flight when it stopped and did not take effect`,
      );
    }
    return decide("migrate", "new", "not migrated yet");
  }
  const detail = lastMigrate.errorMessage ? `: ${lastMigrate.errorMessage}` : "";
  const toe = lastMigrate.toe ? ` (toe ${lastMigrate.toe})` : "";
  switch (lastMigrate.state) {
    case "ABORTED":
      return decide(
        "migrate",
        "retry-aborted",
        `last attempt ABORTED in run ${lastMigrate.runId}${toe}${detail}`,
      );
    case "INCOMPLETE":
      return decide(
        "migrate",
        "retry-incomplete",
        `last attempt INCOMPLETE in run ${lastMigrate.runId}${toe}${detail}`,
      );
    default:
      return decide("migrate", "retry-failed", `last attempt FAILED in run ${lastMigrate.runId}${detail}`);
  }
}

function isAfter(row: AttemptRow, other: AttemptRow | undefined): boolean {
  return other === undefined || row.id > other.id;
}

/** The fields that differ between the manifest entry and the recorded COMPLETE migration. */
function describeDrift(entry: PlanEntry, recorded: AttemptRow): string | undefined {
  const changes: string[] = [];
  const compare = (field: string, now: string, then: string | null) => {
    if (then !== null && now !== then)
      changes.push(`${field} ${JSON.stringify(then)} → ${JSON.stringify(now)}`);
  };
  compare("account", entry.account, recorded.accountId);
  compare("catalog", entry.catalog, recorded.catalog);
  compare("schema", entry.schema, recorded.schema);
  compare("table", entry.table, recorded.tableName);
  return changes.length > 0 ? changes.join(", ") : undefined;
}
