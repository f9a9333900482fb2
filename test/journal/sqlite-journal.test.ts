import { afterEach, describe, expect, it } from "vitest";
import type { Direction } from "../../src/domo/types.js";
import type { Journal } from "../../src/journal/journal.js";
import { JournalError } from "../../src/journal/journal-error.js";
import type { AttemptRow, AttemptState } from "../../src/journal/types.js";
import { anAttempt, aResult, aRun, cleanUp, DOMAIN, freshJournal, record } from "./journal-fixtures.js";

afterEach(cleanUp);

const OTHER_DOMAIN = "127.0.0.1:8443";

/** A journal with the runs `ids` started. */
function journalWithRuns(...ids: string[]): Journal {
  const journal = freshJournal();
  for (const id of ids) journal.startRun(aRun({ id }));
  return journal;
}

describe("runs", () => {
  it("records a run as RUNNING, then its end", () => {
    const journal = freshJournal();
    const run = aRun({ id: "run-1", ciJobUrl: "https://ci.example/job/7" });
    journal.startRun(run);
    expect(journal.getRun("run-1")).toEqual({ ...run, status: "RUNNING", endedAt: null });

    journal.finishRun("run-1", "SUCCEEDED", "2025-01-01T00:10:00.000Z");
    expect(journal.getRun("run-1")).toMatchObject({
      status: "SUCCEEDED",
      endedAt: "2025-01-01T00:10:00.000Z",
    });
    expect(journal.getRun("run-nope")).toBeUndefined();
  });

  it("refuses to finish an unknown run, and to start one twice", () => {
    const journal = journalWithRuns("run-1");
    expect(() => journal.finishRun("run-2", "FAILED", "2025-01-01T00:10:00.000Z")).toThrow(
      /has no run run-2 to finish/,
    );
    expect(() => journal.startRun(aRun({ id: "run-1" }))).toThrow(JournalError);
  });

  it("finds the last run, optionally of one command", () => {
    const journal = freshJournal();
    journal.startRun(aRun({ id: "m1", command: "migrate", startedAt: "2025-01-01T00:00:00.000Z" }));
    journal.startRun(aRun({ id: "r1", command: "rollback", startedAt: "2025-01-02T00:00:00.000Z" }));
    journal.startRun(aRun({ id: "m2", command: "migrate", startedAt: "2025-01-03T00:00:00.000Z" }));
    expect(journal.lastRun()?.id).toBe("m2");
    expect(journal.lastRun({ command: "rollback" })?.id).toBe("r1");
    expect(journal.lastRun({ command: "discover" })).toBeUndefined();
  });

  it("lists runs newest first with counts over each datasource's latest attempt in the run", () => {
    const journal = freshJournal();
    journal.startRun(aRun({ id: "old", startedAt: "2025-01-01T00:00:00.000Z" }));
    journal.startRun(aRun({ id: "new", startedAt: "2025-01-02T00:00:00.000Z" }));
    journal.startRun(aRun({ id: "elsewhere", domain: OTHER_DOMAIN, startedAt: "2025-01-03T00:00:00.000Z" }));
    record(journal, "old", "ds-1", "V1_TO_V2", "ABORTED");
    // ds-1 in "new": INCOMPLETE, then re-attempted COMPLETE; counts once, as COMPLETE.
    record(journal, "new", "ds-1", "V1_TO_V2", "INCOMPLETE");
    record(journal, "new", "ds-1", "V1_TO_V2", "COMPLETE", { attempt: 2 });
    record(journal, "new", "ds-2", "V1_TO_V2", "FAILED");
    record(journal, "new", "ds-3", "V1_TO_V2", "IN_FLIGHT");
    record(journal, "elsewhere", "ds-1", "V1_TO_V2", "COMPLETE", { domain: OTHER_DOMAIN });

    const runs = journal.listRuns();
    expect(runs.map((run) => run.id)).toEqual(["elsewhere", "new", "old"]);
    expect(runs[1]).toMatchObject({
      id: "new",
      datasources: 3,
      counts: { COMPLETE: 1, INCOMPLETE: 0, FAILED: 1, IN_FLIGHT: 1, ABORTED: 0 },
    });
    expect(runs[2]).toMatchObject({ datasources: 1, counts: { ABORTED: 1, COMPLETE: 0 } });

    expect(journal.listRuns({ limit: 1 }).map((run) => run.id)).toEqual(["elsewhere"]);
    expect(journal.listRuns({ domain: DOMAIN }).map((run) => run.id)).toEqual(["new", "old"]);
    expect(journal.listRuns({ domain: "nowhere" })).toEqual([]);
  });

  it("lists a run without attempts with zero counts", () => {
    const journal = journalWithRuns("empty");
    expect(journal.listRuns()).toEqual([
      expect.objectContaining({
        id: "empty",
        datasources: 0,
        counts: { IN_FLIGHT: 0, COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0, FAILED: 0 },
      }),
    ]);
  });
});

