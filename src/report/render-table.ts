import Table, { type TableConstructorOptions } from "cli-table3";

/** A row of cells, as `cli-table3` takes them. */
export type TableRow = string[];

/** The options `renderTable` draws itself; any other option goes to cli-table3 as it is. */
type FastOptions = Pick<TableConstructorOptions, "head" | "colWidths" | "wordWrap" | "style">;

const FAST_KEYS: ReadonlySet<string> = new Set(["head", "colWidths", "wordWrap", "style"]);
/**
 * Line breaks and characters one column wide in cli-table3's measure (string-width 4) and in a
 * terminal: printable ASCII, accented Latin letters, dashes, quotes and ellipsis, and the four
 * plain arrows (a drift reason says `"A" → "B"`). Not the © ® ↔ kind, which it counts as emoji.
 */
const PLAIN = /^[\x20-\x7e\n\u00c0-\u00ff\u2010-\u2027\u2190-\u2193]*$/;
/** One word in one colour (picocolors: `ESC[36m` … `ESC[39m`), as in the action and outcome columns. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
const COLOURED_WORD = /^\x1b\[\d+m([\x21-\x7e]+)\x1b\[\d+m$/;
/** Rows per cli-table3 table on the slow path, whose layout is quadratic in the rows. */
const CHUNK_ROWS = 250;
/** Rows per piece of `renderTableChunks` on the fast path. */
const YIELD_ROWS = 1000;

/**
 * The text of `new Table(options)` holding `rows` (cli-table3), in time linear in the rows.
 * cli-table3 checks every cell against every earlier row for spans and re-measures each cell
 * with regular expressions: a 50,000-row plan or status took minutes. Tables of plain text
 * cells (see PLAIN), with the options fedmigrate uses (head, colWidths, wordWrap, uncoloured style), are
 * drawn here by the same rules (test/report/render-table.test.ts compares the two); anything
 * else (colours on a terminal, wide characters) goes to cli-table3 in chunks of rows, joined
 * seamlessly, with column widths measured over all of them.
 */
export function renderTable(options: TableConstructorOptions, rows: readonly TableRow[]): string {
  return [...renderTableChunks(options, rows)].join("");
}

/**
 * `renderTable`'s text in pieces of about a thousand rows, to write as they come: a 50,000-row
 * table is tens of MB as one string, and more again as the buffer written.
 */
export function renderTableChunks(
  options: TableConstructorOptions,
  rows: readonly TableRow[],
): Iterable<string> {
  return isFast(options, rows) ? drawPlain(options, rows) : drawInChunks(options, rows);
}

function isFast(options: TableConstructorOptions, rows: readonly TableRow[]): boolean {
  if (Object.keys(options).some((key) => !FAST_KEYS.has(key))) return false;
  const style = options.style ?? {};
  if (
    Object.keys(style).some((key) => key !== "head" && key !== "border") ||
    (style.head?.length ?? 1) > 0 ||
    (style.border?.length ?? 1) > 0
  ) {
    return false;
  }
  const head = options.head ?? [];
  const columns = head.length > 0 ? head.length : (rows[0]?.length ?? 0);
  if (columns === 0) return false;
  const widths = options.colWidths;
  if (widths !== undefined && widths.length > 0) {
    if (widths.length !== columns || widths.some((w) => typeof w !== "number" || !(w >= 3))) return false;
  }
  const cells = head.length > 0 ? [head, ...rows] : rows;
  const fixed = widths !== undefined && widths.length > 0;
  return cells.every(
    (row) =>
      row.length === columns &&
      row.every((cell, x) => {
        if (typeof cell !== "string") return false;
        if (PLAIN.test(cell)) return true;
        // A coloured word is drawn as is, so it must fit: cutting it would need the codes unwound.
        const word = COLOURED_WORD.exec(cell)?.[1];
        return word !== undefined && (!fixed || word.length <= (widths[x] as number) - 2);
      }),
  );
}

/** The columns a cell's text takes: its colour codes take none. */
function visibleLength(text: string): number {
  return COLOURED_WORD.exec(text)?.[1]?.length ?? text.length;
}

