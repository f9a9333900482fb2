import type { Direction } from "../domo/types.js";

/** An attempt's state in the journal. `FAILED`: the call got no migration record (transport or HTTP error). */
export type AttemptState = "IN_FLIGHT" | "COMPLETE" | "INCOMPLETE" | "ABORTED" | "FAILED";

export type RunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "INTERRUPTED" | "CRASHED";

/** What a run records about itself when it starts. */
export interface NewRun {
  id: string;
  /** `migrate` or `rollback`. */
  command: string;
  /** Journal key of the instance: host[:port]. */
  domain: string;
  manifestsHash: string | null;
  user: string;
  host: string;
  pid: number;
  ciJobUrl: string | null;
  startedAt: string;
  /** The effective options, as JSON text (never the token). */
  options: string | null;
}

export interface RunRow extends NewRun {
  endedAt: string | null;
  status: RunStatus;
}

/** A run with its outcome counts, for `history`. */
export interface RunSummary extends RunRow {
  /** Final attempt state counts, over the latest attempt of each datasource in this run. */
  counts: Record<AttemptState, number>;
  datasources: number;
}

/** Written before the request is sent, as IN_FLIGHT. */
export interface NewAttempt {
  runId: string;
  domain: string;
  datasourceId: string;
  datasourceName: string | null;
  accountId: string | null;
  direction: Direction;
  catalog: string | null;
  schema: string | null;
  tableName: string | null;
  /** 1 for the first HTTP attempt of this item in this run, 2 for its first retry… */
  attempt: number;
  startedAt: string;
}

/** How an in-flight row ends. */
export interface AttemptResult {
  state: Exclude<AttemptState, "IN_FLIGHT">;
  toe: string | null;
  errorMessage: string | null;
  httpStatus: number | null;
  /** The server's own times from the migration record, when there is one. */
  serverStartTime: string | null;
  serverEndTime: string | null;
  endedAt: string;
  /** How the state was learnt when not from a response: "readback" (candidate list) or null. */
  resolvedBy: string | null;
}

export interface AttemptRow extends NewAttempt {
  id: number;
  toe: string | null;
  state: AttemptState;
  errorMessage: string | null;
  httpStatus: number | null;
  serverStartTime: string | null;
  serverEndTime: string | null;
  endedAt: string | null;
  resolvedBy: string | null;
}

/** What the planner needs to know of one datasource's past, on one domain. */
export interface ItemHistory {
  datasourceId: string;
  /** The latest final V1_TO_V2 attempt (any state but IN_FLIGHT). */
  lastMigrate: AttemptRow | undefined;
  /** The latest final V2_TO_V1 attempt (any state but IN_FLIGHT). */
  lastReverse: AttemptRow | undefined;
  /** Rows a crashed run left IN_FLIGHT. */
  inFlight: AttemptRow[];
}

/** Who holds the run lock. */
export interface LockOwner {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
}
