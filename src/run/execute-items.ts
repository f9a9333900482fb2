import type { Logger } from "pino";
import { DomoApiError } from "../domo/domo-api-error.js";
import type { Candidate, DomoApi, MigrationRecord } from "../domo/types.js";
import { FedmigrateError } from "../errors.js";
import type { AttemptResult, AttemptState, NewAttempt } from "../journal/types.js";
import { adaptiveLimit } from "./adaptive-limit.js";
import { RunStoppedError, type StopController } from "./stop-controller.js";
import type { ExecutorEvent, ItemOutcome, Outcome, WorkItem } from "./types.js";
import { type EntryFacts, unsentOutcome } from "./unsent-outcome.js";

/** The retry owner (src/domo/retry-policy.ts): runs `fn` again on transient and ambiguous errors. */
export interface RetryRunner {
  /** `signal` cuts the waits between attempts short, never a request in flight. */
  run<T>(fn: (attempt: number) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
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
  /** A fresh retry runner per call sequence (shares the run's rate gate). */
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
 * Calls migrate or reverse for every item, `concurrency` at a time. Every request is journaled
 * in flight first; a request that may have reached the server is read back before any retry, so
 * nothing is ever requested twice; an INCOMPLETE answer is re-attempted once. Outcomes are data.
 */
export async function executeItems(
  items: readonly WorkItem[],
  ports: ExecutorPorts,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const limit = adaptiveLimit(Math.max(1, options.concurrency), () => ports.retry.concurrencyLimit());
  let failures = 0;
  let fatal: FedmigrateError | undefined;
  const emit = options.onEvent ?? (() => {});

  const outcomes = await Promise.all(
    items.map((item) =>
      limit(async (): Promise<ItemOutcome> => {
        if (options.stop.stopped) return notStarted(item, options.stop.reason ?? "interrupted");
        emit({ type: "item-start", item });
        const outcome = await runItem(item, ports, options).catch((error: unknown) => {
          if (error instanceof JournalStop) {
            fatal ??= error.cause;
            options.stop.stop("journal");
            return error.outcome;
          }
          throw error;
        });
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

async function runItem(item: WorkItem, ports: ExecutorPorts, options: ExecuteOptions): Promise<ItemOutcome> {
  const { api, journal, logger } = ports;
  const startedAt = ports.now();
  let sent = 0;
  let lastState: AttemptState | null = null;
  let lastStatus: number | null = null;
  /** Set while the answer of a request (or its failure) is being written: what it was. */
  let unrecorded: { state: AttemptState | null; toe: string | null } | undefined;

  const attemptOnce = async (): Promise<MigrationRecord | "confirmed"> => {
    sent += 1;
    const rowId = journal.beginAttempt({
      runId: options.runId,
      domain: options.domain,
      datasourceId: item.datasourceId,
      datasourceName: item.name ?? null,
      accountId: item.accountId,
      direction: item.direction,
      catalog: item.target.catalog,
      schema: item.target.schema,
      tableName: item.target.table,
      attempt: sent,
      startedAt: ports.now().toISOString(),
    });
    try {
      const record =
        item.direction === "V1_TO_V2"
          ? await api.migrate(item.datasourceId, item.accountId, item.target)
          : await api.reverse(item.datasourceId);
      unrecorded = { state: record.state, toe: record.toe };
      journal.completeAttempt(rowId, {
        state: record.state,
        toe: record.toe,
        errorMessage: record.errorMessage,
        httpStatus: 200,
        serverStartTime: record.startTime,
        serverEndTime: record.endTime,
        endedAt: ports.now().toISOString(),
        resolvedBy: null,
      });
      unrecorded = undefined;
      lastState = record.state;
      lastStatus = 200;
      logger.info(
        {
          event: item.direction === "V1_TO_V2" ? "migrate.done" : "reverse.done",
          datasource: item.datasourceId,
          toe: record.toe,
          state: record.state,
          attempt: sent,
          ms: Date.parse(record.endTime ?? "") - Date.parse(record.startTime ?? "") || undefined,
        },
        "request answered",
      );
      return record;
    } catch (error) {
      if (!(error instanceof DomoApiError)) throw error;
      unrecorded = { state: null, toe: null };
      lastStatus = error.status ?? null;
      if (error.kind === "ambiguous") {
        // The request may have been applied: ask the server before anything is sent again.
        const applied = await readBack(item, ports).catch(() => undefined);
        if (applied === undefined) {
          // Neither answer nor read-back: the row stays IN_FLIGHT and the next run resolves it.
          logger.warn({ event: "readback.failed", datasource: item.datasourceId }, "read-back failed");
          throw new UnresolvedError(error);
        }
        // "Not migrated" is what the list shows for V1 and for INCOMPLETE alike: it confirms a
        // reversal only of a datasource known to be migrated before it, and it leaves open
        // whether a migration did nothing or ended INCOMPLETE (sending it again is right either way).
        const confirmed =
          applied &&
          (item.direction === "V1_TO_V2" ||
            options.migratedBeforeReversal === undefined ||
            options.migratedBeforeReversal.has(item.datasourceId));
        journal.completeAttempt(rowId, {
          state: confirmed ? "COMPLETE" : "FAILED",
          toe: null,
          errorMessage: confirmed
            ? `no answer (${error.message}); the candidate list confirms it took effect`
            : applied
              ? `no answer (${error.message}); the candidate list shows it not migrated, as it shows an INCOMPLETE datasource too, so whether the reversal took effect is unknown: it is sent again`
              : item.direction === "V1_TO_V2"
                ? `no answer (${error.message}); the candidate list shows it not migrated: it did not take effect, or ended INCOMPLETE (the list cannot tell which); it is sent again`
                : `no answer (${error.message}); the candidate list shows it did not take effect`,
          httpStatus: error.status ?? null,
          serverStartTime: null,
          serverEndTime: null,
          endedAt: ports.now().toISOString(),
          resolvedBy: "readback",
        });
        unrecorded = undefined;
        lastState = confirmed ? "COMPLETE" : "FAILED";
        logger.warn(
          { event: "readback.done", datasource: item.datasourceId, applied: confirmed, attempt: sent },
          "ambiguous request read back",
        );
        if (confirmed) return "confirmed";
        throw error;
      }
      journal.completeAttempt(rowId, {
        state: "FAILED",
        toe: null,
        errorMessage: error.message,
        httpStatus: error.status ?? null,
        serverStartTime: null,
        serverEndTime: null,
        endedAt: ports.now().toISOString(),
        resolvedBy: null,
      });
      unrecorded = undefined;
      // Said at info: a retry may still succeed; an entry that fails in the end is logged at error (cli).
      lastState = "FAILED";
      logger.info(
        {
          event: "request.failed",
          datasource: item.datasourceId,
          kind: error.kind,
          status: error.status,
          attempt: sent,
        },
        error.message,
      );
      throw error;
    }
  };

  let reattempted = false;
  for (;;) {
    let result: MigrationRecord | "confirmed";
    try {
      result = await ports.retry.run(
        async () => {
          if (sent > 0 && options.stop.stopped)
            throw new RunStoppedError(options.stop.reason ?? "interrupted");
          return attemptOnce();
        },
        { signal: options.stop.signal },
      );
    } catch (error) {
      if (error instanceof FedmigrateError && error.code === "JOURNAL") {
        throw new JournalStop(
          error,
          journalStopOutcome(item, error, { sent, startedAt, lastState, unrecorded }),
        );
      }
      if (error instanceof DomoApiError) {
        if (error.kind === "auth") options.stop.stop("auth");
        if (error.kind === "setup") options.stop.stop("setup");
        return failedOutcome(item, error, sent, startedAt, lastState, lastStatus);
      }
      if (error instanceof UnresolvedError) {
        return {
          ...failedOutcome(item, error.cause, sent, startedAt, "IN_FLIGHT", lastStatus),
          reason:
            "no answer and the read-back failed: left in flight, the next run resolves it from the server",
        };
      }
      if (error instanceof RunStoppedError) {
        if (sent === 0) return notStarted(item, error.reason);
        return {
          ...failedOutcome(item, undefined, sent, startedAt, lastState, lastStatus),
          reason: `run stopped (${options.stop.reason}) before a retry`,
        };
      }
      throw error;
    }

    if (result === "confirmed") {
      return outcomeOf(item, "complete", "confirmed by the candidate list after a request without answer", {
        state: "COMPLETE",
        toe: null,
        errorMessage: null,
        httpStatus: lastStatus,
        attempts: sent,
        startedAt,
        endedAt: ports.now(),
      });
    }
    if (result.state === "INCOMPLETE" && !reattempted && !options.stop.stopped) {
      // INCOMPLETE leaves the datasource half-changed: one more attempt in the same run.
      reattempted = true;
      logger.info(
        { event: "incomplete.reattempt", datasource: item.datasourceId, toe: result.toe },
        "re-attempting",
      );
      continue;
    }
    const outcome: Outcome =
      result.state === "COMPLETE" ? "complete" : result.state === "INCOMPLETE" ? "incomplete" : "aborted";
    const verb = item.direction === "V1_TO_V2" ? "migration" : "reversal";
    const reason =
      outcome === "complete"
        ? `${verb} COMPLETE`
        : `${verb} ${result.state}${result.errorMessage ? `: ${result.errorMessage}` : ""}`;
    return outcomeOf(item, outcome, reason, {
      state: result.state,
      toe: result.toe,
      errorMessage: result.errorMessage,
      httpStatus: 200,
      attempts: sent,
      startedAt,
      endedAt: ports.now(),
    });
  }
}

/**
 * Reads the item's candidate entry back: true when the request took effect (migrated for a
 * migration, back on V1 for a reversal), false when not, undefined when the server cannot say.
 */
async function readBack(item: WorkItem, ports: ExecutorPorts): Promise<boolean | undefined> {
  const candidates: Candidate[] = await ports.retry.run(() => ports.api.listCandidates(item.accountId));
  const candidate = candidates.find((c) => c.id === item.datasourceId);
  if (!candidate) return undefined;
  return item.direction === "V1_TO_V2" ? candidate.migrated : !candidate.migrated;
}

/** The journal failed while this item ran: the run stops, and the item's outcome says how far it got. */
class JournalStop extends Error {
  override name = "JournalStop";
  override readonly cause: FedmigrateError;
  readonly outcome: ItemOutcome;
  constructor(cause: FedmigrateError, outcome: ItemOutcome) {
    super(cause.message);
    this.cause = cause;
    this.outcome = outcome;
  }
}

/**
 * The outcome of an item whose journal write failed. Before its first request: not started (no
 * request goes out without its row). After a request, before its answer was written: the row is
 * left IN_FLIGHT, which the next run resolves from the server, and the outcome says so (with the
 * answer it got, which the journal does not have). Before a retry's row: failed, as recorded.
 */
function journalStopOutcome(
  item: WorkItem,
  error: FedmigrateError,
  at: {
    sent: number;
    startedAt: Date;
    lastState: AttemptState | null;
    unrecorded: { state: AttemptState | null; toe: string | null } | undefined;
  },
): ItemOutcome {
  const { unrecorded } = at;
  if (unrecorded) {
    const answer = unrecorded.state
      ? `answered ${unrecorded.state}${unrecorded.toe ? ` (toe ${unrecorded.toe})` : ""}`
      : "sent";
    return {
      ...failedOutcome(item, error, at.sent, at.startedAt, "IN_FLIGHT"),
      toe: unrecorded.toe,
      reason: `the request was ${answer}, but the journal could not record it: left in flight, the next run resolves it from the server`,
    };
  }
  // The row of attempt `sent` was never written: that request was not sent.
  const recorded = at.sent - 1;
  if (recorded === 0) return notStarted(item, "journal");
  return failedOutcome(item, error, recorded, at.startedAt, at.lastState);
}

class UnresolvedError extends Error {
  override name = "UnresolvedError";
  override readonly cause: DomoApiError;
  constructor(cause: DomoApiError) {
    super(cause.message);
    this.cause = cause;
  }
}

interface OutcomeFacts {
  state: AttemptState | null;
  toe: string | null;
  errorMessage: string | null;
  httpStatus: number | null;
  attempts: number;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** The work item as its record says it. */
function factsOf(item: WorkItem): EntryFacts {
  return {
    datasource: item.datasourceId,
    name: item.name ?? null,
    account: item.accountId,
    direction: item.direction,
    catalog: item.target.catalog,
    schema: item.target.schema,
    table: item.target.table,
    action: item.direction === "V1_TO_V2" ? "migrate" : "reverse",
  };
}

function outcomeOf(item: WorkItem, outcome: Outcome, reason: string, facts: OutcomeFacts): ItemOutcome {
  return {
    ...factsOf(item),
    outcome,
    reason,
    state: facts.state,
    toe: facts.toe,
    errorMessage: facts.errorMessage,
    httpStatus: facts.httpStatus,
    attempts: facts.attempts,
    startedAt: facts.startedAt?.toISOString() ?? null,
    endedAt: facts.endedAt?.toISOString() ?? null,
    durationMs: facts.startedAt && facts.endedAt ? facts.endedAt.getTime() - facts.startedAt.getTime() : null,
  };
}

function failedOutcome(
  item: WorkItem,
  error: Error | undefined,
  attempts: number,
  startedAt: Date | null,
  state: AttemptState | null = "FAILED",
  httpStatus: number | null = null,
): ItemOutcome {
  const now = new Date();
  return outcomeOf(item, "failed", error?.message ?? "failed", {
    state,
    toe: null,
    errorMessage: error?.message ?? null,
    httpStatus,
    attempts,
    startedAt,
    endedAt: startedAt ? now : null,
  });
}

function notStarted(item: WorkItem, reason: string): ItemOutcome {
  const words: Record<string, string> = {
    interrupted: "not started: the run was interrupted",
    auth: "not started: the token was refused",
    setup: "not started: the API cannot be reached as configured",
    "max-failures": "not started: --max-failures reached",
    journal: "not started: the journal cannot be written",
  };
  return unsentOutcome(factsOf(item), "not-started", words[reason] ?? `not started: ${reason}`);
}
