import pino from "pino";
import { describe, expect, it } from "vitest";
import { classifyError } from "../../src/domo/classify-error.js";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { Candidate, Direction, DomoApi, MigrationRecord, MigrationState } from "../../src/domo/types.js";
import { JournalError } from "../../src/journal/journal-error.js";
import type { AttemptResult, NewAttempt } from "../../src/journal/types.js";
import { type AttemptWriter, executeItems } from "../../src/run/execute-items.js";
import { unknownIdMessage } from "../../src/run/send-attempt.js";
import { StopController } from "../../src/run/stop-controller.js";
import type { WorkItem } from "../../src/run/types.js";
import { ManualClock } from "../domo/manual-clock.js";

/**
 * Every branch of the executor's item loop, for migrate and reverse, in process: a fake API port
 * that models one datasource's place (V1, migrated, INCOMPLETE) and answers each POST by a
 * script, a fake journal port, and the real retry policy and rate gate on a manual clock.
 */

const DS = "ds-1";
const ACCOUNT = "12";

/** What the fake server does with one POST. */
type Step =
  | MigrationState
  | "drop-before"
  | "drop-after-applied"
  | "drop-after-not-applied"
  | "502-after-apply"
  | "503-before-apply"
  | "500-after-apply"
  | "404"
  | "401"
  | "429";

type Place = "V1" | "MIGRATED" | "INCOMPLETE";

function apiError(status: number | undefined, extra: Partial<{ retryAfterMs: number; body: string }> = {}) {
  const networkError = status === undefined ? ("reset-after-send" as const) : undefined;
  return new DomoApiError({
    kind: classifyError({ method: "POST", status, networkError }),
    method: "POST",
    url: `https://acme.domo.com/x/${DS}`,
    path: `/${DS}/accounts/${ACCOUNT}`,
    status,
    networkError,
    retryAfterMs: extra.retryAfterMs,
    bodyFirstLine: extra.body,
    detail: status === undefined ? "no response: socket hang up" : `${status}`,
  });
}

/** A server holding one datasource, answering POSTs by `script`, candidate lists from its place. */
function fakeApi(direction: Direction, script: Step[], options: { readBackFails?: boolean } = {}) {
  let place: Place = direction === "V1_TO_V2" ? "V1" : "MIGRATED";
  const posts: Step[] = [];
  let readBacks = 0;
  const applied: Place = direction === "V1_TO_V2" ? "MIGRATED" : "V1";
  const record = (state: MigrationState): MigrationRecord => ({
    toe: `TOE-${posts.length}`,
    datasourceId: DS,
    direction,
    startTime: null,
    state,
    errorMessage: state === "COMPLETE" ? null : `${state} by the script`,
    endTime: null,
  });
  const post = async (): Promise<MigrationRecord> => {
    const step = script[posts.length] ?? "COMPLETE";
    posts.push(step);
    switch (step) {
      case "COMPLETE":
        place = applied;
        return record(step);
      case "INCOMPLETE":
        // Changed, then failed: the list shows it not migrated either way.
        place = direction === "V1_TO_V2" ? "INCOMPLETE" : "V1";
        return record(step);
      case "ABORTED":
        return record(step);
      case "drop-before":
        throw new DomoApiError({
          kind: classifyError({ method: "POST", networkError: "reset-before-send" }),
          method: "POST",
          url: "u",
          path: "p",
          networkError: "reset-before-send",
          detail: "no response: the connection closed before sending",
        });
      case "drop-after-applied":
        place = applied;
        throw apiError(undefined);
      case "drop-after-not-applied":
        throw apiError(undefined);
      case "502-after-apply":
        place = applied;
        throw apiError(502);
      case "500-after-apply":
        place = applied;
        throw apiError(500);
      case "503-before-apply":
        throw apiError(503);
      case "404":
        throw apiError(404, { body: `{"message":"datasource ${DS} not found"}` });
      case "401":
        throw apiError(401);
      case "429":
        throw apiError(429, { retryAfterMs: 5000 });
    }
  };
  const api: DomoApi = {
    listTypes: async () => [],
    listAccounts: async () => [],
    listCandidates: async (): Promise<Candidate[]> => {
      readBacks += 1;
      if (options.readBackFails) throw new DomoApiError({ ...apiError(503), kind: "other", detail: "down" });
      return [{ id: DS, name: "one", migrated: place === "MIGRATED", migrationDate: null }];
    },
    migrate: post,
    reverse: post,
  };
  return { api, posts, place: () => place, readBacks: () => readBacks };
}

