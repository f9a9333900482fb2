import { createHash } from "node:crypto";
import type { ItemHistory } from "../journal/types.js";
import type { Plan, PlanAction, PlanEntry } from "./types.js";

/** `plan --out FILE`: the reviewed plan, with hashes of what it was made from. */
export interface SavedPlan {
  fedmigratePlan: 1;
  createdAt: string;
  domain: string;
  online: boolean;
  includeRolledBack: boolean;
  manifestsHash: string;
  journalHash: string;
  items: {
    datasource: string;
    account: string;
    catalog: string;
    schema: string;
    table: string;
    action: PlanAction;
    reason: string;
  }[];
}

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

/** Parses a saved plan file's text; undefined with a reason when it is not one. */
export function parseSavedPlan(text: string): { plan: SavedPlan } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  const plan = data as Partial<SavedPlan> | null;
  if (
    plan?.fedmigratePlan !== 1 ||
    typeof plan.manifestsHash !== "string" ||
    typeof plan.journalHash !== "string" ||
    typeof plan.domain !== "string" ||
    !Array.isArray(plan.items)
  ) {
    return { error: "not a fedmigrate plan file (write one with 'fedmigrate plan --out FILE')" };
  }
  return { plan: plan as SavedPlan };
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
