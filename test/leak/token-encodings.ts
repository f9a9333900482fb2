/**
 * Every form in which a server (or a careless writer) may echo a developer token, by name. The
 * hostile test server echoes each of them, the leak scan looks for each of them, and
 * `src/domo/clean-server-text.ts` must redact each of them.
 */
export type TokenEncoding =
  | "raw"
  | "json-escaped"
  | "json-in-json"
  | "slash-escaped"
  | "u-escaped"
  | "u-escaped-upper"
  | "html-named"
  | "html-decimal"
  | "html-hex"
  | "percent"
  | "percent-all"
  | "form"
  | "quote-doubled"
  | "shell-quoted"
  | "base64"
  | "utf16le";

const hex = (char: string, width: number) =>
  (char.codePointAt(0) as number).toString(16).padStart(width, "0");

/** The token in each encoding, as text (utf16le as the bytes' latin1 string). */
export function tokenEncodings(token: string): Record<TokenEncoding, string> {
  const chars = [...token];
  return {
    raw: token,
    "json-escaped": JSON.stringify(token).slice(1, -1),
    "json-in-json": JSON.stringify(JSON.stringify(token)).slice(1, -1),
    "slash-escaped": JSON.stringify(token).slice(1, -1).replace(/\//g, "\\/"),
    "u-escaped": chars.map((c) => `\\u${hex(c, 4)}`).join(""),
    "u-escaped-upper": chars.map((c) => `\\u${hex(c, 4).toUpperCase()}`).join(""),
    "html-named": token
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;"),
    "html-decimal": chars.map((c) => `&#${c.codePointAt(0)};`).join(""),
    "html-hex": chars.map((c) => `&#x${hex(c, 2).toUpperCase()};`).join(""),
    percent: encodeURIComponent(token),
    "percent-all": chars.map((c) => `%${hex(c, 2).toUpperCase()}`).join(""),
    form: new URLSearchParams({ t: token }).toString().slice(2),
    "quote-doubled": token.replace(/"/g, '""').replace(/'/g, "''"),
    "shell-quoted": token.replace(/'/g, `'\\''`),
    base64: Buffer.from(token, "utf8").toString("base64"),
    utf16le: Buffer.from(token, "utf16le").toString("latin1"),
  };
}

/** The names of `tokenEncodings`, in a stable order. */
export const TOKEN_ENCODINGS = Object.keys(tokenEncodings("x")) as TokenEncoding[];
