import type { Direction } from "../domo/types.js";
import type { AttemptRow, AttemptState, RunRow } from "../journal/types.js";

/** One datasource the run sent requests for: its final state and what it took to get there. */
export interface RunViewEntry {
  datasourceId: string;
  name: string | null;
  accountId: string | null;
  direction: Direction;
  catalog: string | null;
  schema: string | null;
  table: string | null;
  /** The state of its last attempt in this run. */
  state: AttemptState;
  /** Not COMPLETE: the entry needs someone's attention. */
  failed: boolean;
  /** The last attempt's `toe`, else the newest `toe` of an earlier attempt (what Domo support asks for). */
  toe: string | null;
  /** The last attempt's error message. */
  errorMessage: string | null;
  httpStatus: number | null;
  /** Requests sent for it in this run: retries and the INCOMPLETE re-attempt included. */
  attempts: number;
  /** Attempts answered 429 (rate limited). */
  rateLimited: number;
  /** When its first request started. */
  startedAt: string;
  /** When its last request ended; null while one is in flight. */
  endedAt: string | null;
  /** First request start to last request end, backoff included; null while one is in flight. */
  durationMs: number | null;
}

/** One request, placed on the timeline. Times are milliseconds after `RunTimeline.originMs`. */
export interface TimelineAttempt {
  id: number;
  datasourceId: string;
  name: string | null;
  /** 1 for the item's first request in the run, 2 for the next… */
  attempt: number;
  state: AttemptState;
  httpStatus: number | null;
  startMs: number;
  endMs: number;
  /** Still IN_FLIGHT in the journal: `endMs` is where the run (or the record) ends. */
  open: boolean;
  /** Its row on the timeline: greedy interval packing, so the lane count is the peak concurrency. */
  lane: number;
  /** Not the item's first request. */
  retry: boolean;
  /** FAILED with HTTP 429. */
  rateLimited: boolean;
}

/** A stretch with no request in flight while more were still to come. */
export interface TimelinePause {
  startMs: number;
  endMs: number;
  /** A 429 ended shortly before it: most likely a `Retry-After` wait. */
  afterRateLimit: boolean;
}

/** Concurrency and traffic over one slice of the timeline (the chart for big runs). */
export interface ConcurrencyBucket {
  startMs: number;
  endMs: number;
  /** Time-weighted mean of requests in flight. */
  average: number;
  /** Most requests in flight at once. */
  max: number;
  /** Requests that ended in this slice. */
  finished: number;
  /** Requests that started in this slice and were retries. */
  retries: number;
  /** Requests answered 429 that ended in this slice. */
  rateLimited: number;
}

/** The run's requests over time. */
export interface RunTimeline {
  /** Epoch ms of the first request's start: x = 0. */
  originMs: number;
  /** From the first request's start to the last one's end. */
  spanMs: number;
  /** Peak concurrency (the number of lanes). */
  lanes: number;
  /** Every request with a readable start time, in start order. */
  attempts: TimelineAttempt[];
  pauses: TimelinePause[];
  buckets: ConcurrencyBucket[];
}

/** Everything a report of one run shows: built from the journal alone. */
export interface RunView {
  run: RunRow;
  /** Run start to end; null when the run has no end (still running, or crashed). */
  durationMs: number | null;
  /** The way its requests went; "mixed" should not happen, null when it sent none. */
  direction: Direction | "mixed" | null;
  /** One per datasource, in the order their first request was sent. */
  entries: RunViewEntry[];
  /** The entries that are not COMPLETE, most urgent first (INCOMPLETE may have left content broken). */
  failures: RunViewEntry[];
  /** Entries by final state; every state present. */
  counts: Record<AttemptState, number>;
  attemptCount: number;
  retryCount: number;
  rateLimitCount: number;
  timeline: RunTimeline;
}

/** Options of `buildRunView`. */
export interface RunViewOptions {
  /** Shorter gaps between requests are not pauses. Default 500 ms. */
  minPauseMs?: number;
  /** Slices of the concurrency chart. Default 240. */
  buckets?: number;
}

/** Reading order of failures: what may be broken first, what changed nothing last. */
const FAILURE_ORDER: Record<AttemptState, number> = {
  INCOMPLETE: 0,
  IN_FLIGHT: 1,
  FAILED: 2,
  ABORTED: 3,
  COMPLETE: 4,
};

/**
 * The view of one run for the HTML and Markdown reports: `attempts` are the journal rows of that
 * run (any order). Pure: the same rows give the same view.
 */
