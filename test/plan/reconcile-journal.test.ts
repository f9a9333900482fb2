import { describe, expect, it } from "vitest";
import type { AttemptRow, AttemptState, ItemHistory } from "../../src/journal/types.js";
import { reconcileJournal } from "../../src/plan/reconcile-journal.js";
import type { ServerState } from "../../src/plan/types.js";

let nextId = 0;
function row(datasourceId: string, direction: AttemptRow["direction"], state: AttemptState): AttemptRow {
  nextId += 1;
  return {
    id: nextId,
    runId: "run-1",
    domain: "acme.domo.com",
    datasourceId,
    datasourceName: null,
    accountId: "12",
    direction,
    catalog: "C",
    schema: "S",
    tableName: "T",
    attempt: 1,
    startedAt: "t",
    toe: "TOE",
    state,
    errorMessage: null,
    httpStatus: 200,
    serverStartTime: null,
    serverEndTime: null,
    endedAt: "t",
    resolvedBy: null,
  };
}

function server(listed: Record<string, boolean>): ServerState {
  const candidates = new Map(
    Object.entries(listed).map(([id, migrated]) => [id, { id, name: id, migrated, migrationDate: null }]),
  );
  return { accounts: new Set(["12"]), candidates: new Map([["12", candidates]]) };
}

/** One datasource's history; `reversible` when its last applied migration was not reversed since. */
function history(
  id: string,
  migrate: AttemptState | undefined,
  reverse?: AttemptState,
  inFlight = false,
): { history: ItemHistory; reversible: AttemptRow[] } {
  const lastMigrate = migrate ? row(id, "V1_TO_V2", migrate) : undefined;
  const lastReverse = reverse ? row(id, "V2_TO_V1", reverse) : undefined;
  const applied = lastMigrate && (migrate === "COMPLETE" || migrate === "INCOMPLETE");
  return {
    history: {
      datasourceId: id,
      lastMigrate,
      lastReverse,
      inFlight: inFlight ? [row(id, "V1_TO_V2", "IN_FLIGHT")] : [],
    },
    reversible: applied && reverse !== "COMPLETE" && lastMigrate ? [lastMigrate] : [],
  };
}

describe("reconcileJournal", () => {
  it.each([
    ["V2 in both", "COMPLETE", undefined, true, undefined],
    ["V2 in the journal, V1 in Domo", "COMPLETE", undefined, false, ["V2", "V1"]],
    ["V2 in the journal, not listed", "COMPLETE", undefined, undefined, ["V2", "not-listed"]],
    ["reversed in both", "COMPLETE", "COMPLETE", false, undefined],
    ["reversed in the journal, migrated in Domo", "COMPLETE", "COMPLETE", true, ["V1", "V2"]],
    ["reversal ABORTED: still V2 in the journal", "COMPLETE", "ABORTED", true, undefined],
    ["never migrated, migrated in Domo", "ABORTED", undefined, true, ["V1", "V2"]],
    ["never migrated, not listed", "FAILED", undefined, undefined, undefined],
  ] as const)("%s", (_title, migrate, reverse, listed, expected) => {
    const { history: h, reversible } = history("ds-1", migrate, reverse);
    const result = reconcileJournal(
      new Map([["ds-1", h]]),
      reversible,
      server(listed === undefined ? {} : { "ds-1": listed }),
    );
    expect(result.checked).toBe(1);
    expect(result.disagreements.map((d) => [d.journal, d.domo])).toEqual(expected ? [expected] : []);
  });

  it("leaves out what is in flight or INCOMPLETE", () => {
    const inFlight = history("ds-1", "COMPLETE", undefined, true);
    const incomplete = history("ds-2", "INCOMPLETE");
    const result = reconcileJournal(
      new Map([
        ["ds-1", inFlight.history],
        ["ds-2", incomplete.history],
      ]),
      [...inFlight.reversible, ...incomplete.reversible],
      server({ "ds-1": false, "ds-2": false }),
    );
    expect(result).toEqual({ checked: 0, unsettled: 2, disagreements: [] });
  });
});