describe("attempts", () => {
  it("records an attempt in flight, then its outcome", () => {
    const journal = journalWithRuns("run-1");
    const attempt = anAttempt("run-1", "ds-1");
    const id = journal.beginAttempt(attempt);
    expect(journal.attemptsOfRun("run-1")).toEqual([
      {
        ...attempt,
        id,
        state: "IN_FLIGHT",
        toe: null,
        errorMessage: null,
        httpStatus: null,
        serverStartTime: null,
        serverEndTime: null,
        endedAt: null,
        resolvedBy: null,
      },
    ]);

    const result = aResult("INCOMPLETE", { resolvedBy: "readback" });
    journal.completeAttempt(id, result);
    const [row] = journal.attemptsOfRun("run-1");
    expect(row).toEqual({ ...attempt, id, ...result });
  });

  it("gives increasing ids and lists a run's attempts in id order", () => {
    const journal = journalWithRuns("run-1", "run-2");
    const a = record(journal, "run-1", "ds-2", "V1_TO_V2", "COMPLETE");
    const b = record(journal, "run-2", "ds-1", "V1_TO_V2", "COMPLETE");
    const c = record(journal, "run-1", "ds-1", "V2_TO_V1", "IN_FLIGHT");
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(journal.attemptsOfRun("run-1").map((row) => row.id)).toEqual([a, c]);
  });

  it("completes an attempt only once: rows are append-only", () => {
    const journal = journalWithRuns("run-1");
    const id = record(journal, "run-1", "ds-1", "V1_TO_V2", "COMPLETE");
    expect(() => journal.completeAttempt(id, aResult("ABORTED"))).toThrow(
      new RegExp(
        `Attempt ${id} in the journal .* is already COMPLETE; recorded attempts are never rewritten`,
      ),
    );
    expect(journal.attemptsOfRun("run-1")[0]).toMatchObject({ state: "COMPLETE", toe: "TOE-COMPLETE" });
  });

  it("refuses to complete an unknown attempt, or to 'complete' one as IN_FLIGHT", () => {
    const journal = journalWithRuns("run-1");
    const id = record(journal, "run-1", "ds-1", "V1_TO_V2", "IN_FLIGHT");
    expect(() => journal.completeAttempt(id + 1, aResult("COMPLETE"))).toThrow(
      /has no attempt \d+ to complete/,
    );
    expect(() =>
      journal.completeAttempt(id, aResult("IN_FLIGHT" as AttemptRow["state"] as "COMPLETE")),
    ).toThrow(/as IN_FLIGHT/);
  });

  it("lists the in-flight rows of one domain", () => {
    const journal = journalWithRuns("run-1");
    const a = record(journal, "run-1", "ds-1", "V1_TO_V2", "IN_FLIGHT");
    record(journal, "run-1", "ds-2", "V1_TO_V2", "COMPLETE");
    record(journal, "run-1", "ds-3", "V1_TO_V2", "IN_FLIGHT", { domain: OTHER_DOMAIN });
    const b = record(journal, "run-1", "ds-4", "V2_TO_V1", "IN_FLIGHT");
    expect(journal.inFlight(DOMAIN).map((row) => row.id)).toEqual([a, b]);
    journal.completeAttempt(a, aResult("COMPLETE", { resolvedBy: "readback" }));
    expect(journal.inFlight(DOMAIN).map((row) => row.id)).toEqual([b]);
  });
});

