import pc from "picocolors";
import type { Plan, PlanAction } from "../plan/types.js";
import { renderTableChunks } from "./render-table.js";

const ACTION_COLOUR: Record<PlanAction, (text: string) => string> = {
  migrate: pc.cyan,
  skip: pc.dim,
  held: pc.yellow,
  blocked: pc.red,
};

/** The plan as a table (action, datasource, name, account, target, reason) and a summary line. */
export function renderPlan(plan: Plan): string {
  return [...renderPlanChunks(plan)].join("");
}

/** `renderPlan`'s text in pieces, to write as they come: a 50,000-entry plan is tens of MB. */
export function* renderPlanChunks(plan: Plan): Generator<string> {
  const rows = plan.items.map((item) => {
    const { entry } = item;
    return [
      ACTION_COLOUR[item.action](item.action),
      entry.datasource,
      entry.name ?? "",
      entry.account,
      `${entry.catalog}.${entry.schema}.${entry.table}`,
      item.reason,
    ];
  });
  yield* renderTableChunks(
    {
      head: ["action", "datasource", "name", "account", "target", "reason"],
      style: { head: [], border: [] },
      wordWrap: true,
      colWidths: [9, 38, 20, 9, 30, 50],
    },
    rows,
  );
  yield `\n${planSummaryLine(plan)}\n`;
}

export function planSummaryLine(plan: Plan): string {
  const { counts } = plan;
  const mode = plan.online ? "online" : "offline (server not consulted)";
  return `Plan for ${plan.domain}, ${mode}: ${counts.migrate} to migrate, ${counts.skip} to skip, ${counts.held} held, ${counts.blocked} blocked.`;
}
