import type { Argv } from "yargs";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, journalReadOptions, wholeNumberOption } from "../shared-options.js";

/** `history`'s options. */
const historyOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .options(journalReadOptions)
    .option("manifest", {
      ...journalReadOptions.manifest,
      description: "Use this manifest's journal: and domain: as migrate does (repeatable)",
    })
    .option("domain", {
      ...configOptions.domain,
      description: "Only this instance [env DOMO_DOMAIN; manifest domain]",
    })
    .option(
      "limit",
      wholeNumberOption("limit", { default: 20, max: 1_000_000, description: "How many runs" }),
    )
    .example("$0 history", "The last 20 runs")
    .example("$0 history --limit 100 --json", "For scripts");

/** `fedmigrate history`'s arguments, as its options declare them. */
export type HistoryArgs = BuiltArgs<typeof historyOptions>;

export const historyCommand = defineCommand({
  command: "history",
  describe:
    "The runs in the journal, newest first, with their counts (per datasource: its latest attempt in the run)",
  builder: historyOptions,
  run: async (args, io) => {
    const { showHistory } = await import("../show-journal.js");
    return showHistory(args, io);
  },
});
