import { describe, expect, it } from "vitest";
import type { AttemptRow, AttemptState } from "../../src/journal/types.js";
import { buildRollbackPlan, type RollbackScope } from "../../src/plan/build-rollback-plan.js";
import type { ServerState } from "../../src/plan/types.js";

let nextId = 1;
function row(
  direction: "V1_TO_V2" | "V2_TO_V1",
  state: AttemptState,
  over: Partial<AttemptRow> = {},
): AttemptRow {
  return {
    id: nextId++,
    runId: direction === "V1_TO_V2" ? "r-migrate" : "r-rollback",
    domain: "acme.domo.com",
    datasourceId: "ds-1",
    datasourceName: "Orders",
    accountId: "12",
    direction,
    catalog: "CAT",
    schema: "PUBLIC",
    tableName: "ORDERS",
    attempt: 1,
    startedAt: "2026-01-01T00:00:00.000Z",
    toe: state === "FAILED" ? null : `TOE-${nextId}`,
    state,
    errorMessage: state === "COMPLETE" ? null : "boom",
    httpStatus: null,
    serverStartTime: null,
    serverEndTime: null,
    endedAt: "2026-01-01T00:00:01.000Z",
    resolvedBy: null,
    ...over,
  };
}

function server(migrated: boolean): ServerState {
  return {
    accounts: new Set(["12"]),
    candidates: new Map([
      ["12", new Map([["ds-1", { id: "ds-1", name: "Orders", migrated, migrationDate: null }]])],
    ]),
  };
}

/** Plans the reversal of `migration`, the journal's last reversal of it being `reversal`. */
function planOne(migration: AttemptRow, reversal: AttemptRow | undefined, migrated: boolean | undefined) {
  const scope: RollbackScope = { all: true };
  const plan = buildRollbackPlan({
    domain: "acme.domo.com",
    reversible: [migration],
    scope,
    server: migrated === undefined ? undefined : server(migrated),
    lastReversals: new Map(reversal ? [["ds-1", reversal]] : []),
  });
  expect(plan.items).toHaveLength(1);
  return plan.items[0] as NonNullable<(typeof plan.items)[number]>;
}

describe("buildRollbackPlan: the server's list and the last reversal decide what is sent again", () => {
  // [case, migration state, last reversal (after the migration) or none, server lists it migrated, action, reason]
  it.each<[string, AttemptState, AttemptState | null, boolean | undefined, string, RegExp]>([
    ["COMPLETE, listed migrated", "COMPLETE", null, true, "reverse", /^migrated in run r-migrate/],
    [
      "COMPLETE, listed not migrated, no reversal recorded",
      "COMPLETE",
      null,
      false,
      "skip",
      /already on V1: the server lists it not migrated \(reversed outside this journal\); not sent again/,
    ],
    [
      "COMPLETE, its reversal answered INCOMPLETE, listed not migrated",
      "COMPLETE",
      "INCOMPLETE",
      false,
      "skip",
      /already on V1: the reversal of run r-rollback .*took effect though it was answered INCOMPLETE/,
    ],
    [
      "COMPLETE, its reversal answered INCOMPLETE, still listed migrated",
      "COMPLETE",
      "INCOMPLETE",
      true,
      "reverse",
      /^migrated in run/,
    ],
    ["INCOMPLETE, listed not migrated, never reversed", "INCOMPLETE", null, false, "reverse", /INCOMPLETE/],
    [
      "INCOMPLETE, its reversal answered INCOMPLETE, listed not migrated: still half-changed, sent again",
      "INCOMPLETE",
      "INCOMPLETE",
      false,
      "reverse",
      /^migration INCOMPLETE/,
    ],
    [
      "INCOMPLETE, its reversal refused (ABORTED), listed not migrated",
      "INCOMPLETE",
      "ABORTED",
      false,
      "skip",
      /already on V1: the server refused the reversal of run r-rollback .*as ABORTED \(boom\)/,
    ],
    [
      "INCOMPLETE, its reversal without answer (FAILED): unknown, sent again",
      "INCOMPLETE",
      "FAILED",
      false,
      "reverse",
      /^migration INCOMPLETE/,
    ],
    [
      "INCOMPLETE, its reversal answered INCOMPLETE, offline (no server)",
      "INCOMPLETE",
      "INCOMPLETE",
      undefined,
      "reverse",
      /^migration INCOMPLETE/,
    ],
  ])("%s → %s", (_name, migrationState, reversalState, migrated, action, reason) => {
    const migration = row("V1_TO_V2", migrationState);
    const reversal = reversalState ? row("V2_TO_V1", reversalState) : undefined;
    const item = planOne(migration, reversal, migrated);
    expect(item.action).toBe(action);
    expect(item.reason).toMatch(reason);
  });

  it("a reversal from before the migration says nothing about it", () => {
    const old = row("V2_TO_V1", "ABORTED");
    const migration = row("V1_TO_V2", "INCOMPLETE");
    expect(planOne(migration, old, false).action).toBe("reverse");
  });

  it("a datasource its account no longer lists is blocked, whatever the journal says", () => {
    const migration = row("V1_TO_V2", "INCOMPLETE");
    const plan = buildRollbackPlan({
      domain: "acme.domo.com",
      reversible: [migration],
      scope: { all: true },
      lastReversals: new Map([["ds-1", row("V2_TO_V1", "INCOMPLETE")]]),
      server: { accounts: new Set(["12"]), candidates: new Map([["12", new Map()]]) },
    });
    expect(plan.items[0]?.action).toBe("blocked");
  });
});
