/**
 * The one place text from Domo is made safe before anything stores or prints it (SPEC section 5):
 * the developer token, in whatever encoding a server may echo it, becomes `[REDACTED]`, and
 * control characters that could drive a terminal (ESC, OSC, carriage return, bidi overrides)
 * become visible escapes such as `\x1b` or `\u202e`.
 */

/** What replaces a secret. */
export const REDACTED = "[REDACTED]";

/** Secrets seen by this process (the developer token), redacted by `redactSecrets` by default. */
const registered = new Set<string>();
let registeredPattern: RegExp | undefined;

/**
 * Adds a secret that must never appear in output. `resolveConfig` registers the token as soon as
 * it reads it, so that paths with no logger (`sayOnStderr`, a crash message) redact it too.
 * Secrets shorter than 8 characters are ignored: redacting them would mangle ordinary words.
 */
export function registerSecret(secret: string): void {
  if (secret.length < 8 || registered.has(secret)) return;
  registered.add(secret);
  registeredPattern = undefined;
}

/** The secrets registered so far (for the logger). */
export function registeredSecrets(): string[] {
  return [...registered];
}

const NAMED_ENTITIES: Record<string, string[]> = {
  "&": ["amp"],
  "<": ["lt"],
  ">": ["gt"],
  '"': ["quot"],
  "'": ["apos", "#39"],
};

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/** Hex digits of `code`, matching either case: `2b` → `2[bB]`. */
function hexPattern(code: number, width: number): string {
  return code
    .toString(16)
    .padStart(width, "0")
    .split("")
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join("");
}

/**
 * Every way one character of a secret may appear in text a server wrote: as itself, behind any
 * number of backslashes (JSON or shell escaping, nested), as `\uXXXX` or `\xXX`, percent-encoded
 * (once or twice: `%2B`, `%252B`), as an HTML entity (named, decimal, hex, leading zeros), and
 * quote characters doubled (`""`, SQL/CSV) or split by shell quoting (`'\''`).
 */
function characterPattern(char: string): string {
  const code = char.codePointAt(0) as number;
  const forms = [
    `\\\\*${escapeRegExp(char)}`,
    `\\\\+[uU]${hexPattern(code, 4)}`,
    `\\\\+[xX]${hexPattern(code, 2)}`,
    `%(?:25)?${hexPattern(code, 2)}`,
    `&(?:amp;)?#0*${code};`,
    `&(?:amp;)?#[xX]0*${hexPattern(code, 1)};`,
    ...(NAMED_ENTITIES[char] ?? []).map((name) => `&(?:amp;)?${name};`),
  ];
  if (char === " ") forms.push("\\+");
  if (char === '"' || char === "'") forms.push(`${char}${char}`);
  if (char === "'") forms.push(`'\\\\''`, `'"'"'`);
  return `(?:${forms.join("|")})`;
}

/**
 * A regular expression matching each secret in any of the encodings above, and its base64
 * (standard and URL-safe, as whole 3-byte groups from its start).
 */
export function secretPattern(secrets: Iterable<string>): RegExp | undefined {
  const alternatives: string[] = [];
  for (const secret of secrets) {
    if (secret === "") continue;
    alternatives.push([...secret].map(characterPattern).join(""));
    const base64 = Buffer.from(secret, "utf8").toString("base64");
    const whole = base64.slice(0, Math.floor((secret.length * 4) / 3 / 4) * 4);
    if (whole.length >= 8) {
      alternatives.push(escapeRegExp(whole));
      alternatives.push(escapeRegExp(whole.replace(/\+/g, "-").replace(/\//g, "_")));
    }
  }
  return alternatives.length === 0 ? undefined : new RegExp(alternatives.join("|"), "g");
}

/**
 * `text` with every secret (the registered ones, or those given) replaced by `[REDACTED]`,
 * in every encoding `secretPattern` knows.
 */
export function redactSecrets(text: string, secrets?: Iterable<string>): string {
  let pattern: RegExp | undefined;
  if (secrets === undefined) {
    registeredPattern ??= secretPattern(registered);
    pattern = registeredPattern;
  } else {
    pattern = secretPattern(secrets);
  }
  if (pattern === undefined) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, REDACTED);
}

/**
 * C0 controls (but tab and line feed, which `keepLineBreaks` keeps), DEL, C1 controls (0x80–0x9f,
 * among them the 8-bit CSI and OSC), the bidi embeddings and overrides (U+202A–202E) and isolates
 * (U+2066–2069), and the line and paragraph separators.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to neutralize.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to neutralize.
const CONTROLS_AND_BREAKS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** How a control character is shown: `\x1b`, `\u202e`; in JSON text, always `\u001b` (a valid escape). */
function visible(char: string, json: boolean): string {
  const code = char.codePointAt(0) as number;
  return code <= 0xff && !json
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Options of `showControlCharacters`. */
export interface ShowControlsOptions {
  /** Keep tab and line feed (default); without, they are shown too (one-line output). */
  keepLineBreaks?: boolean;
  /**
   * The text is JSON (a log line): show each as a `\u` escape, which JSON can read back, so the
   * line stays valid JSON (JSON.stringify leaves C1, DEL and the bidi controls raw).
   */
  json?: boolean;
}

/**
 * Control characters as visible escapes (`ESC` → `\x1b`), so that text can never clear a screen,
 * set a window title, plant a hyperlink (OSC 8) or reorder what is read (bidi overrides).
 * A CRLF becomes a line feed first.
 */
export function showControlCharacters(
  text: string,
  { keepLineBreaks = true, json = false }: ShowControlsOptions = {},
): string {
  const pattern = keepLineBreaks ? CONTROLS : CONTROLS_AND_BREAKS;
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  const unified = json ? text : text.replace(/\r\n/g, "\n");
  return unified.replace(pattern, (char) => visible(char, json));
}

/** Cleans server text for one set of secrets; the pattern is compiled once. */
export interface ServerTextCleaner {
  /** A server's string, ready to store or print: secrets redacted, then controls made visible. */
  text(text: string): string;
  /** Every string inside a parsed JSON value cleaned by `text` (object keys included). */
  value(value: unknown): unknown;
}

/** A cleaner for `secrets` (the developer token), or for the registered secrets when omitted. */
export function createServerTextCleaner(secrets?: Iterable<string>): ServerTextCleaner {
  const pattern = secrets === undefined ? undefined : secretPattern(secrets);
  const text = (input: string): string => {
    const redacted =
      secrets === undefined
        ? redactSecrets(input)
        : pattern === undefined
          ? input
          : input.replace(pattern, REDACTED);
    return showControlCharacters(redacted);
  };
  const value = (item: unknown): unknown => {
    if (typeof item === "string") return text(item);
    if (Array.isArray(item)) return item.map(value);
    if (item !== null && typeof item === "object") {
      return Object.fromEntries(
        Object.entries(item as Record<string, unknown>).map(([key, inner]) => [text(key), value(inner)]),
      );
    }
    return item;
  };
  return { text, value };
}