describe("histories", () => {
  it("gives the latest final attempt each way, and the rows left in flight", () => {
    const journal = journalWithRuns("run-1", "run-2");
    record(journal, "run-1", "ds-1", "V1_TO_V2", "ABORTED");
    const migrated = record(journal, "run-1", "ds-1", "V1_TO_V2", "COMPLETE", { attempt: 2 });
    record(journal, "run-2", "ds-1", "V2_TO_V1", "FAILED");
    const reversed = record(journal, "run-2", "ds-1", "V2_TO_V1", "INCOMPLETE", { attempt: 2 });
    const stuck = record(journal, "run-2", "ds-1", "V2_TO_V1", "IN_FLIGHT", { attempt: 3 });
    const onlyInFlight = record(journal, "run-2", "ds-2", "V1_TO_V2", "IN_FLIGHT");
    record(journal, "run-2", "ds-1", "V1_TO_V2", "COMPLETE", { domain: OTHER_DOMAIN });

    const histories = journal.histories(DOMAIN);
    expect([...histories.keys()].sort()).toEqual(["ds-1", "ds-2"]);
    const ds1 = histories.get("ds-1");
    expect(ds1?.lastMigrate?.id).toBe(migrated);
    expect(ds1?.lastReverse?.id).toBe(reversed);
    expect(ds1?.inFlight.map((row) => row.id)).toEqual([stuck]);
    expect(histories.get("ds-2")).toEqual({
      datasourceId: "ds-2",
      lastMigrate: undefined,
      lastReverse: undefined,
      inFlight: [expect.objectContaining({ id: onlyInFlight, state: "IN_FLIGHT" })],
    });
  });

  it("keeps the newer final row when an older in-flight one is completed late", () => {
    const journal = journalWithRuns("run-1", "run-2");
    const old = record(journal, "run-1", "ds-1", "V1_TO_V2", "IN_FLIGHT");
    const newer = record(journal, "run-2", "ds-1", "V1_TO_V2", "COMPLETE");
    journal.completeAttempt(old, aResult("ABORTED", { resolvedBy: "readback" }));
    expect(journal.histories(DOMAIN).get("ds-1")?.lastMigrate?.id).toBe(newer);
    expect(journal.latestStates().map((row) => row.id)).toEqual([newer]);
    expect(journal.reversible(DOMAIN).map((row) => row.id)).toEqual([newer]);
  });

  it("reads only the datasources asked for", () => {
    const journal = journalWithRuns("run-1");
    for (const id of ["ds-1", "ds-2", "ds-3"]) record(journal, "run-1", id, "V1_TO_V2", "COMPLETE");
    record(journal, "run-1", "ds-3", "V2_TO_V1", "IN_FLIGHT");
    record(journal, "run-1", "ds-4", "V2_TO_V1", "IN_FLIGHT");
    expect([...journal.histories(DOMAIN, ["ds-3", "ds-1", "ds-9"]).keys()].sort()).toEqual(["ds-1", "ds-3"]);
    expect(journal.histories(DOMAIN, ["ds-3"]).get("ds-3")?.inFlight).toHaveLength(1);
    expect(journal.histories(DOMAIN, [])).toEqual(new Map());
  });
});

