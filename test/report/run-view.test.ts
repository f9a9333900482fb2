import { describe, expect, it } from "vitest";
import type { AttemptRow } from "../../src/journal/types.js";
import { buildRunView } from "../../src/report/run-view.js";
import { anAttemptRow, aRunRow, T0 } from "./report-fixtures.js";

describe("buildRunView entries", () => {
  it("gives one entry per datasource with its last state, attempts, 429s and wall duration", () => {
    const rows = [
      anAttemptRow("a", "COMPLETE", 0, 1000),
      anAttemptRow("b", "FAILED", 0, 200, { httpStatus: 429, errorMessage: "HTTP 429" }),
      anAttemptRow("b", "FAILED", 1200, 1500, { attempt: 2, httpStatus: 503 }),
      anAttemptRow("b", "COMPLETE", 2000, 3000, { attempt: 3 }),
      anAttemptRow("c", "ABORTED", 100, 400),
    ];
    const view = buildRunView(aRunRow(), rows);
    expect(
      view.entries.map((e) => [e.datasourceId, e.state, e.attempts, e.rateLimited, e.durationMs]),
    ).toEqual([
      ["a", "COMPLETE", 1, 0, 1000],
      ["b", "COMPLETE", 3, 1, 3000],
      ["c", "ABORTED", 1, 0, 300],
    ]);
    expect(view.counts).toEqual({ COMPLETE: 2, INCOMPLETE: 0, ABORTED: 1, FAILED: 0, IN_FLIGHT: 0 });
    expect(view.attemptCount).toBe(5);
    expect(view.retryCount).toBe(2);
    expect(view.rateLimitCount).toBe(1);
    expect(view.direction).toBe("V1_TO_V2");
  });

  it("keeps journal order whatever order the rows come in", () => {
    const rows = [anAttemptRow("first", "COMPLETE", 0, 10), anAttemptRow("second", "COMPLETE", 0, 10)];
    const view = buildRunView(aRunRow(), [...rows].reverse());
    expect(view.entries.map((e) => e.datasourceId)).toEqual(["first", "second"]);
  });

  it("keeps the toe of an earlier attempt when the last one got no migration record", () => {
    const rows = [
      anAttemptRow("x", "INCOMPLETE", 0, 100, { toe: "TOE-INCOMPLETE" }),
      anAttemptRow("x", "FAILED", 200, 300, { attempt: 2, toe: null, errorMessage: "HTTP 503: down" }),
    ];
    const [entry] = buildRunView(aRunRow(), rows).entries;
    expect(entry).toMatchObject({ state: "FAILED", toe: "TOE-INCOMPLETE", errorMessage: "HTTP 503: down" });
  });

  it("lists failures most urgent first: INCOMPLETE, IN_FLIGHT, FAILED, ABORTED, journal order within", () => {
    const rows = [
      anAttemptRow("ab1", "ABORTED", 0, 10),
      anAttemptRow("f1", "FAILED", 0, 10),
      anAttemptRow("ok", "COMPLETE", 0, 10),
      anAttemptRow("in1", "INCOMPLETE", 0, 10),
      anAttemptRow("fly", "IN_FLIGHT", 0, null),
      anAttemptRow("ab2", "ABORTED", 0, 10),
      anAttemptRow("in2", "INCOMPLETE", 0, 10),
    ];
    const view = buildRunView(aRunRow(), rows);
    expect(view.failures.map((f) => f.datasourceId)).toEqual(["in1", "in2", "fly", "f1", "ab1", "ab2"]);
    expect(view.failures.every((f) => f.failed)).toBe(true);
  });

  it("gives an entry still in flight no end and no duration", () => {
    const [entry] = buildRunView(aRunRow(), [anAttemptRow("x", "IN_FLIGHT", 0, null)]).entries;
    expect(entry).toMatchObject({ state: "IN_FLIGHT", endedAt: null, durationMs: null, failed: true });
  });

  it("uses the newest non-empty name", () => {
    const rows = [
      anAttemptRow("x", "FAILED", 0, 10, { datasourceName: "Old name" }),
      anAttemptRow("x", "COMPLETE", 20, 30, { attempt: 2, datasourceName: null }),
    ];
    expect(buildRunView(aRunRow(), rows).entries[0]?.name).toBe("Old name");
  });

  it("says a rollback run goes V2_TO_V1", () => {
    const view = buildRunView(aRunRow({ command: "rollback" }), [
      anAttemptRow("x", "COMPLETE", 0, 10, { direction: "V2_TO_V1" }),
    ]);
    expect(view.direction).toBe("V2_TO_V1");
    expect(view.entries[0]?.direction).toBe("V2_TO_V1");
  });

  it("handles a run that sent nothing and one without an end", () => {
    const view = buildRunView(aRunRow({ endedAt: null, status: "CRASHED" }), []);
    expect(view).toMatchObject({
      entries: [],
      failures: [],
      direction: null,
      durationMs: null,
      attemptCount: 0,
    });
    expect(view.timeline).toMatchObject({ attempts: [], lanes: 0, pauses: [], buckets: [] });
  });

  it("measures the run from start to end", () => {
    expect(buildRunView(aRunRow(), []).durationMs).toBe(60_000);
  });
});

