import type { Outcome } from "../run/types.js";
import type { TerminalOutput } from "./terminal-output.js";

/** What a run needs of a progress display. */
export interface Progress {
  itemDone(outcome: Outcome): void;
  /** A request is retried after a transient failure. */
  retried(): void;
  /** Clears the bar (before the summary) and gives the cursor back. */
  stop(): void;
}

/** No display: off a terminal, with --json or in CI. */
export const noProgress: Progress = { itemDone() {}, retried() {}, stop() {} };

/** How long, in words: `45s`, `3m05s`, `1h02m`. */
function shortDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** The state a bar draws. */
export interface BarState {
  label: string;
  total: number;
  done: number;
  ok: number;
  failed: number;
  retried: number;
  elapsedMs: number;
}

/**
 * The bar's line, at most `columns - 1` wide (the last column would wrap on some terminals):
 * `migrate [#####.....] 12/36 ok 10 failed 2 retried 3 ~1m20s left`. The ETA shows only once
 * something has finished; the bar takes the room the words leave, and goes when there is none.
 */
export function barLine(state: BarState, columns: number): string {
  const { label, total, done, ok, failed, retried } = state;
  const words = [`${done}/${total}`, `ok ${ok}`];
  if (failed > 0) words.push(`failed ${failed}`);
  if (retried > 0) words.push(`retried ${retried}`);
  if (done > 0 && done < total)
    words.push(`~${shortDuration((state.elapsedMs / done) * (total - done))} left`);
  const text = words.join("  ");
  const room = columns - 1 - label.length - text.length - 4;
  if (room < 10) return `${label} ${text}`.slice(0, Math.max(0, columns - 1));
  const width = Math.min(room, 40);
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}`;
}

/** A bar on stderr (a terminal only: the caller decides), counting done entries, failures and retries. */
export function createProgressBar(
  out: TerminalOutput,
  total: number,
  label: string,
  now: () => number = Date.now,
): Progress {
  const started = now();
  const state: BarState = { label, total, done: 0, ok: 0, failed: 0, retried: 0, elapsedMs: 0 };
  const draw = () => barLine({ ...state, elapsedMs: now() - started }, out.columns);
  out.show(draw);
  // The ETA moves between entries too; unref'd, so it never holds the process open.
  const tick = setInterval(() => out.redraw(), 1000);
  tick.unref();
  return {
    itemDone(outcome) {
      if (outcome === "not-started") return;
      state.done += 1;
      if (outcome === "complete") state.ok += 1;
      else state.failed += 1;
      out.redraw();
    },
    retried() {
      state.retried += 1;
      out.redraw();
    },
    stop() {
      clearInterval(tick);
      out.hide();
    },
  };
}
