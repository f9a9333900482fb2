import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { ConfigArgs, HttpArgs } from "../runtime.js";

export interface RollbackArgs extends ConfigArgs, HttpArgs {
  all?: boolean;
  run?: string;
  manifest?: string[];
  datasource?: string[];
  since?: string;
  dryRun?: boolean;
  concurrency: number;
  maxFailures?: number;
  report?: string;
  junit?: string;
}

export const rollbackCommand: CommandModule<object, RollbackArgs> = {
  command: "rollback",
  describe: "Reverse recorded migrations in a scope that must be given (back to Federated V1)",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .option("all", { type: "boolean", description: "Every migration the journal records on this domain" })
      .option("run", { type: "string", description: "The migrations of this run (see 'fedmigrate history')" })
      .option("manifest", {
        type: "string",
        array: true,
        description: "The datasources of this manifest (repeatable)",
      })
      .option("datasource", { type: "string", array: true, description: "This datasource (repeatable)" })
      .option("since", { type: "string", description: "Migrations that ended at or after this ISO time" })
      .option("dry-run", { type: "boolean", description: "Say what would be reversed; send nothing" })
      .option("domain", { type: "string", description: "Domo domain (or DOMO_DOMAIN)" })
      .option("token-file", {
        type: "string",
        description: "File holding the developer token (or DOMO_DEVELOPER_TOKEN)",
      })
      .option("journal", {
        type: "string",
        description: "Journal file (or FEDMIGRATE_JOURNAL; default ./fedmigrate.db)",
      })
      .option("concurrency", { type: "number", default: 4, description: "Requests at once" })
      .option("retries", {
        type: "number",
        default: 5,
        description: "Retries after the first try for transient failures",
      })
      .option("timeout", { type: "number", default: 300, description: "Seconds per request" })
      .option("max-failures", { type: "number", description: "Stop starting new entries after N failures" })
      .option("report", { type: "string", description: "Write the run's JSON report to FILE" })
      .option("junit", { type: "string", description: "Write JUnit XML (one test case per entry) to FILE" })
      .example("$0 rollback --run r-20261128T013500Z-3f9a1c --dry-run", "What reversing one run would do")
      .example("$0 rollback --run r-20261128T013500Z-3f9a1c", "Undo a bad batch")
      .example("$0 rollback --datasource 495e28ec-6c07-41fc-99ed-b2dce9a5f569", "Undo one datasource")
      .example("$0 rollback --since 2026-11-28T02:00:00Z", "Undo everything since 2 a.m.")
      .example("$0 rollback --all --json", "Undo everything recorded on this domain") as Argv<RollbackArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { runRollbackCommand } = await import("../run-rollback-command.js");
    ctx.exitCode = await runRollbackCommand(args, ctx.io);
  },
};
