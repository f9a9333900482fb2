import Table from "cli-table3";
import pc from "picocolors";
import type { Plan, PlanAction } from "../plan/types.js";

const ACTION_COLOUR: Record<PlanAction, (text: string) => string> = {
  migrate: pc.cyan,
  skip: pc.dim,
  held: pc.yellow,
  blocked: pc.red,
};

/** The plan as a table (action, datasource, name, account, target, reason) and a summary line. */
export function renderPlan(plan: Plan): string {
  const table = new Table({
    head: ["action", "datasource", "name", "account", "target", "reason"],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [9, 38, 20, 9, 30, 50],
  });
  for (const item of plan.items) {
    const { entry } = item;
    table.push([
      ACTION_COLOUR[item.action](item.action),
      entry.datasource,
      entry.name ?? "",
      entry.account,
      `${entry.catalog}.${entry.schema}.${entry.table}`,
      item.reason,
    ]);
  }
  return `${table.toString()}\n${planSummaryLine(plan)}\n`;
}

export function planSummaryLine(plan: Plan): string {
  const { counts } = plan;
  const mode = plan.online ? "online" : "offline (server not consulted)";
  return `Plan for ${plan.domain}, ${mode}: ${counts.migrate} to migrate, ${counts.skip} to skip, ${counts.held} held, ${counts.blocked} blocked.`;
}
