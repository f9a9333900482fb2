import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Direction } from "../../src/domo/types.js";
import type { Journal } from "../../src/journal/journal.js";
import { openJournal } from "../../src/journal/open-journal.js";
import type { AttemptResult, AttemptState, NewAttempt, NewRun } from "../../src/journal/types.js";

const dirs: string[] = [];
const journals: Journal[] = [];

/** A fresh directory under the OS temp dir, removed by `cleanUp`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fedmigrate-journal-"));
  dirs.push(dir);
  return dir;
}

/** Opens a journal and remembers it, so that `cleanUp` closes it. */
export function open(path: string, options?: Parameters<typeof openJournal>[1]): Journal {
  const journal = openJournal(path, options);
  journals.push(journal);
  return journal;
}

/** A new writable journal in a fresh temp directory. */
export function freshJournal(): Journal {
  return open(join(tempDir(), "fedmigrate.db"));
}

/** For `afterEach`: closes the journals and removes the directories of the test. */
export function cleanUp(): void {
  for (const journal of journals.splice(0)) journal.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const DOMAIN = "acme.domo.com";

let runSeq = 0;

export function aRun(overrides: Partial<NewRun> = {}): NewRun {
  runSeq += 1;
  return {
    id: `run-${runSeq}`,
    command: "migrate",
    domain: DOMAIN,
    manifestsHash: "sha256:0f1e",
    user: "ops",
    host: "build-1",
    pid: 4242,
    ciJobUrl: null,
    startedAt: `2025-01-01T00:00:${String(runSeq % 60).padStart(2, "0")}.000Z`,
    options: '{"concurrency":4}',
    ...overrides,
  };
}

export function anAttempt(
  runId: string,
  datasourceId: string,
  overrides: Partial<NewAttempt> = {},
): NewAttempt {
  return {
    runId,
    domain: DOMAIN,
    datasourceId,
    datasourceName: `Table ${datasourceId}`,
    accountId: "12",
    direction: "V1_TO_V2",
    catalog: "ANALYTICS",
    schema: "PUBLIC",
    tableName: "ORDERS",
    attempt: 1,
    startedAt: "2025-01-01T00:01:00.000Z",
    ...overrides,
  };
}

export function aResult(
  state: AttemptResult["state"],
  overrides: Partial<AttemptResult> = {},
): AttemptResult {
  return {
    state,
    toe: `TOE-${state}`,
    errorMessage: state === "COMPLETE" ? null : `it went ${state}`,
    httpStatus: 200,
    serverStartTime: "2025-01-01T00:01:01.000Z",
    serverEndTime: "2025-01-01T00:01:03.000Z",
    endedAt: "2025-01-01T00:01:03.500Z",
    resolvedBy: null,
    ...overrides,
  };
}

/** Records one attempt that ends in `state` (or stays IN_FLIGHT); returns its id. */
export function record(
  journal: Journal,
  runId: string,
  datasourceId: string,
  direction: Direction,
  state: AttemptState,
  overrides: Partial<NewAttempt> = {},
): number {
  const id = journal.beginAttempt(anAttempt(runId, datasourceId, { direction, ...overrides }));
  if (state !== "IN_FLIGHT") journal.completeAttempt(id, aResult(state));
  return id;
}