interface Row extends NewAttempt {
  id: number;
  state: string;
  resolvedBy: string | null;
  errorMessage: string | null;
  httpStatus: number | null;
}

/** The journal port in memory; `failBegin`/`failComplete` pick the calls that fail as a full disk. */
function fakeJournal(fail: { begin?: number; complete?: number } = {}): AttemptWriter & { rows: Row[] } {
  const rows: Row[] = [];
  let begun = 0;
  let completed = 0;
  const full = () => new JournalError("journal.db", "The disk holding the journal is full.");
  return {
    rows,
    beginAttempt(attempt) {
      begun += 1;
      if (fail.begin === begun) throw full();
      const row: Row = {
        ...attempt,
        id: rows.length + 1,
        state: "IN_FLIGHT",
        resolvedBy: null,
        errorMessage: null,
        httpStatus: null,
      };
      rows.push(row);
      return row.id;
    },
    completeAttempt(id, result: AttemptResult) {
      completed += 1;
      if (fail.complete === completed) throw full();
      const row = rows[id - 1];
      if (row?.state !== "IN_FLIGHT") throw new Error(`row ${id} completed twice`);
      Object.assign(row, {
        state: result.state,
        resolvedBy: result.resolvedBy,
        errorMessage: result.errorMessage,
        httpStatus: result.httpStatus,
      });
    },
  };
}

function item(direction: Direction): WorkItem {
  return {
    datasourceId: DS,
    name: "one",
    accountId: ACCOUNT,
    direction,
    target: { catalog: "C", schema: "S", table: "T" },
  };
}

async function run(
  direction: Direction,
  script: Step[],
  options: {
    readBackFails?: boolean;
    journal?: { begin?: number; complete?: number };
    retries?: number;
    migratedBeforeReversal?: ReadonlySet<string>;
  } = {},
) {
  const server = fakeApi(direction, script, options);
  const journal = fakeJournal(options.journal);
  const clock = new ManualClock();
  const gate = new RateGate({ now: clock.now, sleep: clock.autoSleep });
  const retry = createRetryPolicy({
    retries: options.retries ?? 3,
    minDelayMs: 100,
    gate,
    sleep: clock.autoSleep,
    random: () => 0,
  });
  const stop = new StopController();
  const result = await executeItems(
    [item(direction)],
    { api: server.api, journal, retry, now: () => new Date(clock.now()), logger: pino({ level: "silent" }) },
    {
      runId: "r-1",
      domain: "d",
      concurrency: 1,
      stop,
      migratedBeforeReversal: options.migratedBeforeReversal,
    },
  );
  const outcome = result.outcomes[0];
  if (!outcome) throw new Error("no outcome");
  return { server, journal, outcome, fatal: result.fatal, stop, clock };
}

interface Expected {
  outcome: string;
  /** The rows' states, in order; `+rb` marks a row resolved by read-back. */
  rows: string[];
  /** The datasource ends where the direction takes it (per direction where they differ). */
  applied: boolean | Record<Direction, boolean>;
  readBacks: number;
  reason?: RegExp;
}