export function buildRunView(
  run: RunRow,
  attempts: readonly AttemptRow[],
  options: RunViewOptions = {},
): RunView {
  const rows = [...attempts].sort((a, b) => a.id - b.id);
  const entries = buildEntries(rows);
  const counts: Record<AttemptState, number> = {
    COMPLETE: 0,
    INCOMPLETE: 0,
    ABORTED: 0,
    FAILED: 0,
    IN_FLIGHT: 0,
  };
  for (const entry of entries) counts[entry.state] += 1;
  const failures = entries
    .filter((entry) => entry.failed)
    // Array.prototype.sort is stable: within a state, journal order stays.
    .sort((a, b) => FAILURE_ORDER[a.state] - FAILURE_ORDER[b.state]);
  const directions = new Set(rows.map((row) => row.direction));
  const started = Date.parse(run.startedAt);
  const ended = run.endedAt === null ? Number.NaN : Date.parse(run.endedAt);
  return {
    run,
    durationMs: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
    direction:
      directions.size === 0 ? null : directions.size > 1 ? "mixed" : (rows[0] as AttemptRow).direction,
    entries,
    failures,
    counts,
    attemptCount: rows.length,
    retryCount: rows.filter((row) => row.attempt > 1).length,
    rateLimitCount: rows.filter(isRateLimited).length,
    timeline: buildTimeline(rows, run, options),
  };
}

function isRateLimited(row: AttemptRow): boolean {
  return row.state === "FAILED" && row.httpStatus === 429;
}

function buildEntries(rows: readonly AttemptRow[]): RunViewEntry[] {
  const byItem = new Map<string, AttemptRow[]>();
  for (const row of rows) {
    // A run has one domain, but the key keeps two instances' same id apart should one ever share a run.
    const key = `${row.domain}\u0000${row.direction}\u0000${row.datasourceId}`;
    const list = byItem.get(key);
    if (list) list.push(row);
    else byItem.set(key, [row]);
  }
  const entries: RunViewEntry[] = [];
  for (const list of byItem.values()) {
    const first = list[0] as AttemptRow;
    const last = list[list.length - 1] as AttemptRow;
    let toe = last.toe;
    for (let i = list.length - 2; toe === null && i >= 0; i -= 1) toe = (list[i] as AttemptRow).toe;
    const open = last.state === "IN_FLIGHT";
    const endedAt = open ? null : last.endedAt;
    const start = Date.parse(first.startedAt);
    const end = endedAt === null ? Number.NaN : Date.parse(endedAt);
    entries.push({
      datasourceId: first.datasourceId,
      name: latestName(list),
      accountId: last.accountId,
      direction: last.direction,
      catalog: last.catalog,
      schema: last.schema,
      table: last.tableName,
      state: last.state,
      failed: last.state !== "COMPLETE",
      toe,
      errorMessage: last.errorMessage,
      httpStatus: last.httpStatus,
      attempts: list.length,
      rateLimited: list.filter(isRateLimited).length,
      startedAt: first.startedAt,
      endedAt,
      durationMs: Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null,
    });
  }
  return entries;
}

function latestName(list: readonly AttemptRow[]): string | null {
  for (let i = list.length - 1; i >= 0; i -= 1) {
    const name = (list[i] as AttemptRow).datasourceName;
    if (name !== null && name !== "") return name;
  }
  return null;
}

interface Interval {
  row: AttemptRow;
  start: number;
  end: number;
  open: boolean;
}

function buildTimeline(rows: readonly AttemptRow[], run: RunRow, options: RunViewOptions): RunTimeline {
  const timed: Interval[] = [];
  let latestKnown = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const start = Date.parse(row.startedAt);
    if (!Number.isFinite(start)) continue;
    latestKnown = Math.max(latestKnown, start);
    const end = row.endedAt === null ? Number.NaN : Date.parse(row.endedAt);
    if (Number.isFinite(end)) latestKnown = Math.max(latestKnown, end);
    timed.push({ row, start, end, open: !Number.isFinite(end) });
  }
  if (timed.length === 0) return { originMs: 0, spanMs: 0, lanes: 0, attempts: [], pauses: [], buckets: [] };

  // A request still in flight runs until the run ended, or (crashed, still running) the last thing recorded.
  const runEnd = run.endedAt === null ? Number.NaN : Date.parse(run.endedAt);
  const openEnd = Number.isFinite(runEnd) ? Math.max(runEnd, latestKnown) : latestKnown;
  for (const interval of timed) {
    if (interval.open) interval.end = openEnd;
    // A clock step backwards must not draw a negative bar.
    if (interval.end < interval.start) interval.end = interval.start;
  }
  timed.sort((a, b) => a.start - b.start || a.row.id - b.row.id);
  const origin = (timed[0] as Interval).start;
  const span = Math.max(...timed.map((t) => t.end)) - origin;

  const laneEnds: number[] = [];
  const attempts: TimelineAttempt[] = timed.map((interval) => {
    // The lowest free lane keeps bars packed at the top; "free" includes ending exactly as this starts.
    let lane = laneEnds.findIndex((end) => end <= interval.start);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = interval.end;
    const { row } = interval;
    return {
      id: row.id,
      datasourceId: row.datasourceId,
      name: row.datasourceName,
      attempt: row.attempt,
      state: row.state,
      httpStatus: row.httpStatus,
      startMs: interval.start - origin,
      endMs: interval.end - origin,
      open: interval.open,
      lane,
      retry: row.attempt > 1,
      rateLimited: isRateLimited(row),
    };
  });

  return {
    originMs: origin,
    spanMs: span,
    lanes: laneEnds.length,
    attempts,
    pauses: findPauses(attempts, options.minPauseMs ?? 500),
    buckets: concurrencyBuckets(attempts, span, options.buckets ?? 240),
  };
}

