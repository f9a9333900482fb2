import type { Logger } from "pino";
import { FedmigrateError } from "../errors.js";
import { ExitCode, exitCodeFor } from "../exit-codes.js";
import type { ChainHead } from "../journal/journal-chain.js";
import type { Journal } from "../journal/open-journal.js";
import { noProgress, type Progress } from "../report/progress-bar.js";
import { countOutcomes, isFailureOutcome, type RunError, type RunReport } from "../report/run-report.js";
import type { ExecuteResult } from "./execute-items.js";
import { newRunId, type RunMetadata } from "./run-metadata.js";
import { StopController } from "./stop-controller.js";
import type { ExecutorEvent, ItemOutcome, StopReason } from "./types.js";

export interface RunBodyContext {
  journal: Journal;
  runId: string;
  stop: StopController;
  /** Size the progress display once the work is known. */
  startProgress: (total: number, label: string) => void;
  onEvent: (event: ExecutorEvent) => void;
}

/** What a run needs around it, given by its caller (the CLI, or a script using the API). */
export interface RunLifecyclePorts {
  logger: Logger;
  /** Who and where runs it, recorded on the run row (`runMetadata(process.env)`). */
  meta: RunMetadata;
  /** The clock of the run's start and end (default: the system's). */
  now?: (() => Date) | undefined;
  /**
   * Called once the run holds the lock and has its row: install what stops it (the CLI stops on
   * SIGINT and SIGTERM). `stop.stop("interrupted")` starts nothing new; returns the uninstall.
   */
  interrupts?: ((stop: StopController, logger: Logger) => () => void) | undefined;
  /** A progress display for `total` entries, once the work is known (default: none). */
  progress?: ((total: number, label: string) => Progress) | undefined;
}

export interface RunLifecycleInput {
  command: "migrate" | "rollback";
  journalPath: string;
  domainKey: string;
  manifestsHash: string | null;
  /** The run's options, recorded on its row as JSON. */
  options: Record<string, unknown>;
  body: (ctx: RunBodyContext) => Promise<{ outcomes: ItemOutcome[]; fatal: ExecuteResult["fatal"] }>;
  /**
   * The run's entries, each as not attempted with `reason`: the records of a run stopped before
   * it had outcomes (the journal could not be opened, the plan's reads failed). `journal` is
   * given when it is open (rollback lists what it would have reversed from it).
   */
  notAttempted: (reason: string, journal: Journal | undefined) => ItemOutcome[];
}

/**
 * Whether an error stops a run that then still reports (exit 1, 3, 4 or 130): a refused token,
 * the API or the journal failing. Usage errors (exit 2) are not runs: `main` reports them.
 */
export function isRunFailure(error: unknown): error is FedmigrateError {
  return error instanceof FedmigrateError && exitCodeFor(error.code) !== ExitCode.INVALID;
}

/** The reason given to every entry a run-level failure kept from being attempted. */
export function notAttemptedReason(error: FedmigrateError): string {
  return `not attempted: the run stopped first (${error.code}: ${error.message})`;
}

/**
 * The report of a run stopped by `error` before it had outcomes: the same shape as any other,
 * `success: false`, the error, and `items` (the entries, not attempted).
 */
export function failedRunReport(input: {
  command: string;
  domain: string;
  manifestsHash: string | null;
  runId: string | null;
  started: Date;
  error: FedmigrateError;
  items: ItemOutcome[];
  ended?: Date;
}): RunReport {
  const ended = input.ended ?? new Date();
  return {
    reportVersion: 1,
    success: false,
    command: input.command,
    dryRun: false,
    runId: input.runId,
    domain: input.domain,
    startedAt: input.started.toISOString(),
    endedAt: ended.toISOString(),
    durationMs: ended.getTime() - input.started.getTime(),
    manifestsHash: input.manifestsHash,
    journalHead: null,
    stopReason: null,
    exitCode: exitCodeFor(input.error.code),
    error: runErrorOf(input.error),
    counts: countOutcomes(input.items),
    items: input.items,
  };
}

function runErrorOf(error: FedmigrateError): RunError {
  return { code: error.code, message: error.message, hint: error.hint ?? null };
}

/**
 * Everything around a run that is not the run: the journal and its lock, the run row, the
 * heartbeat, signals, progress. The body does the work; this makes sure that whatever happens
 * the run is recorded, the lock released, the exit code right, and a report returned: a run-level
 * failure (the journal, the token, the API) gives a report too, with `error` set and every entry
 * not attempted marked so. Only usage errors and bugs are thrown.
 */
