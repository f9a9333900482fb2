import { type DestinationStream, type Logger, pino } from "pino";
import {
  createServerTextCleaner,
  registeredSecrets,
  secretPattern,
  showControlCharacters,
} from "./domo/clean-server-text.js";

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** A pino level: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /** Where lines go (stderr in the CLI). Written to synchronously, so nothing is lost on exit. */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Strings that must never appear in a line (the developer token); replaced by `[REDACTED]`. */
  secrets?: string[];
  /** Human-readable lines instead of JSON; the CLI passes `stream.isTTY && !CI`. */
  pretty?: boolean;
  /**
   * `json`: pino JSON lines (log collectors); `pretty`: lines for people with the level coloured
   * and the time of day (a terminal);
   * `text`: one plain line per event, no colour (CI logs, cron mail). Default: `pretty` when
   * `pretty` is set, else `json`.
   */
  format?: "json" | "pretty" | "text";
  /** Colours in pretty lines. Default: on unless `NO_COLOR` is set (no-color.org). */
  colorize?: boolean;
}

const CENSOR = "[REDACTED]";

/** Where a token could sit in a logged object; the secret pass below catches the rest. */
const REDACT_PATHS = [
  "token",
  "*.token",
  "developerToken",
  "*.developerToken",
  'headers["x-domo-developer-token"]',
  '*.headers["x-domo-developer-token"]',
  'headers["X-DOMO-Developer-Token"]',
  '*.headers["X-DOMO-Developer-Token"]',
  "headers.authorization",
  "*.headers.authorization",
];

/**
 * The logger: structured events as JSON lines (or pretty lines on a terminal), ISO times, no
 * pid/hostname noise. The token is kept out twice: pino's `redact` blanks the fields where it
 * would sit, and a last pass over each serialized line replaces every occurrence of each
 * secret, wherever it hides (an error message, a nested object, an echoed body).
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = [...new Set([...(opts.secrets ?? []), ...registeredSecrets()])].filter((s) => s !== "");
  // Every encoding of every secret (a token with a quote appears JSON-escaped in the line), and
  // control characters JSON leaves raw (C1, bidi overrides) shown as escapes.
  const pattern = secretPattern(secrets);
  const scrub = (line: string) =>
    showControlCharacters(pattern === undefined ? line : line.replace(pattern, CENSOR), { json: true });
  return pino(
    {
      level: opts.level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      hooks: { streamWrite: scrub },
    },
    destination(opts),
  );
}

function destination(opts: LoggerOptions): DestinationStream {
  const format = opts.format ?? (opts.pretty ? "pretty" : "json");
  if (format === "pretty")
    return textDestination(opts.stream, { colour: opts.colorize ?? !process.env.NO_COLOR, short: true });
  if (format === "text") return textDestination(opts.stream, { colour: false, short: false });
  return opts.stream;
}

const CONTROLS_SHOWN = createServerTextCleaner([]);

/** Fields every line has, said in the line's own words rather than as `key=value`. */
const OWN_FIELDS = new Set(["level", "time", "msg", "event"]);

/**
 * One plain line per event, for people reading a CI log or cron mail: time, level, event and
 * message, then the other fields as `key=value` (JSON-quoted when not a bare word). Each line is
 * the JSON pino wrote (already redacted) turned into words: a few microseconds, no pino-pretty.
 */
export function formatTextLine(json: string, style: TextStyle = { colour: false, short: false }): string {
  let record: Record<string, unknown>;
  try {
    // The JSON line keeps controls as `\u` escapes, which parsing decodes: every string is made
    // visible text (`\x1b`) again before it reaches a terminal or a log file.
    record = CONTROLS_SHOWN.value(JSON.parse(json)) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const label = String(record.level ?? "");
  const level = (LEVEL_COLOUR[label] && style.colour ? LEVEL_COLOUR[label] : (t: string) => t)(
    label.toUpperCase().padEnd(5),
  );
  const time = String(record.time ?? "");
  // On a terminal the day is today's: the time alone, to the second.
  const when = style.short ? (/T(\d\d:\d\d:\d\d)/.exec(time)?.[1] ?? time) : time;
  const head = [when, level, record.event ? `${record.event}:` : ""].filter((part) => part !== "").join(" ");
  const msg0 = String(record.msg ?? "");
  const fields = Object.entries(record)
    .filter(([key, value]) => !OWN_FIELDS.has(key) && value !== undefined && value !== null)
    // On a terminal, what the message already says is not said again.
    .filter(([, value]) => !(style.short && typeof value === "string" && msg0.includes(value)))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a log line is one line.
  const msg = String(record.msg ?? "").replace(/[\x00-\x1f\x7f]+/g, " ");
  return `${[head, msg, ...fields].filter((part) => part !== "").join(" ")}\n`;
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return /^[\w@%+=:,./-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null && "message" in value) {
    return JSON.stringify(String((value as { message: unknown }).message));
  }
  return JSON.stringify(value);
}

/** How `formatTextLine` writes: colour for the level (a terminal), and the time of day alone. */
export interface TextStyle {
  colour: boolean;
  short: boolean;
}

const LEVEL_COLOUR: Record<string, (text: string) => string> = {
  trace: (t) => `\x1b[2m${t}\x1b[22m`,
  debug: (t) => `\x1b[2m${t}\x1b[22m`,
  info: (t) => `\x1b[32m${t}\x1b[39m`,
  warn: (t) => `\x1b[33m${t}\x1b[39m`,
  error: (t) => `\x1b[31m${t}\x1b[39m`,
  fatal: (t) => `\x1b[41m${t}\x1b[49m`,
};

function textDestination(stream: NodeJS.WritableStream, style: TextStyle): DestinationStream {
  return {
    write(line: string) {
      stream.write(formatTextLine(line, style));
    },
  };
}
