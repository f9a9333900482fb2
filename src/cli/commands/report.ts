import type { Argv } from "yargs";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { journalReadOptions } from "../shared-options.js";

/** `report`'s options. */
const reportOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .option("journal", {
      type: "string",
      requiresArg: true,
      description: "Journal file [env FEDMIGRATE_JOURNAL; manifest journal; default ./fedmigrate.db]",
    })
    .option("manifest", {
      ...journalReadOptions.manifest,
      description: "Use this manifest's journal: as migrate does (repeatable)",
    })
    .option("run", {
      type: "string",
      requiresArg: true,
      description: "The run to report ('fedmigrate history' lists them)",
    })
    .option("last", { type: "boolean", description: "The newest run (the default without --run)" })
    .option("command", {
      type: "string",
      choices: ["migrate", "rollback"],
      description: "With --last: the newest run of this command",
    })
    .option("html", {
      type: "string",
      requiresArg: true,
      description: "Write the HTML page to FILE ('-': stdout)",
    })
    .option("md", {
      type: "string",
      requiresArg: true,
      description: "Write Markdown to FILE ('-': stdout)",
    })
    .conflicts("run", "last")
    .conflicts("run", "command")
    .example("$0 report --last --html run.html", "The newest run, as a page to open in a browser")
    .example("$0 report --run r-20261128T013500Z-3f9a1c --html run.html --md run.md", "One run, both ways")
    .example("$0 report --last --md - | less", "The newest run's Markdown on stdout")
    .example("$0 report --last --command rollback --md rollback.md", "The newest rollback, in Markdown");

/** `fedmigrate report`'s arguments, as its options declare them. */
export type ReportArgs = BuiltArgs<typeof reportOptions>;

export const reportCommand = defineCommand({
  command: "report",
  describe: "Render a run from the journal as a self-contained HTML page and/or Markdown",
  builder: reportOptions,
  run: async (args, io) => {
    const { runReportCommand } = await import("../run-report-command.js");
    return runReportCommand(args, io);
  },
});