export async function withRunLifecycle(
  input: RunLifecycleInput,
  ports: RunLifecyclePorts,
): Promise<RunReport> {
  const { logger } = ports;
  const now = ports.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const failedBeforeStart = (error: unknown): RunReport => {
    if (!isRunFailure(error)) throw error;
    return failedRunReport({
      command: input.command,
      domain: input.domainKey,
      manifestsHash: input.manifestsHash,
      runId: null,
      started,
      error,
      items: input.notAttempted(notAttemptedReason(error), undefined),
    });
  };
  const [{ openJournal }, { journalAuditError }] = await Promise.all([
    import("../journal/open-journal.js"),
    import("../journal/audit-journal.js"),
  ]);
  let journal: Journal;
  try {
    journal = openJournal(input.journalPath);
  } catch (error) {
    return failedBeforeStart(error);
  }
  // A journal rewritten behind fedmigrate's back is not acted on: no lock, no run row, no request.
  let broken: FedmigrateError | undefined;
  try {
    broken = journalAuditError(input.journalPath, journal.auditBeforeRun(started.toISOString()));
  } catch (error) {
    journal.close();
    return failedBeforeStart(error);
  }
  if (broken) {
    journal.close();
    return failedBeforeStart(broken);
  }
  const { meta } = ports;
  let lockHeld = false;
  try {
    const { takenOverFrom, takeoverReason, crashedRuns } = journal.acquireLock({
      runId,
      pid: meta.pid,
      host: meta.host,
      startedAt: started.toISOString(),
      heartbeatAt: started.toISOString(),
    });
    lockHeld = true;
    if (takenOverFrom) {
      logger.warn(
        { event: "lock.takeover", previous: takenOverFrom, reason: takeoverReason, crashedRuns },
        `took over the journal lock of run ${takenOverFrom.runId} (pid ${takenOverFrom.pid} on ${takenOverFrom.host}), which is no longer running`,
      );
    }
    journal.startRun({
      id: runId,
      command: input.command,
      domain: input.domainKey,
      manifestsHash: input.manifestsHash,
      user: meta.user,
      host: meta.host,
      pid: meta.pid,
      ciJobUrl: meta.ciJobUrl,
      startedAt: started.toISOString(),
      options: JSON.stringify(input.options),
    });
  } catch (error) {
    try {
      if (lockHeld) journal.releaseLock(runId);
    } catch {
      // The error that stopped the start is the one to report; a lock left behind is taken over.
    }
    journal.close();
    return failedBeforeStart(error);
  }
  logger.info(
    { event: "run.start", run: runId, command: input.command, domain: input.domainKey },
    "run started",
  );

  const stop = new StopController();
  const heartbeat = setInterval(() => {
    try {
      if (!journal.heartbeat(runId)) {
        // Another run judged us dead and took the journal over: two runs must never write at once.
        logger.error(
          { event: "lock.lost", run: runId },
          "another run took over the journal lock; starting nothing new",
        );
        stop.stop("journal");
      }
    } catch (error) {
      logger.warn({ event: "lock.heartbeat.failed", err: error }, "could not refresh the journal lock");
    }
  }, 15_000);
  heartbeat.unref();

  const uninstall = ports.interrupts?.(stop, logger);

  let progress: Progress = noProgress;
  let outcomes: ItemOutcome[] = [];
  let failure: unknown;
  try {
    const result = await input.body({
      journal,
      runId,
      stop,
      startProgress: (total, label) => {
        if (ports.progress && total > 0) progress = ports.progress(total, label);
      },
      onEvent: (event) => {
        if (event.type !== "item-done") return;
        const done = event.outcome;
        progress.itemDone(done.outcome);
        // A failed entry is an error (alerts on level error fire); entries not started are
        // counted in the summary, not logged one by one.
        if (isFailureOutcome(done.outcome) && done.outcome !== "not-started") {
          logger.error(
            {
              event: "item.failed",
              run: runId,
              datasource: done.datasource,
              outcome: done.outcome,
              toe: done.toe,
              errorMessage: done.errorMessage,
            },
            `${done.datasource}: ${done.reason}`,
          );
        }
      },
    });
    outcomes = result.outcomes;
    failure = result.fatal;
  } catch (error) {
    failure = error;
  } finally {
    progress.stop();
    clearInterval(heartbeat);
    uninstall?.();
  }

  // A run stopped before it had outcomes (the plan's reads failed) still reports every entry,
  // listed while the journal is open (rollback lists its scope from it).
  if (outcomes.length === 0 && isRunFailure(failure)) {
    try {
      outcomes = input.notAttempted(notAttemptedReason(failure), journal);
    } catch (error) {
      logger.warn(
        { event: "run.entries.unlisted", error: (error as Error).message },
        "could not list the run's entries",
      );
    }
  }

  const ended = now();
  const anyFailed = outcomes.some((o) => isFailureOutcome(o.outcome));
  const exitOf = (): number => {
    if (failure instanceof FedmigrateError) return exitCodeFor(failure.code);
    if (stop.reason === "interrupted") return ExitCode.INTERRUPTED;
    if (stop.reason === "auth") return ExitCode.AUTH;
    return anyFailed || stop.reason ? ExitCode.ITEMS_FAILED : ExitCode.OK;
  };
  const status = failure
    ? "FAILED"
    : stop.reason === "interrupted"
      ? "INTERRUPTED"
      : exitOf() === ExitCode.OK
        ? "SUCCEEDED"
        : "FAILED";
  let journalHead: ChainHead | null = null;
  // The end of the run is recorded, and the lock released, even when the journal is what failed:
  // each step on its own, and a failure here never hides the one that stopped the run.
  for (const [step, act] of [
    ["finish", () => journal.finishRun(runId, status, ended.toISOString())],
    // The head after the run's own row: a copy of the journal is checked against it later.
    ["read the chain head of", () => (journalHead = journal.chainHead())],
    ["unlock", () => journal.releaseLock(runId)],
    ["close", () => journal.close()],
  ] as const) {
    try {
      act();
    } catch (error) {
      // The message only: a stack on stderr reads as a crash, and this is an operator's problem.
      logger.error(
        { event: `run.${step}.failed`, run: runId, error: (error as Error).message },
        `could not ${step} the run`,
      );
      failure ??= error;
    }
  }
  // A failed run is an error; an interrupted one is what the operator asked for.
  logger[status === "FAILED" ? "error" : "info"](
    { event: "run.end", run: runId, status, counts: countOutcomes(outcomes) },
    status === "FAILED" ? "run failed" : "run ended",
  );
  if (failure !== undefined && !isRunFailure(failure)) throw failure;

  const exitCode = exitOf();
  return {
    reportVersion: 1,
    success: exitCode === ExitCode.OK,
    command: input.command,
    dryRun: false,
    runId,
    domain: input.domainKey,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durationMs: ended.getTime() - started.getTime(),
    manifestsHash: input.manifestsHash,
    journalHead,
    stopReason: stop.reason ?? null,
    exitCode,
    error: isRunFailure(failure) ? runErrorOf(failure) : stopError(stop.reason, outcomes),
    counts: countOutcomes(outcomes),
    items: outcomes,
  };
}