const table: [string, Step[], Expected][] = [
  [
    "answered COMPLETE",
    ["COMPLETE"],
    { outcome: "complete", rows: ["COMPLETE"], applied: true, readBacks: 0 },
  ],
  [
    "answered ABORTED: not retried",
    ["ABORTED"],
    {
      outcome: "aborted",
      rows: ["ABORTED"],
      applied: false,
      readBacks: 0,
      reason: /ABORTED: ABORTED by the script/,
    },
  ],
  [
    "answered INCOMPLETE, re-attempted once: COMPLETE",
    ["INCOMPLETE", "COMPLETE"],
    { outcome: "complete", rows: ["INCOMPLETE", "COMPLETE"], applied: true, readBacks: 0 },
  ],
  [
    "answered INCOMPLETE twice: reported INCOMPLETE after one re-attempt",
    ["INCOMPLETE", "INCOMPLETE", "COMPLETE"],
    {
      outcome: "incomplete",
      rows: ["INCOMPLETE", "INCOMPLETE"],
      // An INCOMPLETE reversal changed the datasource: the fake puts it back on V1.
      applied: { V1_TO_V2: false, V2_TO_V1: true },
      readBacks: 0,
    },
  ],
  [
    "dropped before sending: retried without read-back",
    ["drop-before", "COMPLETE"],
    { outcome: "complete", rows: ["FAILED", "COMPLETE"], applied: true, readBacks: 0 },
  ],
  [
    "dropped after sending, read-back says applied: COMPLETE, not sent again",
    ["drop-after-applied"],
    {
      outcome: "complete",
      rows: ["COMPLETE+rb"],
      applied: true,
      readBacks: 1,
      reason: /confirmed by the candidate list/,
    },
  ],
  [
    "dropped after sending, read-back says not applied: sent again",
    ["drop-after-not-applied", "COMPLETE"],
    { outcome: "complete", rows: ["FAILED+rb", "COMPLETE"], applied: true, readBacks: 1 },
  ],
  [
    "502 after apply: COMPLETE with one POST",
    ["502-after-apply", "ABORTED"],
    { outcome: "complete", rows: ["COMPLETE+rb"], applied: true, readBacks: 1, reason: /after a 502 answer/ },
  ],
  [
    "500 after apply: COMPLETE with one POST",
    ["500-after-apply", "ABORTED"],
    { outcome: "complete", rows: ["COMPLETE+rb"], applied: true, readBacks: 1 },
  ],
  [
    "503 before apply: read back, then sent again",
    ["503-before-apply", "COMPLETE"],
    { outcome: "complete", rows: ["FAILED+rb", "COMPLETE"], applied: true, readBacks: 1 },
  ],
  [
    "503 before apply until retries run out: failed, every one read back",
    ["503-before-apply", "503-before-apply", "503-before-apply", "503-before-apply", "COMPLETE"],
    {
      outcome: "failed",
      rows: ["FAILED+rb", "FAILED+rb", "FAILED+rb", "FAILED+rb"],
      applied: false,
      readBacks: 4,
      reason: /503/,
    },
  ],
  [
    "404: final, not retried, says which id Domo does not know",
    ["404", "COMPLETE"],
    {
      outcome: "failed",
      rows: ["FAILED"],
      applied: false,
      readBacks: 0,
      reason: /Domo does not know datasource ds-1/,
    },
  ],
  [
    "401: final",
    ["401", "COMPLETE"],
    { outcome: "failed", rows: ["FAILED"], applied: false, readBacks: 0, reason: /401/ },
  ],
  [
    "429 with Retry-After: waited for, then sent again",
    ["429", "COMPLETE"],
    { outcome: "complete", rows: ["FAILED", "COMPLETE"], applied: true, readBacks: 0 },
  ],
];

const rowsOf = (rows: Row[]) => rows.map((r) => `${r.state}${r.resolvedBy === "readback" ? "+rb" : ""}`);

