import pino from "pino";
import { describe, expect, it } from "vitest";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { Candidate, DomoApi, MigrationRecord } from "../../src/domo/types.js";
import { JournalError } from "../../src/journal/journal-error.js";
import { openJournal } from "../../src/journal/open-journal.js";
import { type AttemptWriter, executeItems } from "../../src/run/execute-items.js";
import { StopController } from "../../src/run/stop-controller.js";
import type { WorkItem } from "../../src/run/types.js";

const logger = pino({ level: "silent" });

function items(n: number): WorkItem[] {
  return Array.from({ length: n }, (_, i) => ({
    datasourceId: `ds-${i}`,
    name: undefined,
    accountId: "12",
    direction: "V1_TO_V2" as const,
    target: { catalog: "C", schema: "S", table: `T${i}` },
  }));
}

function record(id: string, state: MigrationRecord["state"]): MigrationRecord {
  return {
    toe: `TOE-${id}`,
    datasourceId: id,
    direction: "V1_TO_V2",
    startTime: null,
    state,
    errorMessage: state === "COMPLETE" ? null : "nope",
    endTime: null,
  };
}

/** A fake API port: `migrate` answers by a script; candidates from a set of migrated ids. */
function fakeApi(
  migrate: (id: string, call: number) => MigrationRecord | Error,
): DomoApi & { calls: string[] } {
  const calls: string[] = [];
  const migrated = new Set<string>();
  const perId = new Map<string, number>();
  return {
    calls,
    listTypes: async () => [],
    listAccounts: async () => [],
    listCandidates: async (): Promise<Candidate[]> =>
      items(12).map((i) => ({
        id: i.datasourceId,
        name: "",
        migrated: migrated.has(i.datasourceId),
        migrationDate: null,
      })),
    migrate: async (id) => {
      calls.push(id);
      const n = (perId.get(id) ?? 0) + 1;
      perId.set(id, n);
      const answer = migrate(id, n);
      if (answer instanceof Error) throw answer;
      if (answer.state === "COMPLETE") migrated.add(id);
      return answer;
    },
    reverse: async () => {
      throw new Error("not used");
    },
  };
}

function ports(api: DomoApi, journal = openJournal(":memory:"), retries = 2) {
  return {
    api,
    journal,
    retry: createRetryPolicy({
      retries,
      minDelayMs: 0,
      maxDelayMs: 0,
      gate: new RateGate({ now: Date.now }),
    }),
    now: () => new Date(),
    logger,
  };
}

function startRun(journal: ReturnType<typeof openJournal>) {
  journal.startRun({
    id: "r-1",
    command: "migrate",
    domain: "d",
    manifestsHash: null,
    user: "u",
    host: "h",
    pid: 1,
    ciJobUrl: null,
    startedAt: new Date().toISOString(),
    options: null,
  });
  return journal;
}

/** The options of a run of r-1, one item at a time. */
const serial = () => ({ runId: "r-1", domain: "d", concurrency: 1, stop: new StopController() });

/**
 * The journal's attempt writer, failing as a full disk would on the calls `begin` or `complete`
 * pick (given how many of that kind were made, this one included).
 */
function failingWriter(
  journal: ReturnType<typeof openJournal>,
  fail: { begin?: (n: number) => boolean; complete?: (n: number) => boolean },
): AttemptWriter {
  let begun = 0;
  let completed = 0;
  const full = () => new JournalError(":memory:", "The disk holding the journal is full.");
  return {
    beginAttempt: (attempt) => {
      begun += 1;
      if (fail.begin?.(begun)) throw full();
      return journal.beginAttempt(attempt);
    },
    completeAttempt: (id, result) => {
      completed += 1;
      if (fail.complete?.(completed)) throw full();
      journal.completeAttempt(id, result);
    },
  };
}

const authError = () =>
  new DomoApiError({
    kind: "auth",
    method: "POST",
    url: "/x",
    path: "/x",
    status: 401,
    detail: "401 Unauthorized",
  } as never);

