import type { RequestLogEntry, SimDatasourceState } from "../../src/sim/types.js";
import type { CliResult, JournalAttempt } from "../e2e/cli-harness.js";

/**
 * The invariants of issue 8, checked from the outside after every run: the simulator's request
 * log and live state are the server's truth, the journal is read with plain SQL as an operator
 * would. Each check returns the violations it found, in words that name the datasource, so a
 * failing seed says what went wrong.
 */

/** Where a datasource stands on the server. */
type ServerStatus = SimDatasourceState["status"];

/**
 * At the server, no datasource is migrated (or reversed) twice in a row: replaying the request
 * log in order (a request is logged when its decision is made), a migrate must never reach a
 * decision on a datasource that is already MIGRATED (that is the "already migrated" ABORTED
 * answer: a re-sent migration that had taken effect), and a reverse never on one already on V1.
 *
 * One exception, forced by the API: a reversal of an INCOMPLETE datasource that got no usable
 * answer (none, a 5xx, an unreadable record) cannot be read back (the candidate list shows
 * INCOMPLETE and V1 alike), so the only way to learn whether it took effect is to send it again;
 * one reverse on V1 may follow such a reversal.
 *
 * A reversal decided INCOMPLETE (Domo: "failed after some changes"; it must be re-attempted)
 * leaves the datasource listed as it was, as the simulator models it (README).
 */
export function serverSequenceViolations(
  log: readonly RequestLogEntry[],
  initial: ReadonlyMap<string, ServerStatus>,
): string[] {
  const status = new Map(initial);
  const unanswerable = new Set<string>();
  const violations: string[] = [];
  for (const entry of log) {
    if ((entry.route !== "migrate" && entry.route !== "reverse") || entry.datasourceId === null) continue;
    // Dropped before the decision, or refused before it (a 4xx/5xx): nothing was decided.
    if (entry.state === null) continue;
    const id = entry.datasourceId;
    const before = status.get(id) ?? "V1";
    if (entry.route === "migrate" && before === "MIGRATED") {
      violations.push(`${id}: a migrate reached the server while it was already MIGRATED (${entry.t})`);
    }
    if (entry.route === "reverse" && before === "V1") {
      if (unanswerable.has(id)) unanswerable.delete(id);
      else violations.push(`${id}: a reverse reached the server while it was already on V1 (${entry.t})`);
    }
    if (entry.applied) {
      if (entry.route === "reverse" && before === "INCOMPLETE" && UNUSABLE_ANSWERS.has(entry.outcome)) {
        unanswerable.add(id);
      }
      if (entry.route === "migrate") status.set(id, entry.state === "INCOMPLETE" ? "INCOMPLETE" : "MIGRATED");
      else if (entry.state === "COMPLETE") status.set(id, "V1");
    }
  }
  return violations;
}

/** How a decided request can end without an answer the client can read. */
const UNUSABLE_ANSWERS: ReadonlySet<RequestLogEntry["outcome"]> = new Set([
  "dropped-after",
  "reset-after",
  "hung-after",
  "fault-5xx",
  "unknown-state",
  "client-closed",
]);

/** An attempt row as `SELECT *` gives it, with the column the checks need beyond the harness's. */
type AttemptRowView = JournalAttempt & { resolved_by?: string | null };

/**
 * The journal's latest state equals the server's truth: folding each datasource's final rows in
 * id order gives the statuses the journal allows, and the server's must be one of them. A
 * COMPLETE migrate means MIGRATED, an INCOMPLETE one INCOMPLETE, a COMPLETE reverse V1; an
 * INCOMPLETE reverse leaves it as it was (the simulator lists a half-reversed one as before); ABORTED
 * and FAILED changed nothing, except a FAILED row read back from the candidate list, which cannot
 * tell V1 from INCOMPLETE: after a migration without answer the datasource may be INCOMPLETE,
 * after a reversal of an INCOMPLETE one it may be V1. Datasources with a row still IN_FLIGHT are
 * skipped: the journal says "unknown", which is the truth.
 */
export function journalServerMismatches(
  rows: readonly JournalAttempt[],
  server: ReadonlyMap<string, { status: ServerStatus }>,
  initial: ReadonlyMap<string, ServerStatus>,
): string[] {
  const allowed = new Map<string, Set<ServerStatus>>();
  for (const [id, status] of initial) allowed.set(id, new Set([status]));
  const inFlight = new Set<string>();
  for (const row of [...(rows as AttemptRowView[])].sort((a, b) => a.id - b.id)) {
    const id = row.datasource_id;
    const now = allowed.get(id) ?? new Set<ServerStatus>(["V1"]);
    if (row.state === "IN_FLIGHT") {
      inFlight.add(id);
    } else if (row.state === "COMPLETE") {
      allowed.set(id, new Set([row.direction === "V2_TO_V1" ? "V1" : "MIGRATED"]));
    } else if (row.state === "INCOMPLETE" && row.direction === "V1_TO_V2") {
      allowed.set(id, new Set(["INCOMPLETE"]));
    } else if (row.state === "FAILED" && row.resolved_by === "readback") {
      if (row.direction === "V1_TO_V2") now.add("INCOMPLETE");
      else if (now.has("INCOMPLETE")) now.add("V1");
      allowed.set(id, now);
    }
  }
  const mismatches: string[] = [];
  for (const [id, ds] of server) {
    if (inFlight.has(id)) continue;
    const journal = allowed.get(id) ?? new Set<ServerStatus>(["V1"]);
    if (!journal.has(ds.status)) {
      mismatches.push(`${id}: the journal says ${[...journal].join(" or ")}, the server ${ds.status}`);
    }
  }
  return mismatches;
}

