import pc from "picocolors";
import type { TableLayout } from "./table-layout.js";
import { cellText, displayWidth, truncate, wrapWords } from "./terminal-text.js";

export type { TableLayout } from "./table-layout.js";
export { fitText } from "./terminal-text.js";

/** A column of a table. */
export interface Column {
  header: string;
  /**
   * When the table is too wide, columns with a `shrink` rank give way, lowest rank first: cut
   * with an ellipsis down to `min`, then left out. A column without one is never cut (ids,
   * targets, states, toes).
   */
  shrink?: number;
  /** The narrowest a shrinking column is drawn before it is left out (default: its header, at least 6). */
  min?: number;
  /**
   * Too long to sit in a row on a terminal (an error, a reason): drawn whole beneath its row,
   * indented, when the row does not fit with it; off a terminal it is a column like any other.
   */
  detail?: boolean;
  /** Beneath its row, the cell is said as `label value` (`account 12`, `toe DM4X…`). */
  label?: string;
  /** Colour for a cell's text on a terminal (states, outcomes). */
  colour?: (text: string, colours: Colours) => string;
  align?: "left" | "right";
}

/** picocolors' functions, on or off. */
export type Colours = ReturnType<typeof pc.createColors>;

const GAP = "  ";
const INDENT = "    ";

/** The text of a table: aligned columns, no box drawing, as `kubectl get` and `gh` print them. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly string[][],
  layout: TableLayout,
): string {
  return [...renderTableChunks(columns, rows, layout)].join("");
}

/** Rows per piece of `renderTableChunks`. */
const CHUNK_ROWS = 1000;

/**
 * `renderTable`'s text in pieces of about a thousand rows, to write as they come: a 50,000-row
 * table is tens of MB as one string. Time and memory are linear in the rows.
 */
export function* renderTableChunks(
  columns: readonly Column[],
  rows: readonly string[][],
  layout: TableLayout,
): Generator<string> {
  const cells = rows.map((row) => columns.map((_, x) => cellText(row[x])));
  const natural = columns.map((column, x) =>
    cells.reduce((max, row) => Math.max(max, displayWidth(row[x] as string)), displayWidth(column.header)),
  );
  const { widths, below, spill } = fitColumns(columns, natural, layout.width);
  /** Whether a cell goes beneath its row: its column does, or it is wider than its spilling column. */
  const beneath = (row: readonly string[], x: number): boolean =>
    below.has(x) || (spill.has(x) && displayWidth(row[x] as string) > (widths[x] as number));
  const colours = pc.createColors(layout.colour);
  const shown = columns.map((_, x) => x).filter((x) => (widths[x] as number) > 0 && !below.has(x));
  const last = shown[shown.length - 1];

  const line = (row: readonly string[], header: boolean): string =>
    shown
      .map((x) => {
        const column = columns[x] as Column;
        const width = widths[x] as number;
        // A never-cut cell too wide for its column is said whole beneath the row; ↓ marks the place.
        const text = !header && beneath(row, x) ? "↓" : truncate(row[x] as string, width);
        const pad = " ".repeat(Math.max(0, width - displayWidth(text)));
        const coloured = !header && column.colour && text !== "" ? column.colour(text, colours) : text;
        if (column.align === "right") return pad + coloured;
        return x === last ? coloured : coloured + pad;
      })
      .join(GAP)
      .trimEnd();

  let out: string[] = [
    line(
      columns.map((c) => c.header),
      true,
    ),
    "\n",
  ];
  for (let y = 0; y < cells.length; y++) {
    const row = cells[y] as string[];
    out.push(line(row, false), "\n");
    if (below.size > 0 || spill.size > 0) {
      const detail = columns
        .map((_, x) => x)
        .filter((x) => beneath(row, x) && row[x] !== "")
        .map((x) => (columns[x]?.label ? `${columns[x]?.label} ${row[x]}` : (row[x] as string)))
        .join("; ");
      const room = Math.max(20, (layout.width ?? 80) - INDENT.length);
      for (const part of detail === "" ? [] : wrapWords(detail, room))
        out.push(INDENT, colours.dim(part), "\n");
    }
    if (y % CHUNK_ROWS === CHUNK_ROWS - 1) {
      yield out.join("");
      out = [];
    }
  }
  yield out.join("");
}

/**
 * The width of each column (0: left out), the detail columns drawn beneath their rows, and the
 * never-cut columns whose wider cells go beneath (`spill`), for a
 * terminal `width` columns wide: detail columns go beneath first, then shrinking columns give way
 * by rank. Columns that never shrink are never cut, even when they alone are wider.
 */
export function fitColumns(
  columns: readonly Column[],
  natural: readonly number[],
  width: number | undefined,
): { widths: number[]; below: Set<number>; spill: Set<number> } {
  const widths = [...natural];
  const below = new Set<number>();
  const spill = new Set<number>();
  if (width === undefined) return { widths, below, spill };
  const total = () => {
    const shown = widths.filter((w, x) => w > 0 && !below.has(x));
    return shown.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, shown.length - 1);
  };
  if (total() <= width) return { widths, below, spill };
  columns.forEach((column, x) => {
    if (column.detail) below.add(x);
  });
  const ranked = columns
    .map((column, x) => ({ column, x }))
    .filter(({ column, x }) => column.shrink !== undefined && !below.has(x))
    .sort((a, b) => (a.column.shrink as number) - (b.column.shrink as number));
  for (const { column, x } of ranked) {
    const over = total() - width;
    if (over <= 0) break;
    const min = column.min ?? Math.max(6, column.header.length);
    const current = widths[x] as number;
    if (current - over >= min) widths[x] = current - over;
    else widths[x] = 0;
  }
  // Columns that are never cut and still do not fit, from the right (the first column stays: it
  // says what the row is): narrowed to the room left, their wider cells said whole beneath the
  // row; with too little room, the whole column goes beneath.
  let moved = false;
  for (let x = columns.length - 1; x > 0 && total() > width; x--) {
    if ((widths[x] as number) > 0 && !below.has(x) && columns[x]?.shrink === undefined) {
      const room = (widths[x] as number) - (total() - width);
      if (room >= Math.max(12, displayWidth(columns[x]?.header ?? ""))) {
        widths[x] = room;
        spill.add(x);
      } else {
        below.add(x);
      }
      moved = true;
    }
  }
  // A column left out that would now fit at its smallest comes back, narrowed to the room left;
  // not in the room of a column that had to go beneath (names give way first).
  for (const { column, x } of moved ? [] : [...ranked].reverse()) {
    if (widths[x] !== 0) continue;
    const min = column.min ?? Math.max(6, column.header.length);
    const room = width - total() - GAP.length;
    if (room >= min) widths[x] = Math.min(natural[x] as number, room);
  }
  return { widths, below, spill };
}
