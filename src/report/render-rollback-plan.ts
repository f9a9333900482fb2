import type { RollbackPlan } from "../plan/build-rollback-plan.js";
import { type Column, fitText, renderTable, type TableLayout } from "./render-table.js";

/** The rollback plan's table: as the migration plan's, what a reviewer checks never cut. */
const ROLLBACK_PLAN_COLUMNS: Column[] = [
  { header: "ACTION", colour: (t, c) => (t === "reverse" ? c.cyan(t) : t === "skip" ? c.dim(t) : c.red(t)) },
  { header: "DATASOURCE" },
  { header: "TARGET", label: "target" },
  { header: "NAME", shrink: 1 },
  { header: "ACCOUNT", detail: true, label: "account" },
  { header: "REASON", detail: true },
];

export function renderRollbackPlan(plan: RollbackPlan, layout: TableLayout): string {
  // Drawn in linear time: a rollback --all --dry-run lists every migration the journal holds.
  const table = renderTable(
    ROLLBACK_PLAN_COLUMNS,
    plan.items.map((item) => [
      item.action,
      item.datasourceId,
      item.catalog ? `${item.catalog}.${item.schema}.${item.table}` : "",
      item.name ?? "",
      item.accountId ?? "",
      item.reason,
    ]),
    layout,
  );
  const { counts } = plan;
  const line = `Rollback plan for ${plan.domain} (dry run, nothing sent): ${counts.reverse} to reverse, ${counts.skip} to skip, ${counts.blocked} blocked.`;
  return `${plan.items.length > 0 ? table : ""}${fitText(line, layout)}\n`;
}

/** The rollback plan as `rollback --dry-run --json` prints it. */
export function rollbackPlanJson(plan: RollbackPlan) {
  return {
    success: plan.counts.blocked === 0,
    command: "rollback",
    dryRun: true,
    domain: plan.domain,
    counts: plan.counts,
    items: plan.items.map((i) => ({
      datasource: i.datasourceId,
      name: i.name,
      account: i.accountId,
      catalog: i.catalog,
      schema: i.schema,
      table: i.table,
      action: i.action,
      reason: i.reason,
      migrationRun: i.migration?.runId ?? null,
      migrationToe: i.migration?.toe ?? null,
    })),
  };
}
