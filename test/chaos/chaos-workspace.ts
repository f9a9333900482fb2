import { expect } from "vitest";
import type { FixtureFaults } from "../../src/sim/fixture.js";
import type { RequestLogEntry, SimStats } from "../../src/sim/types.js";
import type { CliResult, Workspace } from "../e2e/cli-harness.js";
import {
  crashSigns,
  exitCodeProblems,
  journalServerMismatches,
  type ReportView,
  serverSequenceViolations,
  unjournaledRequests,
} from "./invariants.js";

/** `FEDMIGRATE_LONG_TESTS=1` runs the long variants (issue 8's full sizes). */
export const LONG = process.env.FEDMIGRATE_LONG_TESTS === "1";

/**
 * Issue 8's fault mix, per request: 10% 503 (drawn among 502/503/504), 5% 429, 2% connections
 * dropped after the migration was applied, 2% dropped before, 3% of datasources INCOMPLETE on
 * their first applied migration, 2% ABORTED. Issue 14 adds what Domo documents or a gateway does
 * after the change: 2% answered 500/502/503/504 after it was applied, 2% connections reset after
 * it, 1% records with a `state` Domo does not document, and for reversals 2% ABORTED and 3% of
 * datasources INCOMPLETE on their first applied reversal. The simulator's Retry-After is whole
 * seconds: the long variant waits the real second; the default one sends `Retry-After: 0` to stay
 * fast.
 */
export function faultMix(): Partial<FixtureFaults> {
  return {
    rate5xx: 0.1,
    rate429: 0.05,
    retryAfterSeconds: LONG ? 1 : 0,
    dropAfterApply: 0.02,
    dropBeforeApply: 0.02,
    incompleteOnce: 0.03,
    aborted: 0.02,
    status5xxAfterApply: 0.02,
    resetAfterApply: 0.02,
    unknownState: 0.01,
    reverseAborted: 0.02,
    reverseIncompleteOnce: 0.03,
  };
}

/** Seeds from `FEDMIGRATE_CHAOS_SEEDS=3,17` (to replay a failing one), else the given ones. */
export function seedsFrom(variable: string, fallback: readonly number[]): number[] {
  const given = process.env[variable];
  if (!given) return [...fallback];
  return given
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n));
}

/** Faults the simulator injected, for the figures in the issue note. */
export interface FaultCounts {
  /** 5xx answers before anything was decided (drawn, or `status-503-once`). */
  "5xx": number;
  "429": number;
  droppedBefore: number;
  droppedAfter: number;
  /** Migrations that ended INCOMPLETE. */
  incomplete: number;
  /** Migrations and reversals ABORTED (drawn, or refused as already done). */
  aborted: number;
  /** Migrate/reverse POSTs decided, then answered 5xx. */
  "5xxAfterApply": number;
  /** Migrate/reverse POSTs decided, then their connection reset. */
  resetAfter: number;
  /** Migrate/reverse POSTs decided, then answered 200 with `state: "PENDING"`. */
  unknownState: number;
  reverseAborted: number;
  reverseIncomplete: number;
}

/** Counts from the simulator's stats and its request log (which says whether a 5xx came after the decision). */
export function faultsInjected(stats: SimStats, log: readonly RequestLogEntry[]): FaultCounts {
  const after5xx = log.filter((entry) => entry.outcome === "fault-5xx" && entry.state !== null).length;
  return {
    "5xx": stats.byOutcome["fault-5xx"] - after5xx,
    "429": stats.byOutcome["rate-limited"],
    droppedBefore: stats.byOutcome["dropped-before"],
    droppedAfter: stats.byOutcome["dropped-after"],
    incomplete: stats.migrateStates.INCOMPLETE,
    aborted: stats.migrateStates.ABORTED + stats.reverseStates.ABORTED,
    "5xxAfterApply": after5xx,
    resetAfter: stats.byOutcome["reset-after"],
    unknownState: stats.byOutcome["unknown-state"],
    reverseAborted: stats.reverseStates.ABORTED,
    reverseIncomplete: stats.reverseStates.INCOMPLETE,
  };
}

export function totalFaults(faults: FaultCounts): number {
  return Object.values(faults).reduce((sum, n) => sum + n, 0);
}

/** What `checkAfterRun` accepts besides the strict invariants. */
export interface CheckOptions {
  /** Every row has its request (no run was killed between the two). */
  exact: boolean;
  /** A `--json` report to hold the exit code against (absent for a killed run). */
  report?: ReportView | undefined;
  /** The run's result, for its exit code and output. */
  result?: CliResult | undefined;
}

/**
 * Every invariant of issue 8 after one run, failing with all violations at once and the seed that
 * replays them. IN_FLIGHT rows are allowed only where the run itself reported an entry left in
 * flight (no answer and the read-back failed: the next run resolves it); returns those entries.
 */
export function checkAfterRun(
  ws: Workspace,
  initial: ReadonlyMap<string, SimDatasourceStatus>,
  replay: string,
  options: CheckOptions,
): string[] {
  const rows = ws.attempts();
  const log = ws.sim.requestLog();
  const problems = [
    ...serverSequenceViolations(log, initial),
    ...journalServerMismatches(rows, ws.sim.sim.state(), initial),
    ...unjournaledRequests(rows, log, options.exact),
  ];
  const leftInFlight = new Set(
    (options.report?.items ?? [])
      .filter((item) => item.state === "IN_FLIGHT" && /left in flight/.test(item.reason))
      .map((item) => item.datasource),
  );
  const inFlight = rows.filter((row) => row.state === "IN_FLIGHT");
  if (options.report) {
    for (const row of inFlight) {
      if (!leftInFlight.has(row.datasource_id)) {
        problems.push(`${row.datasource_id}: row ${row.id} left IN_FLIGHT without the run saying so`);
      }
    }
  }
  if (options.result) {
    problems.push(...crashSigns(options.result));
    if (options.report) problems.push(...exitCodeProblems(options.result, options.report));
  }
  if (problems.length > 0 && process.env.FEDMIGRATE_CHAOS_DEBUG === "1") {
    // Replaying a seed: the rows and requests of each datasource named by a violation.
    for (const problem of problems) {
      const id = problem.split(":")[0] ?? "";
      const about = {
        rows: rows.filter((r) => r.datasource_id === id),
        requests: log.filter((e) => e.datasourceId === id),
      };
      console.log(JSON.stringify({ violation: problem, ...about }));
    }
  }
  expect(problems, `invariants broken; replay with ${replay}`).toEqual([]);
  return [...new Set(inFlight.map((row) => row.datasource_id))];
}

type SimDatasourceStatus = "V1" | "MIGRATED" | "INCOMPLETE";

/** The `--json` report of a run that a run-level error stopped before any entry was attempted. */
export type ErrorView = ReportView & { error: NonNullable<ReportView["error"]> };

/**
 * Parses the `--json` report a run printed. A run-level failure (the plan's reads failing for
 * good under faults) prints a report of the same shape, with `error` set and every entry not
 * attempted (SPEC section 5). Fails with the output when stdout is not a report.
 */
export function reportOf(result: CliResult, replay: string): ReportView {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    parsed = undefined;
  }
  if (parsed && Array.isArray((parsed as ReportView).items)) return parsed as ReportView;
  throw new Error(
    `no JSON report (exit ${result.code}); replay with ${replay}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(-4000)}`,
  );
}

/** Whether the run stopped on a run-level error before attempting anything. */
export function isErrorView(view: ReportView): view is ErrorView {
  return Boolean(view.error) && view.items.every((item) => item.outcome === "not-started");
}
