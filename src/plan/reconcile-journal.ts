import type { AttemptRow, ItemHistory } from "../journal/types.js";
import type { ServerState } from "./types.js";

/** Where the journal says a datasource is. */
export type JournalSays = "V2" | "V1";

/** Where Domo's candidate list says it is: `not-listed` when its account does not list it. */
export type DomoSays = "V2" | "V1" | "not-listed";

/** A datasource on which the journal and Domo disagree. */
export interface Disagreement {
  datasource: string;
  account: string | null;
  journal: JournalSays;
  domo: DomoSays;
  /** The journal row the journal's view rests on. */
  attemptId: number;
  message: string;
}

/** What `reconcileJournal` compared and found. */
export interface Reconciliation {
  /** Datasources compared (those with a settled view in the journal). */
  checked: number;
  /** Datasources left out: in flight, or last left INCOMPLETE (neither V1 nor V2 for sure). */
  unsettled: number;
  disagreements: Disagreement[];
}

/**
 * Compares the journal with Domo's candidate lists, datasource by datasource: one the journal
 * says is on V2 (its latest migration COMPLETE and no COMPLETE reversal since: `reversible`
 * holds that migration) must be listed `migrated: true` by its account; one the journal says is
 * on V1 (reversed since, or never migrated) must not be listed migrated. Pure.
 */
export function reconcileJournal(
  histories: ReadonlyMap<string, ItemHistory>,
  reversible: readonly AttemptRow[],
  server: ServerState,
): Reconciliation {
  const applied = new Map(reversible.map((row) => [row.datasourceId, row.id]));
  const disagreements: Disagreement[] = [];
  let checked = 0;
  let unsettled = 0;
  for (const history of histories.values()) {
    const { lastMigrate, lastReverse } = history;
    const row = lastMigrate ?? lastReverse;
    if (!row) continue;
    const onV2 = lastMigrate?.state === "COMPLETE" && applied.get(history.datasourceId) === lastMigrate.id;
    const incomplete =
      !onV2 && lastMigrate?.state === "INCOMPLETE" && applied.get(history.datasourceId) === lastMigrate.id;
    if (history.inFlight.length > 0 || incomplete) {
      unsettled += 1;
      continue;
    }
    checked += 1;
    const journal: JournalSays = onV2 ? "V2" : "V1";
    const candidate = row.accountId
      ? server.candidates.get(row.accountId)?.get(history.datasourceId)
      : undefined;
    const domo: DomoSays = candidate === undefined ? "not-listed" : candidate.migrated ? "V2" : "V1";
    if (journal === domo || (journal === "V1" && domo === "not-listed")) continue;
    const basis = onV2 ? lastMigrate : (lastReverse ?? lastMigrate);
    const attemptId = (basis ?? row).id;
    const account = row.accountId ?? "(none)";
    const why =
      journal === "V2"
        ? `the journal says it is on V2 (attempt ${attemptId}, migration COMPLETE, not reversed since)`
        : lastReverse?.state === "COMPLETE" && (!lastMigrate || lastReverse.id > lastMigrate.id)
          ? `the journal says it is back on V1 (attempt ${attemptId}, reversal COMPLETE)`
          : `the journal says it is not migrated (attempt ${attemptId}, migration ${lastMigrate?.state ?? "never COMPLETE"})`;
    const what =
      domo === "not-listed"
        ? `Domo does not list it as a candidate of account ${account}`
        : domo === "V1"
          ? `Domo lists it on V1 (migrated: false) in account ${account}: it was reversed outside this journal`
          : `Domo lists it migrated (migrated: true) in account ${account}: it was migrated outside this journal`;
    disagreements.push({
      datasource: history.datasourceId,
      account: row.accountId,
      journal,
      domo,
      attemptId,
      message: `datasource ${history.datasourceId}: ${why}, but ${what}.`,
    });
  }
  disagreements.sort((a, b) => a.attemptId - b.attemptId);
  return { checked, unsettled, disagreements };
}
