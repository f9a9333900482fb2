import { describe, expect, it } from "vitest";
import type { Plan, PlanAction, PlannedItem } from "../../src/plan/types.js";
import { type PlanView, renderPlanChunks } from "../../src/report/render-plan.js";
import { displayWidth } from "../../src/report/terminal-text.js";

function item(i: number, action: PlanAction): PlannedItem {
  return {
    entry: {
      datasource: `0fd630f1-f29d-4da9-953f-48f1a09f${String(i).padStart(4, "0")}`,
      account: "12",
      catalog: "ANALYTICS",
      schema: "PUBLIC",
      table: `CUSTOMER_ORDERS_${i}`,
      name: `Customer orders ${i}`,
    },
    action,
    code: action === "skip" ? "complete" : "new",
    reason: action === "skip" ? "already migrated (COMPLETE)" : "not migrated yet",
    last: undefined,
  };
}

function plan(actions: PlanAction[]): Plan {
  const items = actions.map((action, i) => item(i, action));
  const counts = { migrate: 0, skip: 0, held: 0, blocked: 0 };
  for (const i of items) counts[i.action] += 1;
  return { domain: "acme.domo.com", online: true, includeRolledBack: false, items, counts };
}

/** The chunks joined: the whole text. */
const renderPlan = (p: Plan, view: PlanView): string => [...renderPlanChunks(p, view)].join("");

const THIRTY_SIX: PlanAction[] = [...Array(33).fill("skip"), "migrate", "migrate", "blocked"];

describe("renderPlanChunks", () => {
  it("lists what would do something and counts the unchanged, as terraform plan does", () => {
    const text = renderPlan(plan(THIRTY_SIX), {
      layout: { colour: false },
      applyCommand: "fedmigrate migrate m.yaml",
    });
    expect(text.match(/^migrate /gm)).toHaveLength(2);
    expect(text.match(/^blocked /gm)).toHaveLength(1);
    expect(text).not.toMatch(/^skip /m);
    expect(text).toContain("2 to migrate, 33 unchanged (--show-all lists them), 0 held, 1 blocked.");
    expect(text).toContain(
      "Next: fix the 1 blocked entry (see REASON); run 'fedmigrate migrate m.yaml' to apply.",
    );
  });

  it("--show-all lists every entry", () => {
    const text = renderPlan(plan(THIRTY_SIX), { layout: { colour: false }, showAll: true });
    expect(text.match(/^skip /gm)).toHaveLength(33);
    expect(text).toContain("33 unchanged, 0 held");
  });

  it("fits 80 columns keeping the datasource and the target whole, the account and reason beneath", () => {
    const text = renderPlan(plan(THIRTY_SIX), { layout: { width: 80, colour: false } });
    for (const line of text.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    // A short target stays in the row; one that does not fit goes beneath it, whole, before any name.
    const one = plan(["migrate"]);
    const first = one.items[0] as PlannedItem;
    one.items[0] = { ...first, entry: { ...first.entry, table: "ORDERS" } };
    const short = renderPlan(one, { layout: { width: 80, colour: false } });
    expect(short).toContain("0fd630f1-f29d-4da9-953f-48f1a09f0000  ANALYTICS.PUBLIC.ORDERS  Custome…\n");
    expect(short).toContain("    account 12; not migrated yet");
    expect(text).toContain("0fd630f1-f29d-4da9-953f-48f1a09f0033  ↓\n");
    expect(text).toContain("    target ANALYTICS.PUBLIC.CUSTOMER_ORDERS_33; account 12; not migrated yet");
    expect(text).not.toContain("Customer orders");
  });

  it("says there is nothing to do when nothing would change", () => {
    const text = renderPlan(plan(["skip", "skip"]), { layout: { colour: false } });
    expect(text).not.toContain("ACTION");
    expect(text).toContain("Nothing to do.");
  });
});
