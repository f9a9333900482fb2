import type { TableLayout } from "./table-layout.js";
import { terminalSafe } from "./terminal-safe.js";

/**
 * The one place where text becomes a cell: line breaks and tabs become spaces, other control
 * characters (escape sequences from a server, a manifest) are left out, so a cell is one line
 * that cannot move the cursor or change colours. Server text is cleaned where it enters too;
 * this is the renderer's own guarantee.
 */
export function cellText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  // Line breaks and tabs become spaces (a cell is one line); the token is redacted and any other
  // control character shown as an escape (`\x1b`), as everywhere text reaches a terminal.
  return terminalSafe(String(value).replace(/[\t\n\r\v\f]+/g, " "), { oneLine: true });
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
