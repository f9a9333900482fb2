import { describe, expect, it } from "vitest";
import type { Candidate } from "../../src/domo/types.js";
import type { AttemptRow, AttemptState, ItemHistory } from "../../src/journal/types.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import type { PlanEntry, ServerState } from "../../src/plan/types.js";

const entry: PlanEntry = {
  datasource: "ds-1",
  account: "12",
  catalog: "CAT",
  schema: "PUBLIC",
  table: "ORDERS",
};

let nextId = 1;
function row(
  direction: "V1_TO_V2" | "V2_TO_V1",
  state: AttemptState,
  over: Partial<AttemptRow> = {},
): AttemptRow {
  return {
    id: nextId++,
    runId: over.runId ?? "r-1",
    domain: "acme.domo.com",
    datasourceId: "ds-1",
    datasourceName: null,
    accountId: "12",
    direction,
    catalog: "CAT",
    schema: "PUBLIC",
    tableName: "ORDERS",
    attempt: 1,
    startedAt: "2026-01-01T00:00:00.000Z",
    toe: state === "FAILED" || state === "IN_FLIGHT" ? null : "TOE-1",
    state,
    errorMessage: state === "COMPLETE" ? null : "boom",
    httpStatus: null,
    serverStartTime: null,
    serverEndTime: null,
    endedAt: null,
    resolvedBy: null,
    ...over,
  };
}

function history(rows: AttemptRow[]): Map<string, ItemHistory> {
  const final = rows.filter((r) => r.state !== "IN_FLIGHT");
  const last = (d: string) => final.filter((r) => r.direction === d).at(-1);
  return new Map([
    [
      "ds-1",
      {
        datasourceId: "ds-1",
        lastMigrate: last("V1_TO_V2"),
        lastReverse: last("V2_TO_V1"),
        inFlight: rows.filter((r) => r.state === "IN_FLIGHT"),
      },
    ],
  ]);
}

function server(candidate: Partial<Candidate> | null, accounts = ["12"]): ServerState {
  const list = new Map<string, Candidate>();
  if (candidate)
    list.set("ds-1", { id: "ds-1", name: "Orders", migrated: false, migrationDate: null, ...candidate });
  return { accounts: new Set(accounts), candidates: new Map([["12", list]]) };
}

