import { describe, expect, it } from "vitest";
import { parseSavedPlan, type SavedPlan, toSavedPlan } from "../../src/plan/saved-plan.js";
import type { Plan } from "../../src/plan/types.js";

const PLAN: Plan = {
  domain: "acme.domo.com",
  online: true,
  includeRolledBack: false,
  items: [
    {
      entry: { datasource: "ds-1", account: "12", catalog: "ANALYTICS", schema: "PUBLIC", table: "ORDERS" },
      action: "migrate",
      code: "new",
      reason: "not migrated yet",
      last: undefined,
    },
    {
      entry: { datasource: "ds-2", account: "12", catalog: "ANALYTICS", schema: "NULL", table: "T" },
      action: "skip",
      code: "complete",
      reason: "already COMPLETE",
      last: undefined,
    },
  ],
  counts: { migrate: 1, skip: 1, held: 0, blocked: 0 },
};

function saved(): SavedPlan {
  return toSavedPlan(PLAN, "m".repeat(64), "j".repeat(64), "2026-12-06T07:00:00.000Z");
}

/** The saved plan's JSON with one change made to its parsed form. */
function edited(
  change: (plan: Record<string, unknown> & { items: Record<string, unknown>[] }) => void,
): string {
  const plan = JSON.parse(JSON.stringify(saved()));
  change(plan);
  return JSON.stringify(plan);
}

describe("parseSavedPlan", () => {
  it("reads back what toSavedPlan wrote", () => {
    expect(parseSavedPlan(JSON.stringify(saved(), null, 2))).toEqual({ plan: saved() });
  });

  it.each<[string, string, RegExp]>([
    ["text that is not JSON", "{ nope", /^not JSON \(/],
    [
      "another JSON file",
      JSON.stringify({ name: "package" }),
      /^not a fedmigrate plan file \(write one with/,
    ],
    ["a list", "[]", /^not a fedmigrate plan file/],
    ["null", "null", /^not a fedmigrate plan file/],
    ["a later format", edited((p) => Object.assign(p, { fedmigratePlan: 2 })), /^not a fedmigrate plan file/],
    [
      "a missing hash",
      edited((p) => delete p.journalHash),
      /^not a valid fedmigrate plan file: journalHash is missing; make it again with 'fedmigrate plan --out FILE'$/,
    ],
    [
      "a flag that is not a boolean",
      edited((p) => Object.assign(p, { online: "yes" })),
      /: online is the text "yes", not true or false;/,
    ],
    [
      "items that are not a list",
      edited((p) => Object.assign(p, { items: {} })),
      /: items is an object, not a list;/,
    ],
    [
      "an unknown action, deep in the items",
      edited((p) => Object.assign(p.items[1] as object, { action: "go" })),
      /: items\[1\]\.action is the text "go", not one of migrate, skip, held, blocked;/,
    ],
    [
      "a table that is a number",
      edited((p) => Object.assign(p.items[0] as object, { table: 5 })),
      /: items\[0\]\.table is the number 5, not text;/,
    ],
    [
      "an item that is not an object",
      edited((p) => p.items.splice(0, 1, 7 as never)),
      /: items\[0\] is the number 7, not an object;/,
    ],
  ])("refuses %s, saying what is wrong", (_label, text, message) => {
    const parsed = parseSavedPlan(text);
    expect("error" in parsed ? parsed.error : "parsed").toMatch(message);
  });
});
