import type { Logger } from "pino";
import { DomoApiError } from "../domo/domo-api-error.js";
import type { MigrationRecord } from "../domo/types.js";
import { FedmigrateError } from "../errors.js";
import type { AttemptResult } from "../journal/types.js";
import type { ExecuteOptions, ExecutorPorts } from "./execute-items.js";
import { RunStoppedError } from "./stop-controller.js";
import type { StopReason, WorkItem } from "./types.js";

/**
 * How one attempt ended: one POST, its journal row, and, when the POST got no usable answer
 * (none, a 5xx, or a 200 whose record cannot be read), the read-back of the account's candidate
 * list that decides what it did.
 */
export type AttemptEnd =
  /** Domo answered with a migration record (COMPLETE, INCOMPLETE or ABORTED); recorded. */
  | { type: "answered"; record: MigrationRecord }
  /** No usable answer; the candidate list shows it took effect. Recorded COMPLETE. */
  | { type: "confirmed"; error: DomoApiError; message: string }
  /**
   * No usable answer; the candidate list shows it did not take effect, or cannot tell (a
   * migration that ended INCOMPLETE looks the same): recorded FAILED, it may be sent again.
   */
  | { type: "not-applied"; error: DomoApiError; message: string }
  /** An error that changed nothing (404, 429, a refused connection, a malformed body…); recorded FAILED. */
  | { type: "failed"; error: DomoApiError; message: string }
  /** No usable answer and the read-back failed: the row stays IN_FLIGHT for the next run. */
  | { type: "unresolved"; error: DomoApiError }
  /** Not sent: the run stopped while it waited for a `Retry-After` pause. */
  | { type: "stopped"; reason: StopReason }
  /** Not sent: its journal row could not be written. */
  | { type: "unwritable"; error: FedmigrateError }
  /** Sent, but what came back could not be written: the row stays IN_FLIGHT. */
  | { type: "unrecorded"; error: FedmigrateError; answer: MigrationRecord | DomoApiError };

/** What completes an attempt's row, but the time it ended. */
type RowEnd = Omit<AttemptResult, "endedAt">;

/**
 * Sends attempt number `attempt` of `item`: waits for the run's gate, writes the row in flight,
 * sends the POST, reads an ambiguous one back, then completes the row (here, and nowhere else)
 * and logs how it ended. Never throws for what the API or the journal did; a bug is thrown.
 */
export async function sendAttempt(
  item: WorkItem,
  attempt: number,
  ports: ExecutorPorts,
  options: Pick<ExecuteOptions, "runId" | "domain" | "stop" | "migratedBeforeReversal">,
): Promise<AttemptEnd> {
  const { api, journal } = ports;
  let rowId: number | undefined;
  let answer: MigrationRecord | DomoApiError;
  try {
    answer = await ports.retry.send(
      () => {
        rowId = journal.beginAttempt({
          runId: options.runId,
          domain: options.domain,
          datasourceId: item.datasourceId,
          datasourceName: item.name ?? null,
          accountId: item.accountId,
          direction: item.direction,
          catalog: item.target.catalog,
          schema: item.target.schema,
          tableName: item.target.table,
          attempt,
          startedAt: ports.now().toISOString(),
        });
        return item.direction === "V1_TO_V2"
          ? api.migrate(item.datasourceId, item.accountId, item.target)
          : api.reverse(item.datasourceId);
      },
      // Cuts a wait at the gate short; never the request itself.
      { signal: options.stop.signal },
    );
  } catch (error) {
    if (rowId === undefined) {
      if (error instanceof RunStoppedError) return { type: "stopped", reason: error.reason };
      if (isJournalError(error)) return { type: "unwritable", error };
      throw error;
    }
    if (!(error instanceof DomoApiError)) throw error;
    answer = error;
  }

  if (rowId === undefined) throw new TypeError("a request was sent without its journal row");
  const settled =
    answer instanceof DomoApiError ? await settleError(item, answer, ports, options) : answered(answer);
  if (settled.row !== undefined) {
    try {
      journal.completeAttempt(rowId, { ...settled.row, endedAt: ports.now().toISOString() });
    } catch (error) {
      if (isJournalError(error)) return { type: "unrecorded", error, answer };
      throw error;
    }
  }
  logEnd(ports.logger, item, attempt, settled.end);
  return settled.end;
}

function answered(record: MigrationRecord): { end: AttemptEnd; row: RowEnd } {
  return {
    end: { type: "answered", record },
    row: {
      state: record.state,
      toe: record.toe,
      errorMessage: record.errorMessage,
      httpStatus: 200,
      serverStartTime: record.startTime,
      serverEndTime: record.endTime,
      resolvedBy: null,
    },
  };
}

