import { describe, expect, it } from "vitest";
import { type Column, fitColumns, renderTable, renderTableChunks } from "../../src/report/render-table.js";
import { PLAIN_LAYOUT } from "../../src/report/table-layout.js";
import { cellText, displayWidth, fitText, truncate } from "../../src/report/terminal-text.js";

const COLUMNS: Column[] = [
  { header: "ACTION" },
  { header: "DATASOURCE" },
  { header: "TARGET", label: "target" },
  { header: "NAME", shrink: 1 },
  { header: "ACCOUNT", detail: true, label: "account" },
  { header: "REASON", detail: true },
];

const ID = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";
const ROW = [
  "migrate",
  ID,
  "ANALYTICS.PUBLIC.CUSTOMER_ORDERS",
  "Customer orders of every region",
  "12",
  "never attempted",
];

/** Characters per line, as a terminal counts them. */
function widths(text: string): number[] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => displayWidth(line));
}

describe("renderTable", () => {
  it("draws plain aligned columns, no box drawing, one row per line off a terminal", () => {
    const text = renderTable(COLUMNS, [ROW, ["skip", "b", "C.D.E", "", "7", "done"]], PLAIN_LAYOUT);
    expect(text).not.toMatch(/[│┌─]/);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ACTION {3}DATASOURCE {28}TARGET {28}NAME {29}ACCOUNT {2}REASON$/);
    expect(lines[1]).toBe(
      `migrate  ${ID}  ANALYTICS.PUBLIC.CUSTOMER_ORDERS  Customer orders of every region  12       never attempted`,
    );
    // Every column starts at the same place on every line.
    expect(lines[2]?.indexOf("C.D.E")).toBe(lines[1]?.indexOf("ANALYTICS"));
  });

  it("at 80 columns keeps ids and targets whole, lets the name give way, puts details beneath", () => {
    const text = renderTable(COLUMNS, [ROW], { width: 80, colour: false });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(80);
    expect(text).toContain(ID);
    expect(text).toContain("ANALYTICS.PUBLIC.CUSTOMER_ORDERS");
    expect(text).not.toContain("Customer orders of every region");
    expect(text).toContain("    account 12; never attempted\n");
  });

  it("says a target too wide for its row beneath it, whole, and keeps the others in the row", () => {
    const short = ["migrate", "ds-short-0000-0000-0000-000000000000", "A.B.ORDERS", "n", "12", "new"];
    const long = [...short];
    long[1] = ID;
    long[2] = "ANALYTICS.PUBLIC.CUSTOMER_ORDERS_OF_EVERY_REGION";
    const text = renderTable(COLUMNS, [short, long], { width: 80, colour: false });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(80);
    expect(text).toContain("ds-short-0000-0000-0000-000000000000  A.B.ORDERS\n");
    expect(text).toContain(
      `${ID}  ↓\n    target ANALYTICS.PUBLIC.CUSTOMER_ORDERS_OF_EVERY_REGION; account 12; new\n`,
    );
  });

  it("shortens a name with an ellipsis when there is some room for it", () => {
    const text = renderTable(COLUMNS, [ROW], { width: 100, colour: false });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(100);
    expect(text).toContain("Customer orders of…");
  });

  it("keeps detail columns in the row when everything fits", () => {
    const text = renderTable(COLUMNS, [ROW], { width: 200, colour: false });
    expect(text.trimEnd().split("\n")).toHaveLength(2);
    expect(text).toContain("never attempted");
  });

  it("colours cells only with colour on, and pads by the visible width", () => {
    const columns: Column[] = [{ header: "STATE", colour: (t, c) => c.red(t) }, { header: "X" }];
    const coloured = renderTable(
      columns,
      [
        ["ABORTED", "x"],
        ["COMPLETE", "y"],
      ],
      { width: 80, colour: true },
    );
    expect(coloured).toContain("\x1b[31mABORTED\x1b[39m   x");
    expect(renderTable(columns, [["ABORTED", "x"]], PLAIN_LAYOUT)).not.toContain("\x1b");
  });

  it("makes every cell one safe line: control characters and escape sequences never reach the terminal", () => {
    expect(cellText("a\nb\tc\r\nd")).toBe("a b c d");
    // Shown as text (terminalSafe), never sent: `\x1b[2J` would clear the screen.
    expect(cellText("\x1b[2Jred\x07")).toBe("\\x1b[2Jred\\x07");
    expect(cellText(null)).toBe("");
    const text = renderTable([{ header: "E" }], [["boom\n\x1b]0;title\x07"]], PLAIN_LAYOUT);
    expect(text).not.toContain("\x1b");
    expect(text.trimEnd().split("\n")).toHaveLength(2);
  });

  it("measures wide characters as two columns and cuts them whole", () => {
    expect(displayWidth("データ")).toBe(6);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(truncate("データベース", 5)).toBe("デー…");
    expect(displayWidth(truncate("データベース", 5))).toBeLessThanOrEqual(5);
  });

  it("yields about a thousand rows per piece, linear in the rows", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ["skip", `ds-${i}`, "A.B.C", "", "1", "done"]);
    const pieces = [...renderTableChunks(COLUMNS, rows, PLAIN_LAYOUT)];
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    expect(pieces.join("").trimEnd().split("\n")).toHaveLength(5001);
  });
});