describe("executeItems", () => {
  it("stops starting new items after a 401, and records the refused attempt", async () => {
    const api = fakeApi((id) => (id === "ds-1" ? authError() : record(id, "COMPLETE")));
    const journal = startRun(openJournal(":memory:"));
    const stop = new StopController();
    const result = await executeItems(items(6), ports(api, journal), {
      runId: "r-1",
      domain: "d",
      concurrency: 1,
      stop,
    });
    expect(stop.reason).toBe("auth");
    expect(api.calls).toEqual(["ds-0", "ds-1"]);
    expect(result.outcomes.map((o) => o.outcome)).toEqual([
      "complete",
      "failed",
      "not-started",
      "not-started",
      "not-started",
      "not-started",
    ]);
    expect(journal.attemptsOfRun("r-1").map((a) => a.state)).toEqual(["COMPLETE", "FAILED"]);
  });

  it("re-attempts an INCOMPLETE answer once, then reports it", async () => {
    const api = fakeApi((id) => record(id, "INCOMPLETE"));
    const journal = startRun(openJournal(":memory:"));
    const result = await executeItems(items(1), ports(api, journal), {
      runId: "r-1",
      domain: "d",
      concurrency: 1,
      stop: new StopController(),
    });
    expect(api.calls).toHaveLength(2);
    expect(result.outcomes[0]).toMatchObject({ outcome: "incomplete", attempts: 2, toe: "TOE-ds-0" });
  });

  it("does not send a request whose journal row cannot be written", async () => {
    const api = fakeApi((id) => record(id, "COMPLETE"));
    const journal = openJournal(":memory:"); // no run row: the foreign key refuses every attempt
    const result = await executeItems(items(3), ports(api, journal), {
      runId: "r-missing",
      domain: "d",
      concurrency: 1,
      stop: new StopController(),
    });
    expect(api.calls).toEqual([]);
    expect(result.fatal?.code).toBe("JOURNAL");
    // Nothing was sent for any of them: not started, not failed.
    expect(result.outcomes.map((o) => o.outcome)).toEqual(["not-started", "not-started", "not-started"]);
    expect(result.outcomes[0]).toMatchObject({
      attempts: 0,
      state: null,
      reason: expect.stringMatching(/journal/),
    });
  });

  it("an answer the journal cannot record is reported in flight, with the answer it got", async () => {
    const api = fakeApi((id) => record(id, "COMPLETE"));
    const journal = startRun(openJournal(":memory:"));
    const failing = failingWriter(journal, { complete: () => true });
    const result = await executeItems(items(3), { ...ports(api, journal), journal: failing }, serial());
    expect(api.calls).toEqual(["ds-0"]);
    expect(result.fatal?.code).toBe("JOURNAL");
    expect(result.outcomes[0]).toMatchObject({
      outcome: "failed",
      state: "IN_FLIGHT",
      toe: "TOE-ds-0",
      attempts: 1,
      reason: expect.stringMatching(/answered COMPLETE \(toe TOE-ds-0\).*left in flight/),
    });
    expect(result.outcomes.slice(1).map((o) => o.outcome)).toEqual(["not-started", "not-started"]);
    // The row is left in flight, for the next run to resolve from the server.
    expect(journal.attemptsOfRun("r-1").map((a) => a.state)).toEqual(["IN_FLIGHT"]);
  });

  it("a retry whose row cannot be written reports the attempts recorded before it", async () => {
    const api = fakeApi((id, call) =>
      call === 1
        ? new DomoApiError({
            kind: "server",
            method: "POST",
            url: "/x",
            path: "/x",
            status: 503,
            detail: "503",
          } as never)
        : record(id, "COMPLETE"),
    );
    const journal = startRun(openJournal(":memory:"));
    const failing = failingWriter(journal, { begin: (n) => n > 1 });
    const result = await executeItems(items(2), { ...ports(api, journal), journal: failing }, serial());
    expect(api.calls).toEqual(["ds-0"]);
    expect(result.outcomes[0]).toMatchObject({ outcome: "failed", state: "FAILED", attempts: 1 });
    expect(result.outcomes[1]?.outcome).toBe("not-started");
    expect(journal.attemptsOfRun("r-1").map((a) => a.state)).toEqual(["FAILED"]);
  });

  it("an interrupted run starts nothing new but finishes what is in flight", async () => {
    const stop = new StopController();
    const api = fakeApi((id) => {
      if (id === "ds-0") stop.stop("interrupted");
      return record(id, "COMPLETE");
    });
    const journal = startRun(openJournal(":memory:"));
    const result = await executeItems(items(4), ports(api, journal), {
      runId: "r-1",
      domain: "d",
      concurrency: 1,
      stop,
    });
    expect(result.outcomes.map((o) => o.outcome)).toEqual([
      "complete",
      "not-started",
      "not-started",
      "not-started",
    ]);
    expect(journal.inFlight("d")).toEqual([]);
  });

  it("a stop cuts a Retry-After wait short instead of waiting it out", async () => {
    const stop = new StopController();
    const api = fakeApi((id) => {
      queueMicrotask(() => stop.stop("interrupted"));
      return new DomoApiError({
        kind: "transient",
        method: "POST",
        url: `/${id}`,
        path: `/${id}`,
        status: 429,
        retryAfterMs: 10 * 60_000,
        detail: "429 Too Many Requests",
      } as never);
    });
    const journal = startRun(openJournal(":memory:"));
    const result = await executeItems(items(2), ports(api, journal, 5), {
      runId: "r-1",
      domain: "d",
      concurrency: 1,
      stop,
    });
    expect(api.calls).toEqual(["ds-0"]);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(["failed", "not-started"]);
    expect(result.outcomes[0]?.reason).toContain("run stopped");
  });
});

describe("executeItems and the rate gate's limit", () => {
  it("starts no more items than the gate allows once it has lowered its limit, and more once it raises it", async () => {
    let allowed = Number.POSITIVE_INFINITY;
    let inFlight = 0;
    const peaks: number[] = [];
    const release: (() => void)[] = [];
    const api = fakeApi((id) => record(id, "COMPLETE"));
    const held: DomoApi = {
      ...api,
      migrate: async (...args) => {
        inFlight += 1;
        peaks.push(inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight -= 1;
        return api.migrate(...args);
      },
    };
    const base = ports(held, startRun(openJournal(":memory:")));
    const retry = { ...base.retry, concurrencyLimit: () => allowed };
    const flush = async () => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
    };
    const running = executeItems(items(12), { ...base, retry }, { ...serial(), concurrency: 4 });
    await flush();
    expect(inFlight).toBe(4);
    // The server answered 429s meanwhile: the gate allows 1 at once.
    allowed = 1;
    for (const go of release.splice(0)) go();
    await flush();
    expect(inFlight).toBe(1);
    release.splice(0)[0]?.();
    await flush();
    expect(inFlight).toBe(1);
    // It keeps up again: 3 at once.
    allowed = 3;
    release.splice(0)[0]?.();
    await flush();
    expect(inFlight).toBe(3);
    while (release.length > 0) {
      for (const go of release.splice(0)) go();
      await flush();
    }
    const result = await running;
    expect(result.outcomes.every((o) => o.outcome === "complete")).toBe(true);
    expect(Math.max(...peaks.slice(4))).toBeLessThanOrEqual(3);
  });
});