/** The run-level error of a run that stopped starting new entries without a thrown failure. */
function stopError(reason: StopReason | undefined, outcomes: readonly ItemOutcome[]): RunError | null {
  // What stopped the run: the refused request (401/403), else the first failed one with a message.
  const failed = outcomes.filter((o) => o.outcome === "failed" && o.errorMessage);
  const cause = (
    failed.find((o) => reason === "auth" && (o.httpStatus === 401 || o.httpStatus === 403)) ?? failed[0]
  )?.errorMessage;
  switch (reason) {
    case "interrupted":
      return {
        code: "INTERRUPTED",
        message: "interrupted: nothing new was started; the requests in flight finished and were recorded",
        hint: "Run the same command again to continue where it stopped.",
      };
    case "auth":
      return {
        code: "AUTH",
        message: `Domo refused the token: no new requests were sent${cause ? ` (${cause})` : ""}`,
        hint: "Check DOMO_DEVELOPER_TOKEN or --token-file, then run the same command again.",
      };
    case "setup":
      return {
        code: "SETUP",
        message: `the API cannot be reached as configured: no new requests were sent${cause ? ` (${cause})` : ""}`,
        hint: "Run 'fedmigrate doctor' to see what is wrong.",
      };
    case "journal":
      return {
        code: "JOURNAL",
        message: "another run took over the journal lock: nothing new was started",
        hint: "Make sure only one fedmigrate runs on a journal at a time.",
      };
    default:
      return null;
  }
}
