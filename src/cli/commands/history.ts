import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { ConfigArgs } from "../runtime.js";
import {
  configOptions,
  type JournalReadArgs,
  journalReadOptions,
  wholeNumberOption,
} from "../shared-options.js";

export interface HistoryArgs extends ConfigArgs, JournalReadArgs {
  limit?: number;
}

export const historyCommand: CommandModule<object, HistoryArgs> = {
  command: "history",
  describe:
    "The runs in the journal, newest first, with their counts (per datasource: its latest attempt in the run)",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .options(journalReadOptions)
      .option("manifest", {
        ...journalReadOptions.manifest,
        description: "Use this manifest's journal: and domain: as migrate does (repeatable)",
      })
      .option("domain", {
        ...configOptions.domain,
        description: "Only this instance [env DOMO_DOMAIN; manifest domain]",
      })
      .option("limit", wholeNumberOption("limit", { default: 20, description: "How many runs" }))
      .example("$0 history", "The last 20 runs")
      .example("$0 history --limit 100 --json", "For scripts") as Argv<HistoryArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { showHistory } = await import("../show-journal.js");
    ctx.exitCode = await showHistory(args, ctx.io);
  },
};
