import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** One place a token was found. */
export interface TokenLeak {
  file: string;
  /** Byte offset of the first occurrence. */
  offset: number;
  /** Which form of the token matched: as is, UTF-16LE (SQLite may store text so), or base64. */
  form: "utf8" | "utf16le" | "base64";
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
 * and base64 forms, the ways a secret is most often re-encoded on its way out.
 */
export function scanForTokens(
  dir: string,
  tokens: readonly string[],
  skip: readonly string[] = [],
): TokenScan {
  const needles = tokens
    .filter((token) => token.length >= 8)
    .flatMap((token) => [
      { form: "utf8" as const, bytes: Buffer.from(token, "utf8") },
      { form: "utf16le" as const, bytes: Buffer.from(token, "utf16le") },
      {
        form: "base64" as const,
        bytes: Buffer.from(Buffer.from(token, "utf8").toString("base64").slice(0, -4)),
      },
    ]);
  const scan: TokenScan = { files: 0, bytes: 0, leaks: [] };
  for (const file of listFiles(dir)) {
    if (skip.includes(path.relative(dir, file))) continue;
    const content = readFileSync(file);
    scan.files += 1;
    scan.bytes += content.length;
    for (const needle of needles) {
      const offset = content.indexOf(needle.bytes);
      if (offset >= 0) scan.leaks.push({ file, offset, form: needle.form });
    }
  }
  return scan;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