/** Draws as cli-table3 does with its default characters, padding 1 and top-left alignment. */
function* drawPlain(options: FastOptions, rows: readonly TableRow[]): Generator<string> {
  const head = options.head ?? [];
  const all = head.length > 0 ? [head as string[], ...rows] : rows;
  const columns = (all[0] as TableRow).length;
  const fixed = options.colWidths !== undefined && options.colWidths.length > 0;
  const widths: number[] = fixed
    ? (options.colWidths as number[])
    : Array.from({ length: columns }, (_, x) =>
        all.reduce((max, row) => Math.max(max, longestLine(row[x] as string) + 2), 1),
      );
  const wrap = fixed && options.wordWrap === true;
  const rule = (left: string, fill: string, middle: string, right: string) =>
    left + widths.map((w) => fill.repeat(w)).join(middle) + right;

  const blanks = widths.map((w) => " ".repeat(w));
  const separator = rule("├", "─", "┼", "┤");
  // Pieces joined once per chunk: no intermediate string per line.
  let out: string[] = [rule("┌", "─", "┬", "┐")];
  for (let y = 0; y < all.length; y++) {
    const row = all[y] as TableRow;
    if (y > 0) out.push("\n", separator);
    if (y % YIELD_ROWS === YIELD_ROWS - 1) {
      yield out.join("");
      out = [];
    }
    const lines = row.map((cell, x) =>
      wrap && !COLOURED_WORD.test(cell) ? wordWrap((widths[x] as number) - 2, cell) : cell.split("\n"),
    );
    const height = Math.max(1, ...lines.map((l) => l.length));
    for (let n = 0; n < height; n++) {
      out.push("\n│");
      lines.forEach((cellLines, x) => {
        const line = cellLines[n];
        out.push(
          line === undefined ? (blanks[x] as string) : ` ${padOrCut(line, (widths[x] as number) - 2)} `,
          "│",
        );
      });
    }
  }
  out.push("\n", rule("└", "─", "┴", "┘"));
  yield out.join("");
}

function longestLine(text: string): number {
  return text.split("\n").reduce((max, line) => Math.max(max, visibleLength(line)), 0);
}

/** cli-table3's truncate and pad for plain text: cut with an ellipsis, fill with spaces. */
function padOrCut(line: string, width: number): string {
  const length = visibleLength(line);
  if (length > width) return `${line.slice(0, Math.max(0, width - 1))}…`;
  return line + " ".repeat(width - length);
}

/**
 * cli-table3's word wrap (utils.wordWrap), quirks included: each source line is split into words
 * at whitespace; a word that does not fit starts a new line (and is cut when drawn); an empty
 * source line gives no line at all.
 */
function wordWrap(max: number, text: string): string[] {
  const out: string[] = [];
  for (const source of text.split("\n")) {
    const split = source.split(/(\s+)/g);
    let line: string[] = [];
    let length = 0;
    let space: string | undefined;
    for (let i = 0; i < split.length; i += 2) {
      const word = split[i] as string;
      let next = length + word.length;
      if (length > 0 && space) next += space.length;
      if (next > max) {
        if (length !== 0) out.push(line.join(""));
        line = [word];
        length = word.length;
      } else {
        line.push(space || "", word);
        length = next;
      }
      space = split[i + 1];
    }
    if (length) out.push(line.join(""));
  }
  return out;
}

/** Chunks of rows, each a cli-table3 table of its own, joined into the text of a single one. */
function* drawInChunks(options: TableConstructorOptions, rows: readonly TableRow[]): Generator<string> {
  if (rows.length <= CHUNK_ROWS) {
    yield tableOf(options, rows).toString();
    return;
  }
  const chunks: TableRow[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) chunks.push(rows.slice(i, i + CHUNK_ROWS));
  const given = options.colWidths ?? [];
  let widths = given;
  if (!given.every((w) => typeof w === "number") || given.length === 0) {
    // cli-table3 writes the widths it computes back into `options.colWidths`.
    const measured: number[] = [];
    chunks.forEach((chunk, index) => {
      const table = tableOf({ ...options, colWidths: [...given] }, chunk, index > 0);
      table.toString();
      table.options.colWidths.forEach((width, x) => {
        measured[x] = Math.max(measured[x] ?? 0, width ?? 0);
      });
    });
    widths = measured;
  }
  for (const [index, chunk] of chunks.entries()) {
    const chars =
      index > 0 ? { ...options.chars, "top-left": "├", "top-mid": "┼", "top-right": "┤" } : options.chars;
    const text = tableOf(
      { ...options, colWidths: [...widths], ...(chars ? { chars } : {}) },
      chunk,
      index > 0,
    ).toString();
    // Each chunk but the last loses its bottom edge; the next one's top edge is the separator.
    yield index < chunks.length - 1 ? `${text.slice(0, text.lastIndexOf("\n"))}\n` : text;
  }
}

function tableOf(options: TableConstructorOptions, rows: readonly TableRow[], headless = false) {
  const table = new Table(headless ? { ...options, head: [] } : options);
  table.push(...rows);
  return table;
}