/** An error in place of a record: final, or ambiguous and then read back. */
async function settleError(
  item: WorkItem,
  error: DomoApiError,
  ports: ExecutorPorts,
  options: Pick<ExecuteOptions, "migratedBeforeReversal">,
): Promise<{ end: AttemptEnd; row?: RowEnd }> {
  const row = {
    toe: error.toe ?? null,
    httpStatus: error.status ?? null,
    serverStartTime: null,
    serverEndTime: null,
  };
  if (error.kind !== "ambiguous") {
    const message = error.status === 404 ? unknownIdMessage(item, error) : error.message;
    return {
      end: { type: "failed", error, message },
      row: { ...row, state: "FAILED", errorMessage: message, resolvedBy: null },
    };
  }
  // It may have been applied: ask the server before anything is sent again.
  const applied = await readBack(item, ports);
  if (applied === undefined) return { end: { type: "unresolved", error } };
  // "Not migrated" is what the list shows for V1 and for INCOMPLETE alike: it confirms a
  // reversal only of a datasource known to be migrated before it, and it leaves open whether a
  // migration did nothing or ended INCOMPLETE (sending it again is right either way).
  const confirmed =
    applied &&
    (item.direction === "V1_TO_V2" || (options.migratedBeforeReversal?.has(item.datasourceId) ?? true));
  const message = readBackMessage(item, error, applied, confirmed);
  return {
    end: confirmed ? { type: "confirmed", error, message } : { type: "not-applied", error, message },
    row: { ...row, state: confirmed ? "COMPLETE" : "FAILED", errorMessage: message, resolvedBy: "readback" },
  };
}

/**
 * Reads the item's candidate entry back: true when the request took effect (migrated for a
 * migration, back on V1 for a reversal), false when not, undefined when the server cannot say
 * (the read failed, or the account does not list the datasource).
 */
async function readBack(item: WorkItem, ports: ExecutorPorts): Promise<boolean | undefined> {
  try {
    const candidates = await ports.retry.run(() => ports.api.listCandidates(item.accountId));
    const candidate = candidates.find((c) => c.id === item.datasourceId);
    if (candidate) return item.direction === "V1_TO_V2" ? candidate.migrated : !candidate.migrated;
    ports.logger.warn(
      { event: "readback.failed", datasource: item.datasourceId, account: item.accountId, listed: false },
      "read-back failed: the account does not list the datasource",
    );
  } catch (error) {
    ports.logger.warn(
      { event: "readback.failed", datasource: item.datasourceId, account: item.accountId, error },
      "read-back failed",
    );
  }
  return undefined;
}

function readBackMessage(item: WorkItem, error: DomoApiError, applied: boolean, confirmed: boolean): string {
  const what = `${error.status === undefined ? "no answer" : "no usable answer"} (${error.message})`;
  if (confirmed) return `${what}; the candidate list confirms it took effect`;
  if (applied) {
    return `${what}; the candidate list shows it not migrated, as it shows an INCOMPLETE datasource too, so whether the reversal took effect is unknown: it is sent again`;
  }
  return item.direction === "V1_TO_V2"
    ? `${what}; the candidate list shows it not migrated: it did not take effect, or ended INCOMPLETE (the list cannot tell which); it is sent again`
    : `${what}; the candidate list shows it did not take effect`;
}

/**
 * A 404 on a POST: Domo does not know the datasource or the account. Says which, when the
 * answer names one of them (its id, or the word), and both otherwise.
 */
export function unknownIdMessage(item: WorkItem, error: DomoApiError): string {
  const body = error.bodyFirstLine ?? "";
  const names = (id: string, word: RegExp) => word.test(body) || containsId(body, id);
  const datasource = `datasource ${item.datasourceId}`;
  const account = `account ${item.accountId}`;
  let which: string;
  if (item.direction === "V2_TO_V1") which = datasource;
  else {
    const ds = names(item.datasourceId, /data\s*-?source/i);
    const acct = names(item.accountId, /account/i);
    which =
      ds && !acct
        ? datasource
        : acct && !ds
          ? account
          : `${datasource} or ${account} (its answer does not say which)`;
  }
  return `Domo does not know ${which}: ${error.message}. Not retried; check the ids with 'fedmigrate discover'`;
}

function containsId(text: string, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}

function logEnd(logger: Logger, item: WorkItem, attempt: number, end: AttemptEnd): void {
  const datasource = item.datasourceId;
  switch (end.type) {
    case "answered": {
      const { record } = end;
      const ms = Date.parse(record.endTime ?? "") - Date.parse(record.startTime ?? "");
      logger.info(
        {
          event: item.direction === "V1_TO_V2" ? "migrate.done" : "reverse.done",
          datasource,
          toe: record.toe,
          state: record.state,
          attempt,
          ms: Number.isFinite(ms) ? ms : undefined,
        },
        "request answered",
      );
      return;
    }
    case "confirmed":
    case "not-applied":
      logger.warn(
        {
          event: "readback.done",
          datasource,
          direction: item.direction,
          status: end.error.status ?? null,
          applied: end.type === "confirmed",
          attempt,
        },
        "ambiguous request read back",
      );
      return;
    case "failed":
      // At info: a retry may still succeed; an entry that fails in the end is logged at error (cli).
      logger.info(
        {
          event: "request.failed",
          datasource,
          kind: end.error.kind,
          status: end.error.status,
          attempt,
        },
        end.message,
      );
      return;
    case "unresolved":
      logger.warn(
        { event: "readback.unresolved", datasource, status: end.error.status ?? null, attempt },
        "no usable answer and no read-back: left in flight for the next run",
      );
      return;
    default:
      return;
  }
}

function isJournalError(error: unknown): error is FedmigrateError {
  return error instanceof FedmigrateError && error.code === "JOURNAL";
}
