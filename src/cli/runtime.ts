import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { type ResolvedConfig, resolveConfig } from "../config/resolve-config.js";
import { FedmigrateError, UsageError } from "../errors.js";
import type { LoadedManifests } from "../manifest/load-manifests.js";
import type { CliIo } from "./context.js";
import { sayOnStderr, stderrOutput, stderrSettings } from "./say-on-stderr.js";
import type { ConfigFlagArgs } from "./shared-options.js";

/** The configuration options of online commands (flags of SPEC section 2), with the output ones. */
export interface ConfigArgs extends ConfigFlagArgs {
  logLevel?: string | undefined;
  logFormat?: string | undefined;
  json?: boolean | undefined;
  wide?: boolean | undefined;
}

/** The HTTP options of commands that call the API. */
export interface HttpArgs {
  retries?: number | undefined;
  timeout?: number | undefined;
}

/** Loads and validates the manifests (throws ManifestError: exit 2). */
export async function loadManifestArgs(paths: readonly string[], io: CliIo): Promise<LoadedManifests> {
  const { loadManifests } = await import("../manifest/load-manifests.js");
  return loadManifests([...paths], io.cwd);
}

export function configFrom(args: ConfigArgs, io: CliIo, manifests?: LoadedManifests): ResolvedConfig {
  const config = resolveConfig({
    flags: { domain: args.domain, tokenFile: args.tokenFile, journal: args.journal },
    env: io.env,
    manifest: manifests ? { domain: manifests.domain, journal: manifests.journal } : undefined,
    cwd: io.cwd,
  });
  for (const warning of config.warnings) sayOnStderr(io, "warn", "config.warning", warning);
  return config;
}

/**
 * The logger on stderr, the token redacted: pino JSON lines with `--log-format json` (or
 * FEDMIGRATE_LOG_FORMAT=json); otherwise lines for people, coloured on a terminal, plain off one.
 * On a terminal its lines go above the progress bar.
 */
export async function cliLogger(
  args: ConfigArgs,
  io: CliIo,
  secrets: readonly (string | undefined)[],
): Promise<Logger> {
  const { createLogger } = await import("../logger.js");
  const terminal = Boolean(io.stderr.isTTY) && io.env.CI !== "true";
  const json =
    args.logFormat === "json" || (args.logFormat === undefined && stderrSettings(io).format === "json");
  const out = stderrOutput(io);
  return createLogger({
    level: args.logLevel ?? (terminal ? "warn" : "info"),
    stream: Object.assign(Object.create(null) as object, {
      write: (text: string) => {
        out.write(text);
        return true;
      },
    }) as NodeJS.WritableStream,
    format: json ? "json" : terminal ? "pretty" : "text",
    colorize: (io.env.NO_COLOR ?? "") === "",
    secrets: secrets.filter((s): s is string => typeof s === "string" && s.length > 0),
  });
}

/** Writes an output file (report, JUnit, plan), saying clearly where it failed. */
export function writeOutputFile(file: string, content: string, io: CliIo, what: string): void {
  const target = path.resolve(io.cwd, file);
  try {
    writeFileSync(target, content);
  } catch (error) {
    throw new FedmigrateError("USAGE", `cannot write the ${what} to ${target}: ${(error as Error).message}`, {
      cause: error,
      hint: "Check that the directory exists and is writable.",
    });
  }
}

/**
 * Options that name something (a file, a run, a datasource): an empty value, as an unset shell
 * variable gives (`--plan "$PLAN"`), is refused rather than read as "not given", which would run
 * more than was asked (every entry instead of `--only`'s, the whole plan instead of the reviewed one).
 */
export function checkGiven(name: string, value: string | readonly string[] | undefined): void {
  if (value === undefined) return;
  const values = typeof value === "string" ? [value] : value;
  if (values.length > 0 && values.every((v) => v.trim() !== "")) return;
  throw new UsageError(`--${name} needs a value, got ${values.length === 0 ? "none" : "an empty one"}`, {
    hint: "Give it one, or leave the option out.",
  });
}

/** The options of the commands that send migrations or reversals (`runOptions`). */
export interface RunArgs extends HttpArgs {
  concurrency?: number | undefined;
  maxFailures?: number | undefined;
  report?: string | undefined;
  junit?: string | undefined;
}

/** The file options of `runOptions` (their bounds are the options' own), for `migrate` and `rollback`. */
export function checkRunArgs(args: RunArgs): void {
  checkGiven("report", args.report);
  checkGiven("junit", args.junit);
}

/** `fedmigrate <command> <args…>` as a shell would read it back: for "Next:" lines. */
export function commandLine(command: string, words: readonly string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
  return ["fedmigrate", command, ...words.map(quote)].join(" ");
}
