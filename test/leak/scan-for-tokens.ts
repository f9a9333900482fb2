import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TOKEN_ENCODINGS, type TokenEncoding, tokenEncodings } from "./token-encodings.js";

/** One place a token was found. */
export interface TokenLeak {
  file: string;
  /** Byte offset of the first occurrence. */
  offset: number;
  /**
   * Which form of the token matched: as is (`raw`), UTF-16LE (SQLite may store text so), base64,
   * or one of the escapes a server may echo it in (see token-encodings.ts).
   */
  form: TokenEncoding;
}

/** What a scan looked at and found. */
export interface TokenScan {
  files: number;
  bytes: number;
  leaks: TokenLeak[];
}

/**
 * Looks for every token in every file under `dir`, byte for byte, so binary files (SQLite
 * journals and their WAL) are covered too. Besides the token as UTF-8 it looks for its UTF-16LE
 * and base64 forms and every escape a server may echo it in (JSON, `\u`, HTML entities,
 * percent- and form-encoding, doubled or shell quotes): see token-encodings.ts.
 */
export function scanForTokens(
  dir: string,
  tokens: readonly string[],
  skip: readonly string[] = [],
): TokenScan {
  const needles = tokens
    .filter((token) => token.length >= 8)
    .flatMap((token) => {
      const forms = tokenEncodings(token);
      const seen = new Set<string>();
      return TOKEN_ENCODINGS.flatMap((form) => {
        // base64 of the whole 3-byte groups only: what follows depends on the bytes after it.
        const text = form === "base64" ? forms.base64.slice(0, -4) : forms[form];
        const bytes = Buffer.from(text, form === "utf16le" ? "latin1" : "utf8");
        // A token with no character to escape is the same text in several forms: report it once.
        if (seen.has(text)) return [];
        seen.add(text);
        // Forms made only of escapes start with a marker: a file without it is not searched for them.
        const marker = MARKERS[form];
        return [{ form, bytes, marker }];
      });
    });
  const scan: TokenScan = { files: 0, bytes: 0, leaks: [] };
  for (const file of listFiles(dir)) {
    if (skip.includes(path.relative(dir, file))) continue;
    const content = readFileSync(file);
    scan.files += 1;
    scan.bytes += content.length;
    const markers = new Map<string, boolean>();
    const hasMarker = (marker: string) => {
      let found = markers.get(marker);
      if (found === undefined) {
        found = content.includes(marker);
        markers.set(marker, found);
      }
      return found;
    };
    for (const needle of needles) {
      if (needle.marker !== undefined && !hasMarker(needle.marker)) continue;
      const offset = content.indexOf(needle.bytes);
      if (offset >= 0) scan.leaks.push({ file, offset, form: needle.form });
    }
  }
  return scan;
}

/** What every occurrence of a form made only of escapes begins with (a fast pre-check per file). */
const MARKERS: Partial<Record<TokenEncoding, string>> = {
  "json-in-json": "\\",
  "u-escaped": "\\u",
  "u-escaped-upper": "\\u",
  "html-decimal": "&#",
  "html-hex": "&#x",
  "percent-all": "%",
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
