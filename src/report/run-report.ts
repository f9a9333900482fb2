import type { ItemOutcome, Outcome, StopReason } from "../run/types.js";

/** Counts of entries by outcome; every outcome present, zero or not. */
export type OutcomeCounts = Record<Outcome, number>;

/**
 * The document of `--json` and `--report FILE`: the same shape whether the run succeeded or
 * failed, with an explicit `success` and one record per entry.
 */
export interface RunReport {
  reportVersion: 1;
  success: boolean;
  command: string;
  dryRun: boolean;
  runId: string | null;
  domain: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  manifestsHash: string | null;
  /**
   * The journal's hash-chain head after the run (its entry count and hash), or null when the run
   * did not start. `fedmigrate audit --offline --journal COPY` prints a copy's head to compare.
   * Optional in the type only so that readers of older reports still type-check.
   */
  journalHead?: { seq: number; hash: string } | null;
  stopReason: StopReason | null;
  exitCode: number;
  /**
   * Why the run as a whole failed or stopped (a refused token, the API unreachable, the journal
   * unwritable, an interruption), or null when it ran its course. fedmigrate always writes it;
   * optional in the type only so that readers of older reports still type-check.
   */
  error?: RunError | null;
  counts: OutcomeCounts;
  items: ItemOutcome[];
  /** True when the API answered as fedmigrate's simulator (a rehearsal, not Domo); absent otherwise. */
  simulator?: boolean;
}

/** A run-level failure in a report: the same fields as the `--json` document of any other error. */
export interface RunError {
  /** The `FedmigrateError` code (`AUTH`, `SETUP`, `API`, `JOURNAL`, `JOURNAL_LOCKED`, `INTERRUPTED`). */
  code: string;
  message: string;
  hint: string | null;
}

export function countOutcomes(items: readonly ItemOutcome[]): OutcomeCounts {
  const counts: OutcomeCounts = {
    complete: 0,
    incomplete: 0,
    aborted: 0,
    failed: 0,
    skipped: 0,
    held: 0,
    blocked: 0,
    "not-started": 0,
  };
  for (const item of items) counts[item.outcome] += 1;
  return counts;
}

/** Outcomes that make a run unsuccessful (exit 1). */
export function isFailureOutcome(outcome: Outcome): boolean {
  return (
    outcome === "failed" ||
    outcome === "aborted" ||
    outcome === "incomplete" ||
    outcome === "blocked" ||
    outcome === "not-started"
  );
}
