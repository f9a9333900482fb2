import type { Direction } from "../domo/types.js";
import type { JournalAudit } from "./audit-journal.js";
import type { ChainHead } from "./journal-chain.js";
import type { AcquireLockOptions, LockAcquired } from "./run-lock.js";
import type {
  AttemptResult,
  AttemptRow,
  AttemptState,
  ItemHistory,
  LockOwner,
  NewAttempt,
  NewRun,
  RunRow,
  RunStatus,
  RunSummary,
} from "./types.js";

/** Filters of `latestStates`, applied to each datasource's latest row. */
export interface LatestStatesFilter {
  domain?: string;
  /** Keep datasources whose latest attempt is in one of these states. */
  state?: readonly AttemptState[];
  /** Keep datasources whose latest attempt went this way. */
  direction?: Direction;
}

/**
 * The journal port: every run and attempt, on SQLite (SPEC section 6). All methods are
 * synchronous; any failure is a `JournalError` (or `JournalLockedError`) saying what to do.
 * Timestamps are ISO-8601 UTC strings supplied by the caller, which owns the clock.
 */
export interface Journal {
  /** The file, as given to `openJournal`. */
  readonly path: string;
  readonly readonly: boolean;

  /** Records a run as RUNNING. Take the run lock first. */
  startRun(run: NewRun): void;
  /** Sets a run's final status and end time. */
  finishRun(runId: string, status: RunStatus, endedAt: string): void;
  getRun(runId: string): RunRow | undefined;
  /** The most recently started run, optionally of one command. */
  lastRun(filter?: { command?: string }): RunRow | undefined;
  /** Runs newest first, each with the final states of its datasources. */
  listRuns(opts?: { limit?: number; domain?: string }): RunSummary[];

  /** Records an attempt as IN_FLIGHT, before its request is sent; returns its id. */
  beginAttempt(attempt: NewAttempt): number;
  /** Records how an IN_FLIGHT attempt ended. Throws if the row is not IN_FLIGHT (rows are append-only). */
  completeAttempt(id: number, result: AttemptResult): void;

  /** Per datasource of `domain` (optionally only these): the latest final attempt each way and any in-flight rows. */
  histories(domain: string, datasourceIds?: readonly string[]): Map<string, ItemHistory>;
  /** Rows of `domain` left IN_FLIGHT, in id order. */
  inFlight(domain: string): AttemptRow[];
  /** The attempts of a run, in id order. */
  attemptsOfRun(runId: string): AttemptRow[];
  /** The latest attempt row per (domain, datasource), any direction and state, in id order; filters apply to that row. */
  latestStates(filter?: LatestStatesFilter): AttemptRow[];
  /**
   * What a rollback may reverse on `domain`: per datasource, its latest V1_TO_V2 attempt that
   * changed it (COMPLETE or INCOMPLETE), when no COMPLETE V2_TO_V1 came after it. In id order.
   */
  reversible(domain: string): AttemptRow[];

  /** The head of the hash chain (seq 0 and hash "" for a journal without final rows). */
  chainHead(): ChainHead;
  /**
   * The offline audit: the hash chain, the guard triggers and the derived tables (see
   * audit-journal.ts). Never throws for a finding; reads the whole journal.
   */
  audit(): JournalAudit;
  /**
   * The audit `migrate` and `rollback` run before they start: as `audit()`, but the chain only
   * from the checkpoint the last such audit stored (the entries up to it were verified then and
   * the guard triggers kept them, as long as the schema has not changed since: otherwise it
   * verifies everything). Stores the new checkpoint when clean. Writable journals only.
   */
  auditBeforeRun(at: string): JournalAudit;

  /** Takes the run lock or throws `JournalLockedError`; see `acquireLock` in run-lock.ts. */
  acquireLock(owner: LockOwner, options?: AcquireLockOptions): LockAcquired;
  /** Refreshes the lock's heartbeat (default now); false if `runId` no longer holds it. */
  heartbeat(runId: string, at?: string): boolean;
  /** Releases the lock if `runId` holds it; returns whether it did. */
  releaseLock(runId: string): boolean;
  /** Who holds the lock, if anyone. */
  lockHolder(): LockOwner | undefined;

  close(): void;
}
