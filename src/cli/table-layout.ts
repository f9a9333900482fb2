import type { TableLayout } from "../report/render-table.js";
import type { CliIo } from "./context.js";

/**
 * How tables are drawn on this stdout: on a terminal, fitted to its width (unless `wide`) and
 * coloured (unless NO_COLOR, no-color.org, or TERM=dumb); off one, whole rows without colour.
 */
export function tableLayout(io: CliIo, wide = false): TableLayout {
  const tty = Boolean(io.stdout.isTTY);
  const noColour = (io.env.NO_COLOR ?? "") !== "" || io.env.TERM === "dumb";
  return {
    width: tty && !wide ? Math.max(40, io.stdout.columns ?? 80) : undefined,
    colour: tty && !noColour,
  };
}