describe("fitColumns", () => {
  it.each<[string, number | undefined, number[]]>([
    ["no width: natural widths", undefined, [7, 36, 32, 31, 7, 15]],
    ["wide enough: natural widths", 200, [7, 36, 32, 31, 7, 15]],
    ["100: the name shrinks", 100, [7, 36, 32, 19, 7, 15]],
    ["80: the name is left out", 80, [7, 36, 32, 0, 7, 15]],
    ["40: columns that never shrink are whole, in the row or beneath it", 40, [7, 31, 32, 0, 7, 15]],
  ])("%s", (_label, width, expected) => {
    const natural = [7, 36, 32, 31, 7, 15];
    const { widths: got } = fitColumns(COLUMNS, natural, width);
    expect(got).toEqual(expected);
  });

  it("moves detail columns beneath only when the row does not fit", () => {
    expect([...fitColumns(COLUMNS, [7, 36, 32, 31, 7, 15], 200).below]).toEqual([]);
    expect([...fitColumns(COLUMNS, [7, 36, 32, 31, 7, 15], 80).below]).toEqual([4, 5]);
    // The target does not fit beside the id at 60: narrowed to the room left, its wider cells go
    // beneath, whole; the name stays out. At 50 there is no room for it: the column goes beneath.
    const at60 = fitColumns(COLUMNS, [7, 36, 32, 31, 7, 15], 60);
    expect([...at60.below].sort()).toEqual([4, 5]);
    expect([...at60.spill]).toEqual([2]);
    expect(at60.widths[2]).toBe(13);
    expect(at60.widths[3]).toBe(0);
    expect([...fitColumns(COLUMNS, [7, 36, 32, 31, 7, 15], 50).below].sort()).toEqual([2, 4, 5]);
  });
});

describe("fitText", () => {
  it("wraps prose at spaces to the width, continuation lines indented; whole off a terminal", () => {
    const text = `Next: ${"word ".repeat(30).trim()}.`;
    const fitted = fitText(text, { width: 40, colour: false });
    expect(Math.max(...widths(fitted))).toBeLessThanOrEqual(40);
    expect(fitted.split("\n")[1]).toMatch(/^ {2}word/);
    expect(fitText(text, PLAIN_LAYOUT)).toBe(text);
    // A word wider than the line is cut into pieces that fit.
    const long = fitText(
      `counts=${JSON.stringify({ complete: 33, incomplete: 1, aborted: 2, failed: 0, skipped: 6 })}`,
      {
        width: 30,
        colour: false,
      },
    );
    expect(Math.max(...widths(long))).toBeLessThanOrEqual(30);
  });
});
