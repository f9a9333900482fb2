import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { ConfigArgs, HttpArgs } from "../runtime.js";
import { configOptions, httpOptions, runOptions } from "../shared-options.js";

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
  yes?: boolean;
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
        description: "The datasources of this manifest, from its journal: (repeatable)",
      })
      .option("datasource", { type: "string", array: true, description: "This datasource (repeatable)" })
      .option("since", { type: "string", description: "Migrations that ended at or after this ISO time" })
      .options(configOptions)
      .options(httpOptions)
      .options(runOptions)
      .option("dry-run", { type: "boolean", description: "Say what would be reversed; send nothing" })
      .option("yes", {
        alias: "y",
        type: "boolean",
        description:
          "Do not ask first (on a terminal rollback shows what it will reverse and asks; off one it never asks)",
      })
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
