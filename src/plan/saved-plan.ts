import { createHash } from "node:crypto";
import * as v from "valibot";
import { describeValue } from "../describe-value.js";
import type { ItemHistory } from "../journal/types.js";
import { PLAN_ACTIONS, type Plan, type PlanEntry } from "./types.js";

/** What `plan --out FILE` writes and `migrate --plan FILE` reads back. */
const SavedPlanSchema = v.object({
  fedmigratePlan: v.literal(1),
  createdAt: v.string(),
  domain: v.string(),
  online: v.boolean(),
  includeRolledBack: v.boolean(),
  manifestsHash: v.string(),
  journalHash: v.string(),
  items: v.array(
    v.object({
      datasource: v.string(),
      account: v.string(),
      catalog: v.string(),
      schema: v.string(),
      table: v.string(),
      action: v.picklist(
        PLAN_ACTIONS,
        (issue) => `is ${describeValue(issue.input)}, not one of ${PLAN_ACTIONS.join(", ")}`,
      ),
      reason: v.string(),
    }),
  ),
});

/** `plan --out FILE`: the reviewed plan, with hashes of what it was made from. */
export type SavedPlan = v.InferOutput<typeof SavedPlanSchema>;

export function toSavedPlan(
  plan: Plan,
  manifestsHash: string,
  journalHash: string,
  createdAt: string,
): SavedPlan {
  return {
    fedmigratePlan: 1,
    createdAt,
    domain: plan.domain,
    online: plan.online,
    includeRolledBack: plan.includeRolledBack,
    manifestsHash,
    journalHash,
    items: plan.items.map(({ entry, action, reason }) => ({
      datasource: entry.datasource,
      account: entry.account,
      catalog: entry.catalog,
      schema: entry.schema,
      table: entry.table,
      action,
      reason,
    })),
  };
}

/**
 * A hash of the journal state the plan depends on: each entry's latest attempts (ids and
 * states) on this domain. An empty or missing journal hashes the same, so a plan made before
 * the first run still matches it.
 */
export function journalStateHash(
  entries: readonly PlanEntry[],
  histories: ReadonlyMap<string, ItemHistory>,
): string {
  const hash = createHash("sha256");
  for (const entry of entries) {
    const h = histories.get(entry.datasource);
    if (!h) continue;
    const part = (row: { id: number; state: string } | undefined) => (row ? `${row.id}:${row.state}` : "-");
    hash.update(
      `${entry.datasource}|${part(h.lastMigrate)}|${part(h.lastReverse)}|${h.inFlight.map((r) => r.id).join(",")}\n`,
    );
  }
  return hash.digest("hex");
}

const NOT_A_PLAN = "not a fedmigrate plan file (write one with 'fedmigrate plan --out FILE')";

/**
 * Parses a saved plan file's text, checked field by field; an error with a reason when it is not
 * one, naming the first bad field (`items[3].action`).
 */
export function parseSavedPlan(text: string): { plan: SavedPlan } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  // Without the marker it is some other file, not a damaged plan.
  if ((data as { fedmigratePlan?: unknown } | null)?.fedmigratePlan !== 1) return { error: NOT_A_PLAN };
  const result = v.safeParse(SavedPlanSchema, data, {
    abortEarly: true,
    message: (issue) => `is ${describeValue(issue.input)}${expectedOf(issue)}`,
  });
  if (result.success) return { plan: result.output };
  const issue = result.issues[0];
  const path = (issue.path ?? [])
    .map((item, index) =>
      typeof item.key === "number" ? `[${item.key}]` : `${index === 0 ? "" : "."}${String(item.key)}`,
    )
    .join("");
  return {
    error: `not a valid fedmigrate plan file: ${path || "the file"} ${issue.message}; make it again with 'fedmigrate plan --out FILE'`,
  };
}

/** What a field should have held, for the kinds of check a saved plan has. */
function expectedOf(issue: v.BaseIssue<unknown>): string {
  if (issue.input === undefined) return "";
  if (issue.type === "boolean") return ", not true or false";
  if (issue.type === "string") return ", not text";
  if (issue.type === "array") return ", not a list";
  if (issue.type === "object") return ", not an object";
  return "";
}

/** What no longer matches between a saved plan and now; empty when it still holds. */
export function staleReasons(
  saved: SavedPlan,
  now: { domain: string; manifestsHash: string; journalHash: string; includeRolledBack: boolean },
): string[] {
  const reasons: string[] = [];
  if (saved.domain !== now.domain)
    reasons.push(`it was made for ${saved.domain}, this run is on ${now.domain}`);
  if (saved.manifestsHash !== now.manifestsHash) reasons.push("the manifests changed since it was made");
  if (saved.journalHash !== now.journalHash) {
    reasons.push("the journal changed since it was made (another run touched these datasources)");
  }
  if (saved.includeRolledBack !== now.includeRolledBack) {
    reasons.push(`it was made ${saved.includeRolledBack ? "with" : "without"} --include-rolled-back`);
  }
  return reasons;
}
