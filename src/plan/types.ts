import type { Candidate } from "../domo/types.js";
import type { AttemptRow } from "../journal/types.js";

/** What the planner needs of a manifest entry (a `ManifestEntry` fits). */
export interface PlanEntry {
  datasource: string;
  account: string;
  catalog: string;
  schema: string;
  table: string;
  name?: string | undefined;
}

/** What `migrate` will do with an entry. */
export type PlanAction = "migrate" | "skip" | "held" | "blocked";

/** Why, as a stable code for machines; `reason` says it in words. */
export type ReasonCode =
  | "new"
  | "retry-aborted"
  | "retry-failed"
  | "retry-incomplete"
  | "in-flight-not-applied"
  | "reversed-outside"
  | "reversed-outside-included"
  | "complete"
  | "in-flight-applied"
  | "migrated-outside"
  | "rolled-back"
  | "rolled-back-included"
  | "unknown-account"
  | "not-candidate"
  | "drift"
  | "in-flight-unresolved";

export interface PlannedItem {
  entry: PlanEntry;
  action: PlanAction;
  code: ReasonCode;
  reason: string;
  /** The journal's last final attempt in the entry's direction, if any (for reports). */
  last: AttemptRow | undefined;
}

/**
 * The server's view, read once per account (online plans only). An account id absent from
 * `accounts` is unknown to the server; `candidates` holds the lists of known accounts the
 * manifest names.
 */
export interface ServerState {
  accounts: ReadonlySet<string>;
  candidates: ReadonlyMap<string, ReadonlyMap<string, Candidate>>;
}

export type PlanCounts = Record<PlanAction, number>;

export interface Plan {
  /** Journal key of the instance (host[:port]). */
  domain: string;
  online: boolean;
  includeRolledBack: boolean;
  items: PlannedItem[];
  counts: PlanCounts;
}
