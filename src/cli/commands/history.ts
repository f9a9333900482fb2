import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { ConfigArgs } from "../runtime.js";
import { configOptions, wholeNumberOption } from "../shared-options.js";

export interface HistoryArgs extends ConfigArgs {
  limit?: number;
}

export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: "history",
  describe: "The runs in the journal, newest first, with their counts",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .option("journal", configOptions.journal)
      .option("domain", { ...configOptions.domain, description: "Only this instance [env DOMO_DOMAIN]" })
      .option("limit", wholeNumberOption("limit", { default: 20, description: "How many runs" }))
      .example("$0 history", "The last 20 runs")
      .example("$0 history --limit 100 --json", "For scripts") as Argv<HistoryArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { showHistory } = await import("../show-journal.js");
    ctx.exitCode = await showHistory(args, ctx.io);
  },
};
