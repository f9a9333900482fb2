import pLimit from "p-limit";
import type { Logger } from "pino";
import type { DomoApi, MigrationRecord } from "../domo/types.js";
import type { FedmigrateError } from "../errors.js";
import type { AttemptResult, NewAttempt } from "../journal/types.js";
import { notStarted, type SentFacts, sentOutcome } from "./item-outcome.js";
import { type AttemptEnd, sendAttempt } from "./send-attempt.js";
import { RunStoppedError, type StopController } from "./stop-controller.js";
import type { ExecutorEvent, ItemOutcome, Outcome, WorkItem } from "./types.js";

/** The retry owner (src/domo/retry-policy.ts) as the executor uses it. */
export interface RetryRunner {
  /** Runs a call that changes nothing (a GET), retrying transient failures. */
  run<T>(fn: (attempt: number) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /** One request through the run's gate (`Retry-After` pauses, rate learning); no retry. */
  send<T>(fn: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /**
   * After `failures` failed tries: true, once the backoff is waited, when `error` may be retried
   * and retries are left. Rejects with the signal's reason if it aborts during the wait.
   */
  backoff(error: unknown, failures: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * How many requests the server takes at once now, learnt from its 429s by the run's shared rate
   * gate (AIMD); Infinity while none has been seen. The executor starts no more items than this.
   */
  concurrencyLimit(): number;
}

/** What the executor writes: a row in flight before each request, completed after. */
export interface AttemptWriter {
  beginAttempt(attempt: NewAttempt): number;
  completeAttempt(id: number, result: AttemptResult): void;
}

export interface ExecutorPorts {
  api: DomoApi;
  journal: AttemptWriter;
  /** The run's retry owner (shares the run's rate gate). */
  retry: RetryRunner;
  now: () => Date;
  logger: Logger;
}

export interface ExecuteOptions {
  runId: string;
  domain: string;
  concurrency: number;
  /** Stop starting new items after this many failed ones. */
  maxFailures?: number | undefined;
  stop: StopController;
  onEvent?: (event: ExecutorEvent) => void;
  /**
   * Reversals only: the datasources that were migrated (COMPLETE) before their reversal. The
   * candidate list shows an INCOMPLETE datasource as not migrated, just like one back on V1, so
   * for any other datasource "not migrated" after a reversal without answer proves nothing, and
   * the reversal is sent again instead of being recorded COMPLETE. Undefined: every one was.
   */
  migratedBeforeReversal?: ReadonlySet<string> | undefined;
}

export interface ExecuteResult {
  outcomes: ItemOutcome[];
  /** A failure that stopped the run (journal unwritable): rethrown by the caller after draining. */
  fatal: FedmigrateError | undefined;
}

const FAILED_OUTCOMES: ReadonlySet<Outcome> = new Set(["failed", "aborted", "incomplete"]);

/**
 * Calls migrate or reverse for every item, at most `concurrency` at a time, and fewer while the
 * rate gate has learnt that the server takes fewer. Every request is journaled in flight first;
 * a request that may have been applied (no answer, a 5xx, or a 200 whose record cannot be read)
 * is read back before any retry, so
 * nothing is ever requested twice; an INCOMPLETE answer is re-attempted once. Outcomes are data.
 */
export async function executeItems(
  items: readonly WorkItem[],
  ports: ExecutorPorts,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const max = Math.max(1, options.concurrency);
  const limit = pLimit(max);
  // The gate lowers its limit on 429s and raises it as the server keeps up (AIMD); p-limit starts
  // nothing new above the lowered one, and more as soon as it is raised.
  const followGate = () => {
    const allowed = Math.floor(ports.retry.concurrencyLimit());
    const next = Math.max(1, Number.isNaN(allowed) ? max : Math.min(max, allowed));
    if (limit.concurrency !== next) limit.concurrency = next;
  };
  let failures = 0;
  let fatal: FedmigrateError | undefined;
  const emit = options.onEvent ?? (() => {});

  const outcomes = await Promise.all(
    items.map((item) =>
      limit(async (): Promise<ItemOutcome> => {
        if (options.stop.stopped) return notStarted(item, options.stop.reason ?? "interrupted");
        emit({ type: "item-start", item });
        const ended = await runItem(item, ports, options, followGate);
        if (ended.fatal) {
          fatal ??= ended.fatal;
          options.stop.stop("journal");
        }
        const { outcome } = ended;
        if (FAILED_OUTCOMES.has(outcome.outcome)) {
          failures += 1;
          if (options.maxFailures !== undefined && failures >= options.maxFailures)
            options.stop.stop("max-failures");
        }
        emit({ type: "item-done", item, outcome });
        return outcome;
      }),
    ),
  );
  return { outcomes, fatal };
}

interface ItemEnd {
  outcome: ItemOutcome;
  /** The journal failed: the run stops. */
  fatal?: FedmigrateError;
}

/**
 * One item, as a loop over its attempts: each attempt says how it ended (`AttemptEnd`) and the
 * `switch` decides: done, re-attempt an INCOMPLETE, retry after a backoff, or give up.
 */
async function runItem(
  item: WorkItem,
  ports: ExecutorPorts,
  options: ExecuteOptions,
  afterAttempt: () => void,
): Promise<ItemEnd> {
  const { stop } = options;
  const startedAt = ports.now();
  const verb = item.direction === "V1_TO_V2" ? "migration" : "reversal";
  let sent = 0;
  /** Failed tries since the last answer, for the retry budget. */
  let failures = 0;
  let reattempted = false;
  /** The last recorded attempt, for the outcome of an item that stops after it. */
  let last: Exclude<AttemptEnd, { type: "stopped" | "unwritable" | "unrecorded" }> | undefined;

  const facts = (over: Partial<SentFacts> = {}): SentFacts => ({
    ...factsOfEnd(last),
    attempts: sent,
    startedAt,
    endedAt: ports.now(),
    ...over,
  });
  const failed = (reason: string, over: Partial<SentFacts> = {}): ItemEnd => ({
    outcome: sentOutcome(item, "failed", reason, facts(over)),
  });
  const stoppedBeforeRetry = (): ItemEnd =>
    failed(`run stopped (${stop.reason ?? "interrupted"}) before a retry`);

  for (;;) {
    if (sent > 0 && stop.stopped) return stoppedBeforeRetry();
    const end = await sendAttempt(item, sent + 1, ports, options);
    afterAttempt();
    if (end.type !== "stopped" && end.type !== "unwritable") sent += 1;
    switch (end.type) {
      case "answered": {
        last = end;
        const { record } = end;
        if (record.state === "INCOMPLETE" && !reattempted && !stop.stopped) {
          // INCOMPLETE leaves the datasource half-changed: one more attempt in the same run.
          reattempted = true;
          failures = 0;
          ports.logger.info(
            { event: "incomplete.reattempt", datasource: item.datasourceId, toe: record.toe },
            "re-attempting",
          );
          continue;
        }
        return { outcome: sentOutcome(item, outcomeOfState(record), reasonOfRecord(verb, record), facts()) };
      }
      case "confirmed":
        last = end;
        return {
          outcome: sentOutcome(
            item,
            "complete",
            `${verb} confirmed by the candidate list after ${answerWords(end.error.status)}`,
            facts(),
          ),
        };
      case "not-applied":
      case "failed": {
        last = end;
        if (end.error.kind === "auth") stop.stop("auth");
        if (end.error.kind === "setup") stop.stop("setup");
        failures += 1;
        let again: boolean;
        try {
          // A stopped run does not retry: the wait rejects at once, or the loop's check ends it.
          again = await ports.retry.backoff(end.error, failures, stop.signal);
        } catch (error) {
          if (error instanceof RunStoppedError) return stoppedBeforeRetry();
          throw error;
        }
        if (again) continue;
        return failed(end.message);
      }
      case "unresolved":
        last = end;
        return failed(
          "no usable answer and the read-back failed: left in flight, the next run resolves it from the server",
        );
      case "stopped":
        return sent === 0 ? { outcome: notStarted(item, end.reason) } : stoppedBeforeRetry();
      case "unwritable":
        // The row of this attempt was never written: its request was not sent.
        return sent === 0
          ? { outcome: notStarted(item, "journal"), fatal: end.error }
          : { ...failed(end.error.message), fatal: end.error };
      case "unrecorded": {
        const got =
          end.answer instanceof Error
            ? "sent"
            : `answered ${end.answer.state}${end.answer.toe ? ` (toe ${end.answer.toe})` : ""}`;
        return {
          ...failed(
            `the request was ${got}, but the journal could not record it: left in flight, the next run resolves it from the server`,
            {
              state: "IN_FLIGHT",
              toe: end.answer instanceof Error ? null : end.answer.toe,
              errorMessage: end.error.message,
              httpStatus: end.answer instanceof Error ? (end.answer.status ?? null) : 200,
              resolvedBy: null,
            },
          ),
          fatal: end.error,
        };
      }
    }
  }
}

/** What the last recorded attempt of an item says, for its record. */
function factsOfEnd(
  end: Exclude<AttemptEnd, { type: "stopped" | "unwritable" | "unrecorded" }> | undefined,
): Pick<SentFacts, "state" | "toe" | "errorMessage" | "httpStatus" | "resolvedBy"> {
  if (end === undefined)
    return { state: null, toe: null, errorMessage: null, httpStatus: null, resolvedBy: null };
  switch (end.type) {
    case "answered":
      return {
        state: end.record.state,
        toe: end.record.toe,
        errorMessage: end.record.errorMessage,
        httpStatus: 200,
        resolvedBy: null,
      };
    case "unresolved":
      return {
        state: "IN_FLIGHT",
        toe: end.error.toe ?? null,
        errorMessage: end.error.message,
        httpStatus: end.error.status ?? null,
        resolvedBy: null,
      };
    default:
      return {
        state: end.type === "confirmed" ? "COMPLETE" : "FAILED",
        toe: end.error.toe ?? null,
        errorMessage: end.type === "confirmed" ? null : end.message,
        httpStatus: end.error.status ?? null,
        resolvedBy: end.type === "failed" ? null : "readback",
      };
  }
}

/** What an ambiguous request got: nothing, a 5xx, or a 200 whose record could not be read. */
function answerWords(status: number | undefined): string {
  if (status === undefined) return "a request without answer";
  return status < 300 ? `a ${status} answer that is not a readable migration record` : `a ${status} answer`;
}

function outcomeOfState(record: MigrationRecord): Outcome {
  return record.state === "COMPLETE" ? "complete" : record.state === "INCOMPLETE" ? "incomplete" : "aborted";
}

function reasonOfRecord(verb: string, record: MigrationRecord): string {
  if (record.state === "COMPLETE") return `${verb} COMPLETE`;
  return `${verb} ${record.state}${record.errorMessage ? `: ${record.errorMessage}` : ""}`;
}
