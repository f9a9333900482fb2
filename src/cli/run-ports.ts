import type { Logger } from "pino";
import type { ApiRuntime } from "../domo/api-runtime.js";
import { ExitCode } from "../exit-codes.js";
import { createProgressBar } from "../report/progress-bar.js";
import type { RunLifecyclePorts } from "../run/run-lifecycle.js";
import { runMetadata } from "../run/run-metadata.js";
import type { StopController } from "../run/stop-controller.js";
import type { CliIo } from "./context.js";
import { stderrOutput } from "./say-on-stderr.js";

/**
 * The CLI's side of a run: who runs it, Ctrl-C through `io` (the first starts nothing new, the
 * second leaves at once), and the progress bar on a terminal, counting the runtime's retries.
 */
export function cliRunPorts(
  io: CliIo,
  logger: Logger,
  runtime: Pick<ApiRuntime, "retries">,
  json: boolean | undefined,
): RunLifecyclePorts {
  const showProgress = Boolean(io.stderr.isTTY) && !json && io.env.CI !== "true";
  return {
    logger,
    meta: runMetadata(io.env),
    interrupts: (stop) => watchInterrupts(io, logger, stop),
    progress: showProgress
      ? (total, label) => {
          const bar = createProgressBar(stderrOutput(io), total, label);
          runtime.retries.listener = () => bar.retried();
          return {
            itemDone: (outcome) => bar.itemDone(outcome),
            retried: () => bar.retried(),
            stop: () => {
              runtime.retries.listener = undefined;
              bar.stop();
            },
          };
        }
      : undefined,
  };
}

function watchInterrupts(io: CliIo, logger: Logger, stop: StopController): () => void {
  let signals = 0;
  return (
    io.onSignal?.((signal) => {
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
      io.exit?.(ExitCode.INTERRUPTED);
    }) ?? (() => {})
  );
}