describe("latestStates", () => {
  type Ids = Record<"ds1" | "ds2" | "ds3" | "other", number>;
  function journalForStatus(): { journal: Journal; ids: Ids } {
    const journal = journalWithRuns("run-1", "run-2");
    record(journal, "run-1", "ds-1", "V1_TO_V2", "COMPLETE");
    const ds1 = record(journal, "run-2", "ds-1", "V2_TO_V1", "COMPLETE");
    const ds2 = record(journal, "run-1", "ds-2", "V1_TO_V2", "INCOMPLETE");
    record(journal, "run-1", "ds-3", "V1_TO_V2", "ABORTED");
    const ds3 = record(journal, "run-2", "ds-3", "V1_TO_V2", "IN_FLIGHT");
    const other = record(journal, "run-2", "ds-1", "V1_TO_V2", "FAILED", { domain: OTHER_DOMAIN });
    return { journal, ids: { ds1, ds2, ds3, other } };
  }

  it.each<[string, Parameters<Journal["latestStates"]>[0], (ids: Ids) => number[]]>([
    ["every datasource of every domain", undefined, (ids) => [ids.ds1, ids.ds2, ids.ds3, ids.other]],
    ["one domain", { domain: DOMAIN }, (ids) => [ids.ds1, ids.ds2, ids.ds3]],
    [
      "latest state in a set",
      { domain: DOMAIN, state: ["IN_FLIGHT", "INCOMPLETE"] },
      (ids) => [ids.ds2, ids.ds3],
    ],
    ["latest direction (not any earlier one)", { direction: "V2_TO_V1" }, (ids) => [ids.ds1]],
    ["a state no latest row has", { state: ["ABORTED"] }, () => []],
    ["both filters", { state: ["FAILED"], direction: "V1_TO_V2" }, (ids) => [ids.other]],
  ])("%s", (_title, filter, expected) => {
    const { journal, ids } = journalForStatus();
    expect(journal.latestStates(filter).map((row) => row.id)).toEqual(expected(ids));
  });
});

describe("reversible", () => {
  type Step = [Direction, AttemptState];
  it.each<[string, Step[], boolean]>([
    ["migrate COMPLETE", [["V1_TO_V2", "COMPLETE"]], true],
    ["migrate INCOMPLETE", [["V1_TO_V2", "INCOMPLETE"]], true],
    ["migrate ABORTED", [["V1_TO_V2", "ABORTED"]], false],
    ["migrate FAILED", [["V1_TO_V2", "FAILED"]], false],
    ["migrate in flight", [["V1_TO_V2", "IN_FLIGHT"]], false],
    [
      "migrate COMPLETE, reverse COMPLETE",
      [
        ["V1_TO_V2", "COMPLETE"],
        ["V2_TO_V1", "COMPLETE"],
      ],
      false,
    ],
    [
      "migrate COMPLETE, reverse COMPLETE, migrate COMPLETE",
      [
        ["V1_TO_V2", "COMPLETE"],
        ["V2_TO_V1", "COMPLETE"],
        ["V1_TO_V2", "COMPLETE"],
      ],
      true,
    ],
    [
      "migrate COMPLETE, reverse COMPLETE, migrate ABORTED",
      [
        ["V1_TO_V2", "COMPLETE"],
        ["V2_TO_V1", "COMPLETE"],
        ["V1_TO_V2", "ABORTED"],
      ],
      false,
    ],
    // The INCOMPLETE migration changed the datasource; the ABORTED retry changed nothing.
    [
      "migrate INCOMPLETE, then ABORTED",
      [
        ["V1_TO_V2", "INCOMPLETE"],
        ["V1_TO_V2", "ABORTED"],
      ],
      true,
    ],
    // A reversal that did not complete leaves it to reverse again.
    [
      "migrate COMPLETE, reverse INCOMPLETE",
      [
        ["V1_TO_V2", "COMPLETE"],
        ["V2_TO_V1", "INCOMPLETE"],
      ],
      true,
    ],
    [
      "migrate COMPLETE, reverse ABORTED",
      [
        ["V1_TO_V2", "COMPLETE"],
        ["V2_TO_V1", "ABORTED"],
      ],
      true,
    ],
    ["reverse COMPLETE only", [["V2_TO_V1", "COMPLETE"]], false],
  ])("%s → %s", (_title, steps, expected) => {
    const journal = journalWithRuns("run-1");
    const ids = steps.map(([direction, state], index) =>
      record(journal, "run-1", "ds-1", direction, state, { attempt: index + 1 }),
    );
    const lastEffectiveMigrate = steps
      .map((step, index) => ({ step, id: ids[index] }))
      .filter(({ step }) => step[0] === "V1_TO_V2" && (step[1] === "COMPLETE" || step[1] === "INCOMPLETE"))
      .at(-1)?.id;
    expect(journal.reversible(DOMAIN).map((row) => row.id)).toEqual(expected ? [lastEffectiveMigrate] : []);
  });

  it("keeps domains apart", () => {
    const journal = journalWithRuns("run-1");
    record(journal, "run-1", "ds-1", "V1_TO_V2", "COMPLETE", { domain: OTHER_DOMAIN });
    record(journal, "run-1", "ds-1", "V2_TO_V1", "COMPLETE");
    expect(journal.reversible(OTHER_DOMAIN).map((row) => row.datasourceId)).toEqual(["ds-1"]);
    expect(journal.reversible(DOMAIN)).toEqual([]);
  });
});

