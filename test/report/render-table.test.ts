import Table, { type TableConstructorOptions } from "cli-table3";
import pc from "picocolors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderTable, renderTableChunks, type TableRow } from "../../src/report/render-table.js";

/** What cli-table3 itself draws: the reference renderTable must match. */
function reference(options: TableConstructorOptions, rows: readonly TableRow[]): string {
  const table = new Table({
    ...options,
    ...(options.colWidths ? { colWidths: [...options.colWidths] } : {}),
  });
  table.push(...rows);
  return table.toString();
}

/** A small deterministic generator, so a failing case replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PIECES = [
  "a",
  "toe",
  "COMPLETE",
  "  ",
  " ",
  "\n",
  "",
  "x".repeat(45),
  "ANALYTICS.PUBLIC.ORDERS_0001",
  "-",
  "…",
  '"A" → "B"',
  "Café — “quoted”",
  "ÀÉÎõü",
];
/** Wider or narrower than they look, so renderTable must leave them to cli-table3. */
const ODD = ["データ", "©", "↔", "e\u0301", "\u00ad", "😀"];

/** Colours on, whatever the terminal: as on a terminal or with CI set. */
const colours = pc.createColors(true);
const COLOURED = [
  colours.cyan("migrate"),
  colours.dim("skip"),
  colours.yellow("held"),
  colours.red("blocked"),
  colours.red(""),
];

/** A random cell: coloured words, plain text, and (unless `plain`) characters of other widths. */
function cell(next: () => number, plain: boolean): string {
  if (next() < 0.15) return COLOURED[Math.floor(next() * COLOURED.length)] as string;
  const count = Math.floor(next() * 6);
  let text = "";
  for (let i = 0; i < count; i++) {
    const piece = PIECES[Math.floor(next() * PIECES.length)] as string;
    text += plain ? piece : (ODD[Math.floor(next() * ODD.length)] as string) + piece;
  }
  return text;
}

const STYLE = { head: [], border: [] };

describe("renderTable", () => {
  it.each(Array.from({ length: 200 }, (_, seed) => seed))(
    "draws random table %i exactly as cli-table3 does",
    (seed) => {
      const next = random(seed + 1);
      const columns = 1 + Math.floor(next() * 5);
      const rows = Array.from({ length: Math.floor(next() * 8) }, () =>
        Array.from({ length: columns }, () => cell(next, seed % 3 !== 0)),
      );
      const options: TableConstructorOptions = {
        style: STYLE,
        ...(next() < 0.7 ? { head: Array.from({ length: columns }, (_, i) => `column ${i}`) } : {}),
        ...(next() < 0.6
          ? { colWidths: Array.from({ length: columns }, () => 3 + Math.floor(next() * 30)) }
          : {}),
        ...(next() < 0.7 ? { wordWrap: true } : {}),
      };
      if (rows.length === 0 && !options.head) return;
      expect(renderTable(options, rows)).toBe(reference(options, rows));
    },
  );

  it.each([
    ["fixed widths, wrapped", { head: ["action", "reason"], colWidths: [9, 20], wordWrap: true }],
    ["computed widths", { head: ["datasource", "state"], wordWrap: true }],
    ["no head", {}],
  ])("joins 1,000 rows into the text of one table (%s)", (_label, extra) => {
    const rows = Array.from({ length: 1000 }, (_, i) => [
      `ds-${i}`,
      i % 7 === 0 ? "migrated outside this journal, by someone else" : "never attempted",
    ]);
    const options: TableConstructorOptions = { style: STYLE, ...extra };
    expect(renderTable(options, rows)).toBe(reference(options, rows));
  });

  it("draws a coloured action column like cli-table3, fast", () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [
      i % 2 ? colours.cyan("migrate") : colours.dim("skip"),
      `ds-${i}`,
      "never attempted: it is migrated",
    ]);
    const options: TableConstructorOptions = {
      head: ["action", "datasource", "reason"],
      style: STYLE,
      wordWrap: true,
      colWidths: [9, 12, 20],
    };
    expect(renderTable(options, rows)).toBe(reference(options, rows));
  });

  it("joins chunks of cli-table3 tables seamlessly when cells are not plain ASCII", () => {
    const rows = Array.from({ length: 600 }, (_, i) => [`\u001b[36mmigrate\u001b[39m`, `データ ${i}`, "ok"]);
    const options: TableConstructorOptions = { head: ["action", "name", "state"], style: STYLE };
    expect(renderTable(options, rows)).toBe(reference(options, rows));
  });

  it.each([
    ["plain", (i: number) => `ds-${i}`],
    ["not plain ASCII", (i: number) => `データ ${i}`],
  ])("gives the same text in pieces, to write as they come (%s)", (_label, name) => {
    const rows = Array.from({ length: 2500 }, (_, i) => [name(i), "never attempted"]);
    const options: TableConstructorOptions = { head: ["name", "reason"], style: STYLE };
    const pieces = [...renderTableChunks(options, rows)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(reference(options, rows));
  });

  describe("which tables it draws itself", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it.each<[string, TableRow, boolean]>([
      ["plain ASCII", ["ds-1", "never attempted"], true],
      ["a drift reason", ["ds-1", 'catalog "A" → "B"; …'], true],
      ["a coloured action", [colours.cyan("migrate"), "ok"], true],
      ["wide characters", ["データ", "ok"], false],
      ["an emoji-like ©", ["© 2024", "ok"], false],
    ])("%s: itself %s", (_label, row, itself) => {
      const drawn = vi.spyOn(Table.prototype, "toString");
      const options: TableConstructorOptions = { head: ["a", "b"], style: STYLE, wordWrap: true };
      renderTable(options, [row, row]);
      expect(drawn).toHaveBeenCalledTimes(itself ? 0 : 1);
    });
  });

  it("draws 50,000 rows without cli-table3's quadratic layout", () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => [`ds-${i}`, "migrate", "never attempted"]);
    const text = renderTable(
      { head: ["datasource", "action", "reason"], style: STYLE, wordWrap: true },
      rows,
    );
    expect(text.split("\n")).toHaveLength(2 * 50_001 + 1);
  });
});