/**
 * No request is sent without its journal row written first: every migrate or reverse POST the
 * server received has its own attempt row (same datasource, same direction). With `exact`, also
 * no row without its request (true when no run was killed between writing a row and sending).
 */
export function unjournaledRequests(
  rows: readonly JournalAttempt[],
  log: readonly RequestLogEntry[],
  exact: boolean,
): string[] {
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const journaled = new Map<string, number>();
  for (const row of rows) count(journaled, `${row.datasource_id} ${row.direction}`);
  const sent = new Map<string, number>();
  for (const entry of log) {
    if ((entry.route !== "migrate" && entry.route !== "reverse") || entry.datasourceId === null) continue;
    count(sent, `${entry.datasourceId} ${entry.route === "migrate" ? "V1_TO_V2" : "V2_TO_V1"}`);
  }
  const problems: string[] = [];
  for (const [key, n] of sent) {
    const rowsFor = journaled.get(key) ?? 0;
    if (n > rowsFor) problems.push(`${key}: ${n} requests at the server but ${rowsFor} journal rows`);
    else if (exact && n < rowsFor) problems.push(`${key}: ${rowsFor} journal rows but ${n} requests`);
  }
  if (exact) {
    for (const [key, rowsFor] of journaled) {
      if (!sent.has(key)) problems.push(`${key}: ${rowsFor} journal rows but no request`);
    }
  }
  return problems;
}

/** Outcomes that make a run exit 1 (SPEC section 5). */
const FAILING = new Set(["failed", "aborted", "incomplete", "blocked", "not-started"]);

/** The part of a `--json` report the checks read. */
export interface ReportView {
  success: boolean;
  exitCode: number;
  stopReason: string | null;
  /** The run-level failure, if one stopped the run (SPEC section 5: the same shape either way). */
  error?: { code: string; message: string; hint: string | null } | null;
  counts: Record<string, number>;
  items: { datasource: string; outcome: string; reason: string; state: string | null }[];
}

/** SPEC section 5's exit code of each run-level error. */
const ERROR_EXIT: Record<string, number> = { AUTH: 4, JOURNAL_LOCKED: 3, INTERRUPTED: 130 };

/**
 * The exit code matches the outcomes: 0 exactly when no entry failed, was blocked or was not
 * started, 1 otherwise, or the code of the run-level error that stopped the run; and the report
 * agrees with the process (`exitCode`, `success`).
 */
export function exitCodeProblems(result: CliResult, report: ReportView): string[] {
  const problems: string[] = [];
  const failing = report.items.filter((item) => FAILING.has(item.outcome));
  const expected = report.error
    ? (ERROR_EXIT[report.error.code] ?? 1)
    : failing.length > 0 || report.stopReason !== null
      ? 1
      : 0;
  if (result.code !== expected) {
    problems.push(
      `exit ${result.code}, but the outcomes call for ${expected} (${failing.length} failing entries, stop ${report.stopReason}, error ${report.error?.code ?? "none"})`,
    );
  }
  if (report.error && report.success) problems.push("the report has a run-level error and success true");
  if (report.exitCode !== result.code)
    problems.push(`the report says exit ${report.exitCode}, the process ${result.code}`);
  if (report.success !== (result.code === 0))
    problems.push(`the report says success ${report.success} with exit ${result.code}`);
  return problems;
}

/** Stack traces and internal errors: never in an operator's output. */
export function crashSigns(result: CliResult): string[] {
  const text = `${result.stdout}\n${result.stderr}`;
  const problems: string[] = [];
  if (/internal error/i.test(text)) problems.push("an internal error was reported");
  if (/\n\s+at .+:\d+:\d+\)?/.test(text) || /\\n\s+at .+:\d+:\d+/.test(text))
    problems.push("a stack trace was printed");
  return problems;
}

/** The server's status of every datasource now. */
export function serverStatuses(
  state: ReadonlyMap<string, Readonly<SimDatasourceState>>,
): Map<string, ServerStatus> {
  return new Map([...state].map(([id, ds]) => [id, ds.status]));
}
