import { describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/sim/types.js";
import type { CliResult, JournalAttempt } from "../e2e/cli-harness.js";
import {
  crashSigns,
  exitCodeProblems,
  journalServerMismatches,
  type ReportView,
  serverSequenceViolations,
  unjournaledRequests,
} from "./invariants.js";

/** The chaos checks must be able to fail: each is shown a history that breaks it, and one that does not. */

type Status = "V1" | "MIGRATED" | "INCOMPLETE";

function entry(
  route: "migrate" | "reverse",
  id: string,
  state: RequestLogEntry["state"],
  applied: boolean,
  outcome: RequestLogEntry["outcome"] = "answered",
): RequestLogEntry {
  return {
    t: "2026-11-28T00:00:00.000Z",
    method: "POST",
    path: `/x/${id}`,
    route,
    datasourceId: id,
    accountId: route === "migrate" ? "10" : null,
    status: state === null ? null : 200,
    state,
    toe: null,
    outcome,
    applied,
    inFlight: 1,
    ms: 1,
  };
}

let nextId = 1;
function row(
  id: string,
  direction: "V1_TO_V2" | "V2_TO_V1",
  state: string,
  resolvedBy: string | null = null,
): JournalAttempt & { resolved_by: string | null } {
  return {
    id: nextId++,
    run_id: "r",
    datasource_id: id,
    direction,
    state,
    toe: null,
    error_message: null,
    http_status: null,
    table_name: "t",
    resolved_by: resolvedBy,
  };
}

const V1 = new Map<string, Status>([["a", "V1"]]);

describe("serverSequenceViolations", () => {
  it.each<[string, RequestLogEntry[], number]>([
    [
      "migrate then reverse then migrate",
      [
        entry("migrate", "a", "COMPLETE", true),
        entry("reverse", "a", "COMPLETE", true),
        entry("migrate", "a", "COMPLETE", true),
      ],
      0,
    ],
    [
      "INCOMPLETE, then its re-attempt",
      [entry("migrate", "a", "INCOMPLETE", true), entry("migrate", "a", "COMPLETE", true)],
      0,
    ],
    [
      "a migration re-sent after it took effect",
      [entry("migrate", "a", "COMPLETE", true), entry("migrate", "a", "ABORTED", false)],
      1,
    ],
    [
      "a reversal re-sent after it took effect",
      [
        entry("migrate", "a", "COMPLETE", true),
        entry("reverse", "a", "COMPLETE", true),
        entry("reverse", "a", "ABORTED", false),
      ],
      1,
    ],
    ["a reverse of one never migrated", [entry("reverse", "a", "ABORTED", false)], 1],
    [
      "requests dropped before a decision do not count",
      [entry("migrate", "a", "COMPLETE", true), entry("migrate", "a", null, false, "dropped-before")],
      0,
    ],
    [
      "one reverse again after an unanswered reversal of an INCOMPLETE datasource",
      [
        entry("migrate", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true, "dropped-after"),
        entry("reverse", "a", "ABORTED", false),
      ],
      0,
    ],
    [
      "the same after a 5xx or a reset that came after the change",
      [
        entry("migrate", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true, "fault-5xx"),
        entry("reverse", "a", "ABORTED", false),
        entry("migrate", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true, "reset-after"),
        entry("reverse", "a", "ABORTED", false),
      ],
      0,
    ],
    [
      "a reversal answered INCOMPLETE leaves it as it was: its re-attempt is no violation",
      [
        entry("migrate", "a", "COMPLETE", true),
        entry("reverse", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true),
      ],
      0,
    ],
    [
      "a reversal decided INCOMPLETE, answer lost, then a reverse sent again and COMPLETE",
      [
        entry("migrate", "a", "COMPLETE", true),
        entry("reverse", "a", "INCOMPLETE", true, "reset-after"),
        entry("reverse", "a", "COMPLETE", true),
        entry("reverse", "a", "ABORTED", false),
      ],
      1,
    ],
    [
      "an answered reversal of an INCOMPLETE one, sent again",
      [
        entry("migrate", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true),
        entry("reverse", "a", "ABORTED", false),
      ],
      1,
    ],
    [
      "but not twice",
      [
        entry("migrate", "a", "INCOMPLETE", true),
        entry("reverse", "a", "COMPLETE", true, "dropped-after"),
        entry("reverse", "a", "ABORTED", false),
        entry("reverse", "a", "ABORTED", false),
      ],
      1,
    ],
  ])("%s", (_name, log, violations) => {
    expect(serverSequenceViolations(log, V1)).toHaveLength(violations);
  });
});

describe("journalServerMismatches", () => {
  it.each<[string, ReturnType<typeof row>[], Status, number]>([
    ["COMPLETE and MIGRATED agree", [row("a", "V1_TO_V2", "COMPLETE")], "MIGRATED", 0],
    ["COMPLETE but still on V1", [row("a", "V1_TO_V2", "COMPLETE")], "V1", 1],
    ["a FAILED attempt changed nothing", [row("a", "V1_TO_V2", "FAILED")], "V1", 0],
    ["a FAILED attempt that did change it", [row("a", "V1_TO_V2", "FAILED")], "MIGRATED", 1],
    [
      "read back not migrated: V1 or INCOMPLETE",
      [row("a", "V1_TO_V2", "FAILED", "readback")],
      "INCOMPLETE",
      0,
    ],
    [
      "a reversal recorded COMPLETE of one still INCOMPLETE",
      [row("a", "V1_TO_V2", "INCOMPLETE"), row("a", "V2_TO_V1", "COMPLETE")],
      "INCOMPLETE",
      1,
    ],
    [
      "an unconfirmable reversal of an INCOMPLETE one",
      [row("a", "V1_TO_V2", "INCOMPLETE"), row("a", "V2_TO_V1", "FAILED", "readback")],
      "V1",
      0,
    ],
    [
      "a reversal answered INCOMPLETE of a migrated one: still MIGRATED",
      [row("a", "V1_TO_V2", "COMPLETE"), row("a", "V2_TO_V1", "INCOMPLETE")],
      "MIGRATED",
      0,
    ],
    [
      "a reversal answered INCOMPLETE, but the server has it on V1",
      [row("a", "V1_TO_V2", "COMPLETE"), row("a", "V2_TO_V1", "INCOMPLETE")],
      "V1",
      1,
    ],
    [
      "a reversal answered INCOMPLETE of an INCOMPLETE one: still INCOMPLETE",
      [row("a", "V1_TO_V2", "INCOMPLETE"), row("a", "V2_TO_V1", "INCOMPLETE")],
      "INCOMPLETE",
      0,
    ],
    ["an unresolved request is skipped", [row("a", "V1_TO_V2", "IN_FLIGHT")], "MIGRATED", 0],
    ["nothing recorded, but migrated", [], "MIGRATED", 1],
  ])("%s", (_name, rows, status, mismatches) => {
    expect(journalServerMismatches(rows, new Map([["a", { status }]]), V1)).toHaveLength(mismatches);
  });
});

describe("unjournaledRequests", () => {
  const log = [entry("migrate", "a", "COMPLETE", true), entry("migrate", "a", "COMPLETE", true)];
  it.each<[string, ReturnType<typeof row>[], boolean, number]>([
    ["one row per request", [row("a", "V1_TO_V2", "FAILED"), row("a", "V1_TO_V2", "COMPLETE")], true, 0],
    ["a request without its row", [row("a", "V1_TO_V2", "COMPLETE")], false, 1],
    [
      "a row whose request never arrived (a kill): fine unless exact",
      [row("a", "V1_TO_V2", "FAILED"), row("a", "V1_TO_V2", "COMPLETE"), row("a", "V1_TO_V2", "FAILED")],
      false,
      0,
    ],
    [
      "the same, exact",
      [row("a", "V1_TO_V2", "FAILED"), row("a", "V1_TO_V2", "COMPLETE"), row("a", "V1_TO_V2", "FAILED")],
      true,
      1,
    ],
    [
      "a row of the other direction does not count",
      [row("a", "V2_TO_V1", "COMPLETE"), row("a", "V1_TO_V2", "COMPLETE")],
      false,
      1,
    ],
  ])("%s", (_name, rows, exact, problems) => {
    expect(unjournaledRequests(rows, log, exact)).toHaveLength(problems);
  });
});

describe("exitCodeProblems and crashSigns", () => {
  const result = (code: number, stderr = ""): CliResult => ({ code, signal: null, stdout: "", stderr });
  const report = (outcomes: string[], exitCode: number, stopReason: string | null = null): ReportView => ({
    success: exitCode === 0,
    exitCode,
    stopReason,
    counts: {},
    items: outcomes.map((outcome, i) => ({ datasource: `d${i}`, outcome, reason: "", state: null })),
  });

  it.each<[string, CliResult, ReportView, number]>([
    ["all complete, exit 0", result(0), report(["complete", "skipped", "held"], 0), 0],
    ["a failure, exit 1", result(1), report(["complete", "failed"], 1), 0],
    ["a failure, but exit 0", result(0), report(["aborted"], 0), 1],
    ["all complete, but exit 1", result(1), report(["complete"], 1), 1],
    ["stopped early, exit 1", result(1), report(["complete", "not-started"], 1, "max-failures"), 0],
    ["the report disagrees with the process", result(1), report(["failed"], 0), 2],
    [
      "a refused token before the plan, exit 4",
      result(4),
      { ...report(["not-started"], 4), error: { code: "AUTH", message: "401", hint: null } },
      0,
    ],
    [
      "a refused token before the plan, but exit 1",
      result(1),
      { ...report(["not-started"], 1), error: { code: "AUTH", message: "401", hint: null } },
      1,
    ],
    [
      "the API unreachable before the plan, exit 1",
      result(1),
      { ...report(["not-started"], 1), error: { code: "API", message: "503", hint: null } },
      0,
    ],
    [
      "a run-level error with success true",
      result(1),
      { ...report(["not-started"], 1), success: true, error: { code: "API", message: "503", hint: null } },
      2,
    ],
  ])("%s", (_name, res, rep, problems) => {
    expect(exitCodeProblems(res, rep)).toHaveLength(problems);
  });

  it.each<[string, string, number]>([
    ["clean JSON logs", '{"level":"warn","msg":"retrying"}\n', 0],
    ["an internal error", '{"level":"error","msg":"internal error: TypeError: x"}\n', 1],
    ["a stack trace", "Error: x\n    at run (file:///a.js:1:2)\n", 1],
    ["a stack in a JSON line", '{"stack":"Error: x\\n    at run (file:///a.js:1:2)"}\n', 1],
  ])("%s", (_name, stderr, problems) => {
    expect(crashSigns(result(1, stderr))).toHaveLength(problems);
  });
});
