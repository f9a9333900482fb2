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
export interface ConfigArgs {
  domain?: string | undefined;
  tokenFile?: string | undefined;
  journal?: string | undefined;
}

/** The flags part of `resolveConfig`'s input, from a handler's arguments. */
export function configFlags(args: ConfigArgs): ConfigInput["flags"] {
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