describe("buildPlan", () => {
  it.each([
    // [title, journal rows, server, includeRolledBack, action, code]
    ["never attempted", [], undefined, false, "migrate", "new"],
    ["never attempted, online", [], server({}), false, "migrate", "new"],
    ["last ABORTED", [row("V1_TO_V2", "ABORTED")], undefined, false, "migrate", "retry-aborted"],
    ["last FAILED", [row("V1_TO_V2", "FAILED")], undefined, false, "migrate", "retry-failed"],
    ["last INCOMPLETE", [row("V1_TO_V2", "INCOMPLETE")], undefined, false, "migrate", "retry-incomplete"],
    ["last COMPLETE", [row("V1_TO_V2", "COMPLETE")], undefined, false, "skip", "complete"],
    [
      "COMPLETE after an earlier failure",
      [row("V1_TO_V2", "ABORTED"), row("V1_TO_V2", "COMPLETE")],
      undefined,
      false,
      "skip",
      "complete",
    ],
    [
      "migrated outside",
      [],
      server({ migrated: true, migrationDate: "2026-01-02" }),
      false,
      "skip",
      "migrated-outside",
    ],
    ["unknown account", [], server({}, ["13"]), false, "blocked", "unknown-account"],
    ["not a candidate", [], server(null), false, "blocked", "not-candidate"],
    [
      "rolled back: held",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "COMPLETE")],
      undefined,
      false,
      "held",
      "rolled-back",
    ],
    [
      "rolled back, included",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "COMPLETE")],
      server({}),
      true,
      "migrate",
      "rolled-back-included",
    ],
    [
      "rollback INCOMPLETE is held too",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "INCOMPLETE")],
      undefined,
      false,
      "held",
      "rolled-back",
    ],
    [
      "an ABORTED rollback changed nothing",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "ABORTED")],
      undefined,
      false,
      "skip",
      "complete",
    ],
    [
      "migrated again after a rollback",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "COMPLETE"), row("V1_TO_V2", "COMPLETE")],
      undefined,
      false,
      "skip",
      "complete",
    ],
    [
      "drift in table",
      [row("V1_TO_V2", "COMPLETE", { tableName: "orders" })],
      undefined,
      false,
      "blocked",
      "drift",
    ],
    [
      "drift in account",
      [row("V1_TO_V2", "COMPLETE", { accountId: "13" })],
      undefined,
      false,
      "blocked",
      "drift",
    ],
    [
      "journal COMPLETE, server on V1: reversed outside, held",
      [row("V1_TO_V2", "COMPLETE")],
      server({ migrated: false }),
      false,
      "held",
      "reversed-outside",
    ],
    [
      "journal COMPLETE, server on V1, included",
      [row("V1_TO_V2", "COMPLETE")],
      server({ migrated: false }),
      true,
      "migrate",
      "reversed-outside-included",
    ],
    [
      "a reversal answered ABORTED that took effect: held as reversed outside",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "ABORTED")],
      server({ migrated: false }),
      false,
      "held",
      "reversed-outside",
    ],
    [
      "in flight, offline",
      [row("V1_TO_V2", "IN_FLIGHT")],
      undefined,
      false,
      "migrate",
      "in-flight-unresolved",
    ],
    [
      "in flight, server migrated",
      [row("V1_TO_V2", "IN_FLIGHT")],
      server({ migrated: true }),
      false,
      "skip",
      "in-flight-applied",
    ],
    [
      "in flight, server not migrated",
      [row("V1_TO_V2", "IN_FLIGHT")],
      server({ migrated: false }),
      false,
      "migrate",
      "in-flight-not-applied",
    ],
    [
      "reversal in flight, server on V1",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "IN_FLIGHT")],
      server({ migrated: false }),
      false,
      "held",
      "rolled-back",
    ],
    [
      "reversal in flight, server still on V2",
      [row("V1_TO_V2", "COMPLETE"), row("V2_TO_V1", "IN_FLIGHT")],
      server({ migrated: true }),
      false,
      "skip",
      "complete",
    ],
  ] as const)("%s → %s", (_title, rows, srv, include, action, code) => {
    const plan = buildPlan({
      domain: "acme.domo.com",
      entries: [entry],
      histories: history([...rows]),
      server: srv,
      includeRolledBack: include,
    });
    expect(plan.items[0]?.action).toBe(action);
    expect(plan.items[0]?.code).toBe(code);
    expect(plan.items[0]?.reason.length).toBeGreaterThan(5);
    expect(plan.counts[action]).toBe(1);
  });

  it("says what drifted", () => {
    const plan = buildPlan({
      domain: "d",
      entries: [entry],
      histories: history([row("V1_TO_V2", "COMPLETE", { tableName: "orders", schema: "NULL" })]),
    });
    expect(plan.items[0]?.reason).toContain('table "orders" → "ORDERS"');
    expect(plan.items[0]?.reason).toContain('schema "NULL" → "PUBLIC"');
    expect(plan.items[0]?.reason).toContain("rollback --datasource ds-1");
  });

  it("keeps manifest order and counts every action", () => {
    const entries = ["a", "b", "c"].map((id) => ({ ...entry, datasource: id }));
    const plan = buildPlan({ domain: "d", entries, histories: new Map() });
    expect(plan.items.map((i) => i.entry.datasource)).toEqual(["a", "b", "c"]);
    expect(plan.counts).toEqual({ migrate: 3, skip: 0, held: 0, blocked: 0 });
    expect(plan.online).toBe(false);
  });
});

describe("buildPlan: reversed outside this journal", () => {
  it("holds it with the reason, and says how to include it", () => {
    const plan = buildPlan({
      domain: "d",
      entries: [entry],
      histories: history([row("V1_TO_V2", "COMPLETE", { runId: "r-7" })]),
      server: {
        accounts: new Set(["12"]),
        candidates: new Map([
          ["12", new Map([["ds-1", { id: "ds-1", name: "x", migrated: false, migrationDate: null }]])],
        ]),
      },
    });
    expect(plan.items[0]?.action).toBe("held");
    expect(plan.items[0]?.reason).toMatch(/^reversed outside this journal: Domo lists it on V1/);
    expect(plan.items[0]?.reason).toContain("run r-7");
    expect(plan.items[0]?.reason).toContain("--include-rolled-back");
  });
});
