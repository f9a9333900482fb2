import cliProgress from "cli-progress";
import type { Outcome } from "../run/types.js";

/** What the executor needs of a progress display. */
export interface Progress {
  itemDone(outcome: Outcome): void;
  stop(): void;
}

/** A bar on stderr (a terminal only: the caller decides), counting done entries and failures. */
export function createProgressBar(stream: NodeJS.WritableStream, total: number, label: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} | ok {ok} | failed {failed} | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let ok = 0;
  let failed = 0;
  bar.start(total, 0, { ok, failed });
  return {
    itemDone(outcome) {
      if (outcome === "complete") ok += 1;
      else if (outcome !== "not-started") failed += 1;
      bar.increment(1, { ok, failed });
    },
    stop() {
      bar.stop();
    },
  };
}

/** No display: off a terminal, with --json or in CI. */
export const noProgress: Progress = { itemDone() {}, stop() {} };
