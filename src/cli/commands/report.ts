import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import { type JournalReadArgs, journalReadOptions } from "../shared-options.js";

/** What yargs hands `fedmigrate report` (camelCase). */
export interface ReportArgs extends JournalReadArgs {
  run?: string | undefined;
  last?: boolean | undefined;
  command?: "migrate" | "rollback" | undefined;
  html?: string | undefined;
  md?: string | undefined;
  json?: boolean | undefined;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: "report",
  describe: "Render a run from the journal as a self-contained HTML page and/or Markdown",
  builder: (yargs) =>
    (yargs as Argv<object>)
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
      .example(
        "$0 report --last --command rollback --md rollback.md",
        "The newest rollback, in Markdown",
      ) as Argv<ReportArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { runReportCommand } = await import("../run-report-command.js");
    ctx.exitCode = await runReportCommand(args, ctx.io);
  },
};