/** Gaps in the union of the (start-sorted) attempts that last at least `minMs`. */
function findPauses(attempts: readonly TimelineAttempt[], minMs: number): TimelinePause[] {
  const pauses: TimelinePause[] = [];
  let coveredUntil = Number.NEGATIVE_INFINITY;
  let lastStart = Number.NEGATIVE_INFINITY;
  let lastRateLimitEnd = Number.NEGATIVE_INFINITY;
  for (const attempt of attempts) {
    const gap = attempt.startMs - coveredUntil;
    if (Number.isFinite(gap) && gap > 0 && gap >= minMs) {
      pauses.push({
        startMs: coveredUntil,
        endMs: attempt.startMs,
        // After a 429 the shared rate gate lets nothing start until Retry-After has passed: a
        // pause is the 429's when no request started between that answer and the pause.
        afterRateLimit: lastRateLimitEnd >= lastStart,
      });
    }
    coveredUntil = Math.max(coveredUntil, attempt.endMs);
    lastStart = attempt.startMs;
    if (attempt.rateLimited) lastRateLimitEnd = Math.max(lastRateLimitEnd, attempt.endMs);
  }
  return pauses;
}

/** Sweeps the attempts into `count` equal slices of the span. */
function concurrencyBuckets(
  attempts: readonly TimelineAttempt[],
  span: number,
  count: number,
): ConcurrencyBucket[] {
  const slices = span > 0 ? Math.max(1, Math.floor(count)) : 1;
  const width = span > 0 ? span / slices : 1;
  const buckets: ConcurrencyBucket[] = Array.from({ length: slices }, (_, i) => ({
    startMs: i * width,
    endMs: i === slices - 1 ? Math.max(span, width) : (i + 1) * width,
    average: 0,
    max: 0,
    finished: 0,
    retries: 0,
    rateLimited: 0,
  }));
  const last = slices - 1;
  const slice = (t: number) => Math.min(last, Math.max(0, Math.floor(t / width)));
  // A request ending exactly on a boundary finished in the slice before it.
  const endSlice = (t: number) => Math.min(last, Math.max(0, Math.ceil(t / width) - 1));

  const events: [time: number, delta: number][] = [];
  for (const attempt of attempts) {
    const end = buckets[endSlice(attempt.endMs)] as ConcurrencyBucket;
    end.finished += 1;
    if (attempt.rateLimited) end.rateLimited += 1;
    if (attempt.retry) (buckets[slice(attempt.startMs)] as ConcurrencyBucket).retries += 1;
    if (attempt.endMs > attempt.startMs) events.push([attempt.startMs, 1], [attempt.endMs, -1]);
    // A request of no measurable length takes no time, but it was in flight.
    else end.max = Math.max(end.max, 1);
  }
  // At one instant, ends before starts: back-to-back requests on one worker are not an overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);

  let level = 0;
  let i = 0;
  for (const bucket of buckets) {
    let at = bucket.startMs;
    let weighted = 0;
    // The peak counts a level only when it lasts: a boundary instant is not an overlap.
    let peak = 0;
    for (; i < events.length && (events[i] as [number, number])[0] < bucket.endMs; i += 1) {
      const [time, delta] = events[i] as [number, number];
      if (time > at) {
        weighted += level * (time - at);
        peak = Math.max(peak, level);
        at = time;
      }
      level += delta;
    }
    if (bucket.endMs > at) {
      weighted += level * (bucket.endMs - at);
      peak = Math.max(peak, level);
    }
    bucket.average = weighted / (bucket.endMs - bucket.startMs);
    bucket.max = Math.max(bucket.max, peak);
  }
  return buckets;
}
