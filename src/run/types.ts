import type { Direction, Target } from "../domo/types.js";
import type { AttemptState } from "../journal/types.js";

/** One datasource for the executor to call migrate (V1_TO_V2) or reverse (V2_TO_V1) on. */
export interface WorkItem {
  datasourceId: string;
  name: string | undefined;
  /** The V2 account: the migrate target, or (reverse) the account whose candidate list shows it. */
  accountId: string;
  direction: Direction;
  /** The mapping sent (migrate) or recorded (reverse), kept in the journal row. */
  target: Target;
}

/** How an entry ended, for both directions. */
export type Outcome =
  | "complete"
  | "incomplete"
  | "aborted"
  | "failed"
  | "skipped"
  | "held"
  | "blocked"
  | "not-started";

/** One record per entry: the shape of `--json`, `--report` and JUnit, success or not. */
export interface ItemOutcome {
  datasource: string;
  name: string | null;
  account: string;
  direction: Direction;
  catalog: string;
  schema: string;
  table: string;
  /** What the plan said (`migrate`, `skip`, `held`, `blocked`, `reverse`). */
  action: string;
  outcome: Outcome;
  reason: string;
  /** The last journal state of this entry in this run, if a request was sent. */
  state: AttemptState | null;
  toe: string | null;
  errorMessage: string | null;
  httpStatus: number | null;
  /** Requests sent for it in this run (retries and the INCOMPLETE re-attempt included). */
  attempts: number;
  /**
   * `readback` when the last request got no usable answer (none, a 5xx, or a 200 whose record
   * cannot be read) and its fate was read
   * from the account's candidate list; null otherwise.
   */
  resolvedBy: "readback" | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
}

/** Why a run stopped starting new items. */
export type StopReason = "interrupted" | "auth" | "setup" | "max-failures" | "journal";

/** Events for progress display and logs. */
export type ExecutorEvent =
  | { type: "item-start"; item: WorkItem }
  | { type: "item-done"; item: WorkItem; outcome: ItemOutcome };