/** [start, end] pairs in ms → rows of distinct datasources. */
function intervals(pairs: [number, number | null][]): AttemptRow[] {
  return pairs.map(([start, end], i) =>
    anAttemptRow(`ds${i}`, end === null ? "IN_FLIGHT" : "COMPLETE", start, end),
  );
}

describe("buildRunView timeline lanes (greedy interval packing)", () => {
  it.each([
    {
      name: "one after another share a lane",
      pairs: [
        [0, 10],
        [10, 20],
        [20, 30],
      ],
      lanes: [0, 0, 0],
      peak: 1,
    },
    {
      name: "overlapping requests take new lanes",
      pairs: [
        [0, 10],
        [5, 15],
        [6, 16],
      ],
      lanes: [0, 1, 2],
      peak: 3,
    },
    {
      name: "a freed lane is reused, lowest first",
      pairs: [
        [0, 10],
        [0, 20],
        [12, 30],
        [21, 25],
      ],
      lanes: [0, 1, 0, 1],
      peak: 2,
    },
    {
      name: "four workers, two rounds",
      pairs: [
        [0, 5],
        [0, 6],
        [0, 7],
        [0, 8],
        [5, 9],
        [6, 9],
        [7, 9],
        [8, 9],
      ],
      lanes: [0, 1, 2, 3, 0, 1, 2, 3],
      peak: 4,
    },
  ] as { name: string; pairs: [number, number][]; lanes: number[]; peak: number }[])(
    "$name",
    ({ pairs, lanes, peak }) => {
      const { timeline } = buildRunView(aRunRow(), intervals(pairs));
      expect(timeline.attempts.map((a) => a.lane)).toEqual(lanes);
      expect(timeline.lanes).toBe(peak);
      expect(Math.max(...timeline.buckets.map((b) => b.max))).toBe(peak);
    },
  );

  it("puts times relative to the first request and marks retries and 429s", () => {
    const rows = [
      anAttemptRow("a", "FAILED", 5000, 5100, { httpStatus: 429 }),
      anAttemptRow("a", "FAILED", 6000, 6100, { attempt: 2, httpStatus: 503 }),
      anAttemptRow("a", "COMPLETE", 7000, 8000, { attempt: 3 }),
    ];
    const { timeline } = buildRunView(aRunRow(), rows);
    expect(timeline.originMs).toBe(T0 + 5000);
    expect(timeline.spanMs).toBe(3000);
    expect(timeline.attempts.map((a) => [a.startMs, a.endMs, a.retry, a.rateLimited])).toEqual([
      [0, 100, false, true],
      [1000, 1100, true, false],
      [2000, 3000, true, false],
    ]);
  });

  it("draws a request still in flight to the run's end", () => {
    const { timeline } = buildRunView(aRunRow({ endedAt: new Date(T0 + 9000).toISOString() }), [
      anAttemptRow("done", "COMPLETE", 0, 2000),
      anAttemptRow("stuck", "IN_FLIGHT", 1000, null),
    ]);
    expect(timeline.attempts[1]).toMatchObject({ open: true, startMs: 1000, endMs: 9000 });
    expect(timeline.spanMs).toBe(9000);
  });

  it("without a run end, draws it to the last thing recorded", () => {
    const { timeline } = buildRunView(aRunRow({ endedAt: null }), [
      anAttemptRow("stuck", "IN_FLIGHT", 0, null),
      anAttemptRow("done", "COMPLETE", 1000, 4000),
    ]);
    expect(timeline.attempts[0]).toMatchObject({ open: true, endMs: 4000 });
  });

  it("leaves out rows whose start time is unreadable", () => {
    const rows = [
      anAttemptRow("ok", "COMPLETE", 0, 10),
      anAttemptRow("bad", "COMPLETE", 0, 10, { startedAt: "garbage" }),
    ];
    const view = buildRunView(aRunRow(), rows);
    expect(view.entries).toHaveLength(2);
    expect(view.timeline.attempts.map((a) => a.datasourceId)).toEqual(["ok"]);
  });
});

