/**
 * How a table is laid out: fitted to a terminal's width (with colour), or whole (off a terminal,
 * `--wide`): one row per line, nothing cut.
 */
export interface TableLayout {
  /** The terminal's columns; undefined: no fitting, every cell whole (off a terminal, `--wide`). */
  width?: number | undefined;
  /** Colour codes for states and outcomes (a terminal without NO_COLOR). */
  colour: boolean;
}

/** Off a terminal: whole rows, no colour. */
export const PLAIN_LAYOUT: TableLayout = { colour: false };
