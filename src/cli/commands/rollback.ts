import type { Argv } from "yargs";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, httpOptions, runOptions } from "../shared-options.js";

/** `rollback`'s options: its scopes, configuration, HTTP and run bounds. */
const rollbackOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
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
    // --all reverses everything: it is given alone, or the other scopes narrow instead.
    .conflicts("all", ["run", "manifest", "datasource", "since"])
    .example("$0 rollback --run r-20261128T013500Z-3f9a1c --dry-run", "What reversing one run would do")
    .example("$0 rollback --run r-20261128T013500Z-3f9a1c", "Undo a bad batch")
    .example("$0 rollback --datasource 495e28ec-6c07-41fc-99ed-b2dce9a5f569", "Undo one datasource")
    .example("$0 rollback --since 2026-11-28T02:00:00Z", "Undo everything since 2 a.m.")
    .example("$0 rollback --all --json", "Undo everything recorded on this domain");

/** `fedmigrate rollback`'s arguments, as its options declare them. */
export type RollbackArgs = BuiltArgs<typeof rollbackOptions>;

export const rollbackCommand = defineCommand({
  command: "rollback",
  describe: "Reverse recorded migrations in a scope that must be given (back to Federated V1)",
  builder: rollbackOptions,
  run: async (args, io) => {
    const { runRollbackCommand } = await import("../run-rollback-command.js");
    return runRollbackCommand(args, io);
  },
});
