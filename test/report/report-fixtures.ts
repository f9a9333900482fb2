import type { AttemptRow, AttemptState, RunRow } from "../../src/journal/types.js";

/** Epoch ms of the test runs' start: 2026-11-28T01:00:00.000Z. */
export const T0 = Date.parse("2026-11-28T01:00:00.000Z");

export function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}

export function aRunRow(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: "r-20261128T010000Z-abc123",
    command: "migrate",
    domain: "acme.domo.com",
    manifestsHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    user: "ops",
    host: "batch-1",
    pid: 4242,
    ciJobUrl: null,
    startedAt: at(0),
    options: '{"concurrency":4}',
    endedAt: at(60_000),
    status: "FAILED",
    ...overrides,
  };
}

let nextId = 1;

/**
 * One attempt row from `startMs` to `endMs` after T0 (endMs null: still IN_FLIGHT). The toe and
 * error message follow the state, as the executor writes them.
 */
export function anAttemptRow(
  datasourceId: string,
  state: AttemptState,
  startMs: number,
  endMs: number | null,
  overrides: Partial<AttemptRow> = {},
): AttemptRow {
  const answered = state === "COMPLETE" || state === "INCOMPLETE" || state === "ABORTED";
  return {
    id: nextId++,
    runId: "r-20261128T010000Z-abc123",
    domain: "acme.domo.com",
    datasourceId,
    datasourceName: `Table ${datasourceId}`,
    accountId: "12",
    direction: "V1_TO_V2",
    catalog: "ANALYTICS",
    schema: "PUBLIC",
    tableName: `T_${datasourceId}`,
    attempt: 1,
    startedAt: at(startMs),
    // The toe from the row's own facts, not the counter: unit tests share one process.
    toe: answered ? `TOE-${datasourceId}-${startMs}` : null,
    state,
    errorMessage: state === "COMPLETE" || state === "IN_FLIGHT" ? null : `${datasourceId} went ${state}`,
    httpStatus: answered ? 200 : state === "FAILED" ? 503 : null,
    serverStartTime: null,
    serverEndTime: null,
    endedAt: endMs === null ? null : at(endMs),
    resolvedBy: null,
    ...overrides,
  };
}
