import type { Logger } from "pino";
import type { Journal } from "../journal/open-journal.js";
import { createProgressBar, noProgress, type Progress } from "../report/progress-bar.js";
import { countOutcomes, isFailureOutcome, type RunReport } from "../report/run-report.js";
import type { ExecuteResult } from "../run/execute-items.js";
import { StopController } from "../run/stop-controller.js";
import type { ExecutorEvent, ItemOutcome } from "../run/types.js";
import type { CliIo } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { newRunId, runMetadata } from "./run-metadata.js";

export interface RunBodyContext {
  journal: Journal;
  runId: string;
  stop: StopController;
  /** Size the progress display once the work is known. */
  startProgress: (total: number, label: string) => void;
  onEvent: (event: ExecutorEvent) => void;
}

export interface RunLifecycleInput {
  command: "migrate" | "rollback";
  io: CliIo;
  logger: Logger;
  journalPath: string;
  domainKey: string;
  manifestsHash: string | null;
  options: Record<string, unknown>;
  json: boolean;
  body: (ctx: RunBodyContext) => Promise<{ outcomes: ItemOutcome[]; fatal: ExecuteResult["fatal"] }>;
}

/**
 * Everything around a run that is not the run: the journal and its lock, the run row, the
 * heartbeat, signals, progress. The body does the work; this makes sure that whatever happens
 * the run is recorded, the lock released and the exit code right.
 */
export async function withRunLifecycle(input: RunLifecycleInput): Promise<RunReport> {
  const { io, logger } = input;
  const { openJournal } = await import("../journal/open-journal.js");
  const journal = openJournal(input.journalPath);
  const started = new Date();
  const runId = newRunId(started);
  const meta = runMetadata(io.env);
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
    if (lockHeld) journal.releaseLock(runId);
    journal.close();
    throw error;
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

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      logger.warn(
        { event: "run.interrupt", signal },
        `${signal}: starting nothing new; waiting for requests in flight (send it again to exit at once)`,
      );
      stop.stop("interrupted");
      return;
    }
    // The second signal: leave at once; in-flight rows are resolved by the next run.
    logger.error(
      { event: "run.abort", signal },
      "exiting at once; the next run resolves requests left in flight",
    );
    process.exit(ExitCode.INTERRUPTED);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const showProgress = Boolean(io.stderr.isTTY) && !input.json && io.env.CI !== "true";
  let progress: Progress = noProgress;
  let outcomes: ItemOutcome[] = [];
  let failure: unknown;
  try {
    const result = await input.body({
      journal,
      runId,
      stop,
      startProgress: (total, label) => {
        if (showProgress && total > 0) progress = createProgressBar(io.stderr, total, label);
      },
      onEvent: (event) => {
        if (event.type === "item-done") progress.itemDone(event.outcome.outcome);
      },
    });
    outcomes = result.outcomes;
    failure = result.fatal;
  } catch (error) {
    failure = error;
  } finally {
    progress.stop();
    clearInterval(heartbeat);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  const ended = new Date();
  const counts = countOutcomes(outcomes);
  const anyFailed = outcomes.some((o) => isFailureOutcome(o.outcome));
  const exitCode =
    stop.reason === "interrupted"
      ? ExitCode.INTERRUPTED
      : stop.reason === "auth"
        ? ExitCode.AUTH
        : anyFailed || stop.reason
          ? ExitCode.ITEMS_FAILED
          : ExitCode.OK;
  const status = failure
    ? "FAILED"
    : stop.reason === "interrupted"
      ? "INTERRUPTED"
      : exitCode === ExitCode.OK
        ? "SUCCEEDED"
        : "FAILED";
  try {
    journal.finishRun(runId, status, ended.toISOString());
    journal.releaseLock(runId);
  } finally {
    journal.close();
  }
  logger.info({ event: "run.end", run: runId, status, counts }, "run ended");
  if (failure) throw failure;

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
    stopReason: stop.reason ?? null,
    exitCode,
    counts,
    items: outcomes,
  };
}