describe("buildRunView pauses", () => {
  it("finds gaps with nothing in flight, at least minPauseMs long, and says when a 429 came just before", () => {
    const rows = [
      anAttemptRow("a", "COMPLETE", 0, 1000),
      anAttemptRow("b", "FAILED", 500, 1200, { httpStatus: 429 }),
      // 2 s with nothing in flight after a 429: a Retry-After wait
      anAttemptRow("b", "COMPLETE", 3200, 4000, { attempt: 2 }),
      anAttemptRow("c", "COMPLETE", 3300, 4100),
      // 100 ms: too short to be a pause
      anAttemptRow("d", "COMPLETE", 4200, 5000),
      // 5 s idle with no 429 anywhere near
      anAttemptRow("e", "COMPLETE", 10_000, 10_500),
    ];
    const { pauses } = buildRunView(aRunRow(), rows, { minPauseMs: 500 }).timeline;
    expect(pauses).toEqual([
      { startMs: 1200, endMs: 3200, afterRateLimit: true },
      { startMs: 5000, endMs: 10_000, afterRateLimit: false },
    ]);
  });

  it("sees no pause while a long request covers a gap between others", () => {
    const rows = [
      anAttemptRow("long", "COMPLETE", 0, 10_000),
      anAttemptRow("a", "COMPLETE", 0, 1000),
      anAttemptRow("b", "COMPLETE", 8000, 9000),
    ];
    expect(buildRunView(aRunRow(), rows, { minPauseMs: 1 }).timeline.pauses).toEqual([]);
  });
});

describe("buildRunView concurrency buckets", () => {
  it("averages requests in flight over each slice, time-weighted", () => {
    // Slices of 1000 ms over 0..4000: [2 for all of it] [1 for half] [0] [1]
    const rows = intervals([
      [0, 1000],
      [0, 1500],
      [3000, 4000],
    ]);
    const { buckets } = buildRunView(aRunRow(), rows, { buckets: 4 }).timeline;
    expect(buckets.map((b) => [b.startMs, b.endMs, b.average, b.max])).toEqual([
      [0, 1000, 2, 2],
      [1000, 2000, 0.5, 1],
      [2000, 3000, 0, 0],
      [3000, 4000, 1, 1],
    ]);
    expect(buckets.map((b) => b.finished)).toEqual([1, 1, 0, 1]);
  });

  it("counts every request once, retries where they start and 429s where they end", () => {
    const rows: AttemptRow[] = [];
    for (let i = 0; i < 300; i += 1) {
      rows.push(
        anAttemptRow(`d${i}`, "FAILED", i * 10, i * 10 + 5, { httpStatus: 429 }),
        anAttemptRow(`d${i}`, "COMPLETE", i * 10 + 5, i * 10 + 9, { attempt: 2 }),
      );
    }
    const { buckets } = buildRunView(aRunRow(), rows, { buckets: 7 }).timeline;
    expect(buckets).toHaveLength(7);
    expect(buckets.reduce((n, b) => n + b.finished, 0)).toBe(600);
    expect(buckets.reduce((n, b) => n + b.retries, 0)).toBe(300);
    expect(buckets.reduce((n, b) => n + b.rateLimited, 0)).toBe(300);
    expect(Math.max(...buckets.map((b) => b.max))).toBe(1);
  });

  it("gives a run of one instantaneous request one slice with it in flight", () => {
    const { buckets, spanMs } = buildRunView(aRunRow(), intervals([[0, 0]])).timeline;
    expect(spanMs).toBe(0);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({ max: 1, finished: 1 });
  });
});
