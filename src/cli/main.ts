import type { Argv } from "yargs";
import { FedmigrateError, UsageError } from "../errors.js";
import { ExitCode, exitCodeFor } from "../exit-codes.js";
import { suggestKey } from "../manifest/suggest-key.js";
import { VERSION } from "../version.js";
import type { CliIo, CommandContext } from "./context.js";
import { sayOnStderr, setStderrSettings, stderrSettingsFrom } from "./say-on-stderr.js";
import { globalOptions, rejectTokenFlag } from "./shared-options.js";

const EXIT_CODES_EPILOGUE = [
  "Exit codes:",
  "  0    all done (skips and held entries included)",
  "  1    some entries failed or were blocked",
  "  2    invalid manifest or options",
  "  3    journal locked by another run",
  "  4    authentication refused (401/403)",
  "  5    plan --detailed-exitcode: work pending",
  "  130  interrupted",
].join("\n");

/**
 * The CLI: argv in, exit code out. The only code that parses argv and prints usage;
 * `src/cli.ts` is the only caller of `process.exit`.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const ctx: CommandContext = { io, exitCode: ExitCode.OK };
  const wantsJson = argv.includes("--json");
  // Before anything is said on stderr: --log-level silent and --log-format json apply to every message.
  setStderrSettings(io, stderrSettingsFrom(argv, io.env));
  try {
    // Before yargs sees it: a token on the command line must not be echoed in any message.
    rejectTokenFlag(argv);
  } catch (error) {
    return reportError(error, io, wantsJson);
  }

  // `--version` alone needs no parser: answered before yargs loads, which is most of the start-up
  // time (docs/startup.md). Everything else, `--help` included, goes through yargs.
  if (argv.length === 1 && argv[0] === "--version") {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.OK;
  }
  // The commands (and all they import) load only now, so `--version` above loads almost nothing.
  const [{ COMPLETION_COMMAND, COMPLETION_HELP, enableCompletion }, { commandModules }] = await Promise.all([
    import("./commands/completion.js"),
    import("./commands/index.js"),
  ]);
  // yargs' completion command would print its script for --help: say what it does instead.
  if (argv[0] === COMPLETION_COMMAND && argv.some((arg) => arg === "--help" || arg === "-h")) {
    io.stdout.write(`${COMPLETION_HELP}\n`);
    return ExitCode.OK;
  }
  // Bare `fedmigrate`: the commands, as --help lists them (exit 0, like gh and kubectl).
  if (argv.length === 0) argv = ["--help"];
  const { default: yargs } = await import("yargs");
  const parser = yargs(argv)
    .scriptName("fedmigrate")
    .usage(
      "$0 <command> [manifest…] [options]\n\nMove Domo Federated V1 datasources to Federated V2 in bulk, safely.",
    )
    .version(VERSION)
    .options(globalOptions)
    .strict()
    .demandCommand(1, "Name a command: fedmigrate --help lists them.")
    .recommendCommands()
    .epilogue(EXIT_CODES_EPILOGUE)
    .wrap(Math.min(110, io.stdout.isTTY ? ((io.stderr as { columns?: number }).columns ?? 100) : 100))
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, error) => {
      // yargs' own argument errors (YError) are usage errors; anything else is ours.
      if (error && error.name !== "YError") throw error;
      // The only required positionals are manifests: say so rather than yargs' generic words.
      const words = /^Not enough non-option arguments/.test(message)
        ? "no manifest given: name at least one manifest file or directory"
        : withSuggestions(conflictWords(message), knownOptions(parser), argv);
      throw new UsageError(words, { hint: "Run 'fedmigrate --help' for usage." });
    });

  for (const command of commandModules) {
    command.register(parser, ctx);
  }
  enableCompletion(parser);

  let helpOrVersion = "";
  try {
    await parser.parseAsync(argv, {}, (_err, _argv, output) => {
      if (output) helpOrVersion = output;
    });
  } catch (error) {
    return reportError(error, io, wantsJson);
  }
  if (helpOrVersion) io.stdout.write(`${helpOrVersion}\n`);
  return ctx.exitCode;
}

/**
 * yargs' "Unknown argument(s): concurency" with what each most likely meant, as commands get
 * ("Did you mean migrate?"): `--concurency` → `--concurrency`.
 */
export function withSuggestions(message: string, known: readonly string[], argv: readonly string[]): string {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (match === null) return message;
  const options = known.filter((key) => key.length > 1 && !/[A-Z]/.test(key));
  const unknown = (match[1] as string).split(", ");
  const parts = unknown.map((name) => {
    const flag = argv.some(
      (arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `-${name}`,
    );
    if (!flag) return name;
    const guess = suggestKey(name, options);
    return guess ? `--${name} (did you mean --${guess}?)` : `--${name}`;
  });
  return `unknown argument${unknown.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** yargs' "Arguments all and run are mutually exclusive" (`.conflicts`), in the options' own spelling. */
function conflictWords(message: string): string {
  const match = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message);
  return match ? `--${match[1]} and --${match[2]} are mutually exclusive: give one of them` : message;
}

/** The options yargs knows at this point of the parse (the command's own included). */
function knownOptions(parser: Argv): string[] {
  // Not in @types/yargs, but part of yargs' instance since v3: the options declared so far.
  const getOptions = (parser as unknown as { getOptions?: () => { key?: Record<string, unknown> } })
    .getOptions;
  return Object.keys(getOptions?.call(parser).key ?? {});
}

function reportError(error: unknown, io: CliIo, json: boolean): number {
  if (error instanceof FedmigrateError) {
    const code = exitCodeFor(error.code);
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ success: false, error: { code: error.code, message: error.message, hint: error.hint ?? null } }, null, 2)}\n`,
      );
    }
    const issues = (error as { issues?: unknown }).issues;
    sayOnStderr(io, "error", "run.error", error.message, {
      code: error.code,
      hint: error.hint ?? null,
      ...(Array.isArray(issues) ? { issues } : {}),
    });
    return code;
  }
  // A bug, not an operator error: keep the stack for the report.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  sayOnStderr(io, "error", "internal.error", `internal error: ${text}`, {
    hint: "This is a bug in fedmigrate: please report it with the command you ran.",
  });
  return ExitCode.ITEMS_FAILED;
}
