import yargs from "yargs";
import { enableCompletion } from "../../src/cli/commands/completion.js";
import { commandModules } from "../../src/cli/commands/index.js";
import { globalOptions } from "../../src/cli/shared-options.js";

/**
 * Parses `args` with the CLI's own command modules, strictly, with every handler replaced by a
 * no-op: an unknown command or option, a missing positional or a bad choice throws; nothing runs.
 * The global options are `src/cli/main.ts`'s own (`globalOptions`).
 */
export async function checkCliArgs(args: readonly string[]): Promise<void> {
  const parser = yargs([...args])
    .scriptName("fedmigrate")
    .options(globalOptions)
    .strict()
    .demandCommand(1)
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    });
  for (const { command, describe, builder } of commandModules) {
    parser.command({ command, describe, builder, handler: () => undefined });
  }
  enableCompletion(parser);
  // A parse callback keeps --help/--version output from reaching the console.
  await parser.parseAsync([...args], {}, () => undefined);
}