describe("the latest-state queries against a naive reading of every row", () => {
  it("agree on a few thousand random attempts, some completed out of order", () => {
    const journal = journalWithRuns("run-a", "run-b", "run-c");
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const finalStates = ["COMPLETE", "INCOMPLETE", "ABORTED", "FAILED"] as const;
    const domains = [DOMAIN, OTHER_DOMAIN];
    const datasources = Array.from({ length: 300 }, (_, index) => `ds-${index}`);
    const pending: number[] = [];
    for (let index = 0; index < 3000; index += 1) {
      const state = random() < 0.1 ? "IN_FLIGHT" : pick(finalStates);
      const id = record(
        journal,
        pick(["run-a", "run-b", "run-c"]),
        pick(datasources),
        pick(["V1_TO_V2", "V2_TO_V1"]),
        state,
        {
          domain: pick(domains),
        },
      );
      if (state === "IN_FLIGHT") pending.push(id);
      // Complete an older in-flight row now and then, after newer rows of its item may exist.
      if (pending.length > 0 && random() < 0.05) {
        const [completed] = pending.splice(Math.floor(random() * pending.length), 1);
        journal.completeAttempt(completed ?? 0, aResult(pick(finalStates)));
      }
    }
    expect(pending.length).toBeGreaterThan(10);
    const rows = ["run-a", "run-b", "run-c"]
      .flatMap((run) => journal.attemptsOfRun(run))
      .sort((a, b) => a.id - b.id);
    const ofDomain = rows.filter((row) => row.domain === DOMAIN);
    const latest = <T>(items: T[], key: (item: T) => string): Map<string, T> =>
      new Map(items.map((i) => [key(i), i]));

    const lastMigrates = latest(
      ofDomain.filter((row) => row.direction === "V1_TO_V2" && row.state !== "IN_FLIGHT"),
      (row) => row.datasourceId,
    );
    const lastReverses = latest(
      ofDomain.filter((row) => row.direction === "V2_TO_V1" && row.state !== "IN_FLIGHT"),
      (row) => row.datasourceId,
    );
    const histories = journal.histories(DOMAIN);
    expect(histories.size).toBe(new Set(ofDomain.map((row) => row.datasourceId)).size);
    for (const [datasourceId, history] of histories) {
      expect(history.lastMigrate?.id).toBe(lastMigrates.get(datasourceId)?.id);
      expect(history.lastReverse?.id).toBe(lastReverses.get(datasourceId)?.id);
      expect(history.inFlight.map((row) => row.id)).toEqual(
        ofDomain
          .filter((row) => row.datasourceId === datasourceId && row.state === "IN_FLIGHT")
          .map((r) => r.id),
      );
    }

    const latestAll = [...latest(rows, (row) => `${row.domain}|${row.datasourceId}`).values()].map(
      (r) => r.id,
    );
    expect(journal.latestStates().map((row) => row.id)).toEqual(latestAll.sort((a, b) => a - b));

    const effective = latest(
      ofDomain.filter(
        (r) => r.direction === "V1_TO_V2" && (r.state === "COMPLETE" || r.state === "INCOMPLETE"),
      ),
      (row) => row.datasourceId,
    );
    const reversedAfter = latest(
      ofDomain.filter((r) => r.direction === "V2_TO_V1" && r.state === "COMPLETE"),
      (row) => row.datasourceId,
    );
    const expectedReversible = [...effective.values()]
      .filter((row) => (reversedAfter.get(row.datasourceId)?.id ?? 0) < row.id)
      .map((row) => row.id)
      .sort((a, b) => a - b);
    expect(expectedReversible.length).toBeGreaterThan(0);
    expect(journal.reversible(DOMAIN).map((row) => row.id)).toEqual(expectedReversible);
  });
});

/** mulberry32: a small deterministic generator, so that a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
