import type { Options } from "yargs";
import type { ConfigInput } from "../config/resolve-config.js";
import { UsageError } from "../errors.js";

/**
 * The configuration options of every online command (SPEC section 2), for `.options(configOptions)`.
 * There is deliberately no token option: see `rejectTokenFlag`.
 */
export const configOptions = {
  domain: {
    type: "string",
    requiresArg: true,
    description:
      "Domo instance: acme, acme.domo.com or https://acme.domo.com [env DOMO_DOMAIN; manifest domain]",
  },
  "token-file": {
    type: "string",
    requiresArg: true,
    description:
      "File holding the developer token [env DOMO_DEVELOPER_TOKEN]; the token itself is never a flag",
  },
  journal: {
    type: "string",
    requiresArg: true,
    description: "Journal file [env FEDMIGRATE_JOURNAL; manifest journal; default ./fedmigrate.db]",
  },
} as const satisfies Record<string, Options>;

/** What yargs hands a handler for `configOptions` (camelCase). */
export interface ConfigFlagArgs {
  domain?: string | undefined;
  tokenFile?: string | undefined;
  journal?: string | undefined;
}

/** The flags part of `resolveConfig`'s input, from a handler's arguments. */
export function configFlags(args: ConfigFlagArgs): ConfigInput["flags"] {
  return { domain: args.domain, tokenFile: args.tokenFile, journal: args.journal };
}

/** Flags someone might try for the token; matched case-insensitively, with or without `=value`. */
const TOKEN_FLAG = /^--(token|developer-?token|domo-(developer-)?token|api-?token)(=|$)/i;

/**
 * Refuses a token given on the command line, before yargs sees it (yargs would echo the value
 * in its "unknown argument" message). Call it from `main` with the raw argv. The message names the
 * flag, never its value.
 */
export function rejectTokenFlag(argv: string[]): void {
  for (const arg of argv) {
    // After `--` everything is a positional value, not a flag.
    if (arg === "--") return;
    const match = TOKEN_FLAG.exec(arg);
    if (match === null) continue;
    throw new UsageError(
      `--${match[1]} is not accepted: the token is never taken on the command line, where shell history and ps would show it`,
      { hint: "set DOMO_DEVELOPER_TOKEN, or put the token in a file and pass --token-file PATH" },
    );
  }
}

/**
 * A whole-number option (`--retries N`). yargs' `number` type reads an empty value, as an unset
 * shell variable gives (`--retries "$RETRIES"`), as 0, which for `--retries` is a valid value the
 * operator did not ask for. So these options are declared without that type: yargs still turns
 * what looks like a number into one, and leaves anything else as text, which the coerce refuses
 * here, naming the option (exit 2), as is a value out of the option's own bounds.
 */
export function wholeNumberOption<D extends number | undefined = undefined>(
  name: string,
  { min = 1, max = 10_000, ...spec }: { description: string; default?: D; min?: number; max?: number },
) {
  return {
    requiresArg: true,
    ...spec,
    coerce: (value: unknown): number | D => {
      const count = countFrom(name, value);
      checkCount(name, count, { min, max });
      return count as number | D;
    },
  } as const satisfies Options;
}

/** A whole number in `[min, max]`, checked eagerly with a message naming the option. */
function checkCount(name: string, value: number | undefined, { min = 1, max = 10_000 } = {}): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
}

/** The number a whole-number option was given (see `wholeNumberOption`). */
function countFrom(name: string, value: unknown): number | undefined {
  if (value === undefined || typeof value === "number") return value;
  if (Array.isArray(value)) {
    throw new UsageError(`--${name} is given ${value.length} times: give it once`);
  }
  const text = String(value).trim();
  if (text === "") throw new UsageError(`--${name} needs a whole number, got an empty value`);
  const number = Number(text);
  if (Number.isNaN(number)) {
    throw new UsageError(`--${name} needs a whole number, got ${JSON.stringify(String(value))}`);
  }
  return number;
}

/** The options of every command that calls the API. */
export const httpOptions = {
  retries: wholeNumberOption("retries", {
    default: 5,
    min: 0,
    max: 100,
    description: "Retries after the first try for transient failures (network, 429, 502-504)",
  }),
  timeout: wholeNumberOption("timeout", { default: 300, max: 3600, description: "Seconds per request" }),
} as const satisfies Record<string, Options>;

/** The options of the commands that send migrations or reversals (`migrate`, `rollback`). */
export const runOptions = {
  concurrency: wholeNumberOption("concurrency", { default: 4, max: 256, description: "Requests at once" }),
  "max-failures": wholeNumberOption("max-failures", {
    max: 10_000_000,
    description: "Stop starting new entries after N failures",
  }),
  report: { type: "string", requiresArg: true, description: "Write the run's JSON report to FILE" },
  junit: {
    type: "string",
    requiresArg: true,
    description: "Write JUnit XML (one test case per entry) to FILE",
  },
} as const satisfies Record<string, Options>;

/**
 * The options of every command that reads the journal (`status`, `history`, `report`,
 * `rollback`; `audit` joins them): where the journal is, given directly or through a manifest's
 * `journal:`, as `migrate` reads it.
 */
export const journalReadOptions = {
  journal: configOptions.journal,
  manifest: {
    type: "string",
    array: true,
    requiresArg: true,
    description:
      "Use this manifest's journal: and domain: as migrate does, and only its datasources (repeatable)",
  },
} as const satisfies Record<string, Options>;

/** What yargs hands a handler for `journalReadOptions`. */
export interface JournalReadArgs {
  journal?: string | undefined;
  manifest?: string[] | undefined;
}

/** The options every command takes (`main` declares them global). */
export const globalOptions = {
  json: { type: "boolean", description: "Make stdout a single JSON document", global: true },
  "log-level": {
    type: "string",
    description:
      "Log level on stderr (default: info; warn on a terminal, where a progress bar shows the work); silent: nothing on stderr",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    global: true,
  },
  "log-format": {
    type: "string",
    description:
      "Log lines on stderr: text for people, or json (pino JSON lines) for log collectors [env FEDMIGRATE_LOG_FORMAT]",
    choices: ["text", "json"],
    global: true,
  },
  wide: {
    type: "boolean",
    description: "Tables whole on a terminal too, not fitted to its width",
    global: true,
  },
} as const satisfies Record<string, Options>;