describe.each<Direction>(["V1_TO_V2", "V2_TO_V1"])("the executor's branches, %s", (direction) => {
  it.each(table)("%s", async (_title, script, expected) => {
    const { server, journal, outcome, fatal } = await run(direction, script);
    expect(outcome.outcome).toBe(expected.outcome);
    expect(rowsOf(journal.rows)).toEqual(expected.rows);
    expect(server.posts).toHaveLength(expected.rows.length);
    expect(outcome.attempts).toBe(expected.rows.length);
    expect(server.readBacks()).toBe(expected.readBacks);
    const at = server.place();
    const applied = typeof expected.applied === "boolean" ? expected.applied : expected.applied[direction];
    expect(direction === "V1_TO_V2" ? at === "MIGRATED" : at === "V1").toBe(applied);
    if (expected.reason) expect(outcome.reason).toMatch(expected.reason);
    expect(fatal).toBeUndefined();
    // The record says how the last request was resolved, as its row does.
    expect(outcome.resolvedBy).toBe(journal.rows.at(-1)?.resolvedBy ?? null);
    expect(journal.rows.every((r) => r.state !== "IN_FLIGHT")).toBe(true);
  });

  it("a read-back that fails leaves the row in flight for the next run, and sends nothing again", async () => {
    const { server, journal, outcome } = await run(direction, ["drop-after-applied"], {
      readBackFails: true,
    });
    expect(server.posts).toHaveLength(1);
    expect(rowsOf(journal.rows)).toEqual(["IN_FLIGHT"]);
    expect(outcome).toMatchObject({ outcome: "failed", state: "IN_FLIGHT", attempts: 1 });
    expect(outcome.reason).toMatch(/read-back failed: left in flight/);
  });

  it("a 401 stops the run", async () => {
    const { stop } = await run(direction, ["401"]);
    expect(stop.reason).toBe("auth");
  });

  it("a 429's Retry-After is waited for before the retry", async () => {
    const { clock } = await run(direction, ["429", "COMPLETE"]);
    // The backoff (50 ms), then the rest of the pause at the gate.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it("a journal that cannot write the first row: nothing sent, the run stops", async () => {
    const { server, outcome, fatal } = await run(direction, ["COMPLETE"], { journal: { begin: 1 } });
    expect(server.posts).toEqual([]);
    expect(outcome).toMatchObject({ outcome: "not-started", attempts: 0 });
    expect(fatal?.code).toBe("JOURNAL");
  });

  it("a journal that cannot record an answer: left in flight, the answer in the record", async () => {
    const { server, journal, outcome, fatal } = await run(direction, ["COMPLETE"], {
      journal: { complete: 1 },
    });
    expect(server.posts).toHaveLength(1);
    expect(rowsOf(journal.rows)).toEqual(["IN_FLIGHT"]);
    expect(outcome).toMatchObject({ outcome: "failed", state: "IN_FLIGHT", toe: "TOE-1", attempts: 1 });
    expect(outcome.reason).toMatch(/answered COMPLETE \(toe TOE-1\).*left in flight/);
    expect(fatal?.code).toBe("JOURNAL");
  });

  it("a journal that cannot write a retry's row: the attempts before it are reported, the run stops", async () => {
    const { server, outcome, fatal } = await run(direction, ["503-before-apply", "COMPLETE"], {
      journal: { begin: 2 },
    });
    expect(server.posts).toHaveLength(1);
    expect(outcome).toMatchObject({ outcome: "failed", state: "FAILED", attempts: 1 });
    expect(fatal?.code).toBe("JOURNAL");
  });
});

describe("a reversal of a datasource that was not migrated before it (INCOMPLETE)", () => {
  it("is not confirmed by 'not migrated' after a 502: it is sent again", async () => {
    const { server, journal, outcome } = await run("V2_TO_V1", ["502-after-apply", "ABORTED"], {
      migratedBeforeReversal: new Set(),
    });
    expect(server.posts).toHaveLength(2);
    expect(rowsOf(journal.rows)).toEqual(["FAILED+rb", "ABORTED"]);
    expect(journal.rows[0]?.errorMessage).toMatch(/whether the reversal took effect is unknown/);
    expect(outcome.outcome).toBe("aborted");
  });
});

describe("unknownIdMessage: which id a 404 says Domo does not know", () => {
  const error = (body: string | undefined) => apiError(404, body === undefined ? {} : { body });
  it.each<[Direction, string | undefined, RegExp]>([
    ["V1_TO_V2", `datasource ${DS} not found`, /^Domo does not know datasource ds-1:/],
    ["V1_TO_V2", `No such DataSource`, /^Domo does not know datasource ds-1:/],
    ["V1_TO_V2", `account ${ACCOUNT} does not exist`, /^Domo does not know account 12:/],
    ["V1_TO_V2", `{"id":"${ACCOUNT}"}`, /^Domo does not know account 12:/],
    [
      "V1_TO_V2",
      "Not Found",
      /^Domo does not know datasource ds-1 or account 12 \(its answer does not say which\)/,
    ],
    ["V1_TO_V2", undefined, /^Domo does not know datasource ds-1 or account 12/],
    ["V2_TO_V1", "Not Found", /^Domo does not know datasource ds-1:/],
  ])("%s, body %j", (direction, body, expected) => {
    const message = unknownIdMessage(item(direction), error(body));
    expect(message).toMatch(expected);
    expect(message).toContain("Not retried");
  });
});
