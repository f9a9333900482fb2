import pc from "picocolors";

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

/**
 * The one place where text becomes a cell: line breaks and tabs become spaces, other control
 * characters (escape sequences from a server, a manifest) are left out, so a cell is one line
 * that cannot move the cursor or change colours. Server text is cleaned where it enters too;
 * this is the renderer's own guarantee.
 */
export function cellText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return (
    String(value)
      .replace(/[\t\n\r\v\f]+/g, " ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
      .replace(/[\x00-\x1f\x7f-\x9f]/g, "")
  );
}

/**
 * The columns a string takes in a terminal: East Asian wide characters and most emoji take two,
 * combining marks and zero-width characters none.
 */
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (ZERO_WIDTH.test(char)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** `text` cut to at most `width` columns, with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = ZERO_WIDTH.test(char) ? 0 : isWide(char.codePointAt(0) as number) ? 2 : 1;
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** Words of `text` in lines of at most `width` columns (a longer word is a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  const words = text
    .split(" ")
    .filter((w) => w !== "")
    // A word wider than the line (a JSON field, a URL) is cut into pieces that fit.
    .flatMap((word) => (displayWidth(word) <= width ? [word] : pieces(word, width)));
  for (const word of words) {
    if (line === "") line = word;
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function pieces(word: string, width: number): string[] {
  const out: string[] = [];
  let piece = "";
  for (const char of word) {
    if (displayWidth(piece + char) > width) {
      out.push(piece);
      piece = "";
    }
    piece += char;
  }
  if (piece !== "") out.push(piece);
  return out;
}

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

/**
 * Prose (a summary, a "Next:" line) fitted to the layout's width: each line wrapped at spaces,
 * continuation lines indented; whole lines off a terminal.
 */
export function fitText(text: string, layout: TableLayout): string {
  if (layout.width === undefined) return text;
  const width = layout.width;
  return text
    .split("\n")
    .map((line) => {
      if (visibleWidth(line) <= width) return line;
      return wrapWords(line, width - 2)
        .map((part, i) => (i === 0 ? part : `  ${part}`))
        .join("\n");
    })
    .join("\n");
}

/** The width of text that may hold colour codes. */
function visibleWidth(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
  return displayWidth(text.replace(/\x1b\[[0-9;]*m/g, ""));
}
