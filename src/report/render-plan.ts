import type { Plan, PlanAction } from "../plan/types.js";
import { plural } from "./plural.js";
import { type Colours, type Column, fitText, renderTableChunks, type TableLayout } from "./render-table.js";

const ACTION_COLOUR: Record<PlanAction, (text: string, c: Colours) => string> = {
  migrate: (t, c) => c.cyan(t),
  skip: (t, c) => c.dim(t),
  held: (t, c) => c.yellow(t),
  blocked: (t, c) => c.red(t),
};

/** The plan's table: what matters to a reviewer (action, datasource, target) never cut. */
const PLAN_COLUMNS: Column[] = [
  { header: "ACTION", colour: (t, c) => ACTION_COLOUR[t as PlanAction]?.(t, c) ?? t },
  { header: "DATASOURCE" },
  { header: "TARGET", label: "target" },
  { header: "NAME", shrink: 1 },
  { header: "ACCOUNT", detail: true, label: "account" },
  { header: "REASON", detail: true },
];

/** How `renderPlanChunks` draws. */
export interface PlanView {
  layout: TableLayout;
  /** Every entry, the unchanged too (`--show-all`); otherwise only those that would do something. */
  showAll?: boolean;
  /** The command that applies this plan, for the last line (none: no hint). */
  applyCommand?: string | undefined;
}

/**
 * The plan as text, in pieces to write as they come (a 50,000-entry plan is tens of MB): the
 * entries that would do something, then a summary and the next step. Like `terraform plan`, the
 * entries that change nothing are counted, not listed (unless `showAll`).
 */
export function* renderPlanChunks(plan: Plan, view: PlanView): Generator<string> {
  const listed = view.showAll ? plan.items : plan.items.filter((item) => item.action !== "skip");
  if (listed.length > 0) {
    const rows = listed.map(({ entry, action, reason }) => [
      action,
      entry.datasource,
      `${entry.catalog}.${entry.schema}.${entry.table}`,
      entry.name ?? "",
      entry.account,
      reason,
    ]);
    yield* renderTableChunks(PLAN_COLUMNS, rows, view.layout);
  }
  const next = nextStep(plan, view.applyCommand);
  const text = `${planSummaryLine(plan, view.showAll ? undefined : "--show-all lists them")}${next ? `\n${next}` : ""}`;
  yield `${fitText(text, view.layout)}\n`;
}

/** One line of counts: `Plan for acme.domo.com, online: 3 to migrate, 33 unchanged, 1 held, 0 blocked.` */
function planSummaryLine(plan: Plan, unchangedHint?: string): string {
  const { counts } = plan;
  const mode = plan.online ? "online" : "offline (server not consulted)";
  const unchanged =
    counts.skip > 0 && unchangedHint
      ? `${counts.skip} unchanged (${unchangedHint})`
      : `${counts.skip} unchanged`;
  return `Plan for ${plan.domain}, ${mode}: ${counts.migrate} to migrate, ${unchanged}, ${counts.held} held, ${counts.blocked} blocked.`;
}

function nextStep(plan: Plan, applyCommand: string | undefined): string | undefined {
  const { counts } = plan;
  const steps: string[] = [];
  if (counts.blocked > 0)
    steps.push(`fix the ${plural(counts.blocked, "blocked entry", "blocked entries")} (see REASON)`);
  if (counts.migrate > 0 && applyCommand) steps.push(`run '${applyCommand}' to apply`);
  if (counts.held > 0 && !plan.includeRolledBack)
    steps.push("add --include-rolled-back to migrate the held entries again");
  if (steps.length === 0) return counts.migrate === 0 ? "Nothing to do." : undefined;
  return `Next: ${steps.join("; ")}.`;
}
