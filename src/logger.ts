import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type { prettyFactory as PrettyFactory } from "pino-pretty";
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
    opts.pretty ? prettyDestination(opts.stream, opts.colorize ?? !process.env.NO_COLOR) : opts.stream,
  );
}

/**
 * pino-pretty's formatter called inline on each line. Its stream form (`pretty({destination})`)
 * goes through a Transform, which may write after a `process.exit`; this cannot.
 */
function prettyDestination(stream: NodeJS.WritableStream, colorize: boolean): DestinationStream {
  // Loaded here, only for a terminal: off one (CI, cron) every run would pay ~20 ms for nothing.
  const { prettyFactory } = createRequire(import.meta.url)("pino-pretty") as {
    prettyFactory: typeof PrettyFactory;
  };
  const format = prettyFactory({
    colorize,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    singleLine: true,
  });
  // The JSON line keeps controls as `\u` escapes, which the formatter would decode and print
  // raw: every string is made visible text (`\x1b`) before formatting.
  const controlsOnly = createServerTextCleaner([]);
  return {
    write(line: string) {
      let safe = line;
      try {
        safe = JSON.stringify(controlsOnly.value(JSON.parse(line)));
      } catch {
        // Not JSON: the formatter prints it as it is, and scrub() has already run over it.
      }
      stream.write(format(safe));
    },
  };
}