/** The text without colour codes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC.
const stripColours = (text: string) => text.replace(/\x1b\[\d+m/g, "");

/** Terminal columns of a character, for the characters these tests use. */
function columnsOf(char: string): number {
  if (/\p{Mn}/u.test(char)) return 0;
  if (/[\u3000-\u9fff\uff00-\uffef]|\p{Extended_Pictographic}/u.test(char)) return 2;
  return 1;
}

/** Each line's width and where its column rules stand, in terminal columns. */
function layout(text: string): { width: number; rules: string }[] {
  return stripColours(text)
    .split("\n")
    .map((line) => {
      let column = 0;
      const rules: number[] = [];
      for (const char of line) {
        if ("│┼┬┴├┤┌┐└┘".includes(char)) rules.push(column);
        column += columnsOf(char);
      }
      return { width: column, rules: rules.join(",") };
    });
}

describe("renderTable's layout", () => {
  it.each<[string, TableConstructorOptions, TableRow[]]>([
    [
      "plain cells, computed widths",
      { head: ["id", "state"] },
      [
        ["ds-1", "COMPLETE"],
        ["a-much-longer-id", "-"],
      ],
    ],
    [
      "cut and wrapped cells, fixed widths",
      { head: ["action", "reason"], colWidths: [9, 14], wordWrap: true },
      [
        ["migrate", "never attempted before, so it is migrated now"],
        ["a-word-longer-than-its-column", "x".repeat(40)],
      ],
    ],
    [
      "coloured words",
      { head: ["outcome", "n"] },
      [
        [colours.green("complete"), "3"],
        [colours.red("failed"), "12"],
      ],
    ],
    [
      "wide characters (CJK, emoji) and combining marks",
      { head: ["name", "state"] },
      [
        ["データ", "ok"],
        ["😀 sales", "COMPLETE"],
        ["Cafe\u0301", "-"],
      ],
    ],
    ["line breaks in a cell", { head: ["a", "b"] }, [["one\ntwo\nthree", "x"]]],
  ])("lines up every row and rule: %s", (_label, extra, rows) => {
    const lines = layout(renderTable({ style: STYLE, ...extra }, rows));
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line).toEqual(lines[0]);
  });

  it.each<[string, TableConstructorOptions, TableRow[]]>([
    ["a head and no rows", { head: ["datasource", "state"] }, []],
    ["a head, fixed widths and no rows", { head: ["a", "b"], colWidths: [5, 8], wordWrap: true }, []],
    ["no head and no rows", {}, []],
    ["empty cells", { head: ["a", "b"] }, [["", ""]]],
  ])("draws an empty table as cli-table3 does: %s", (_label, extra, rows) => {
    const options: TableConstructorOptions = { style: STYLE, ...extra };
    expect(renderTable(options, rows)).toBe(reference(options, rows));
    expect([...renderTableChunks(options, rows)].join("")).toBe(reference(options, rows));
  });

  it("draws a head-only table as a box holding the head", () => {
    expect(renderTable({ head: ["a", "b"], style: STYLE }, [])).toBe(
      ["┌───┬───┐", "│ a │ b │", "└───┴───┘"].join("\n"),
    );
  });

  it.each<[string, TableRow[]]>([
    ["plain words", [["migrate", "ds-1", "never attempted"]]],
    [
      "words cut to fit",
      [["blocked", "a-very-long-datasource-id", "the account is not known to the server"]],
    ],
    ["wide characters", [["held", "データ", 'drift: "A" → "B"']]],
  ])("lays a table out the same with colours (a terminal) as without (NO_COLOR): %s", (_label, rows) => {
    // picocolors reads NO_COLOR once, at import: these are the two palettes it can give.
    const palettes = [pc.createColors(true), pc.createColors(false)];
    const [coloured, plain] = palettes.map((p) =>
      renderTable(
        { head: ["action", "datasource", "reason"], style: STYLE, wordWrap: true, colWidths: [9, 14, 22] },
        rows.map(([action, ...rest]) => [p.cyan(action as string), ...rest]),
      ),
    );
    expect(coloured).toContain("\u001b[36m");
    expect(plain).not.toContain("\u001b[");
    expect(stripColours(coloured as string)).toBe(plain);
  });
});
