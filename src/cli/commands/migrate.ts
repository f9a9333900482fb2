import type { Argv } from "yargs";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { runOptions, wholeNumberOption } from "../shared-options.js";
import { planOptions } from "./plan.js";

/** `migrate`'s options. */
const migrateOptions = (yargs: Argv<GlobalOptionArgs>) =>
  planOptions(yargs)
    .positional("manifests", {
      type: "string",
      array: true,
      demandOption: true,
      description: "Manifest files or directories",
    })
    .options(runOptions)
    .option("only", { type: "string", array: true, description: "Only this datasource id (repeatable)" })
    .option(
      "limit",
      wholeNumberOption("limit", {
        max: 10_000_000,
        description: "At most N entries that need work (repeat runs walk the list)",
      }),
    )
    .option("dry-run", { type: "boolean", description: "Same as plan: send nothing" })
    .option("yes", {
      alias: "y",
      type: "boolean",
      description: "Do not ask first (on a terminal migrate shows the plan and asks; off one it never asks)",
    })
    .option("plan", {
      type: "string",
      description: "Run exactly this saved plan (from 'plan --out'); refuses a stale one",
    })
    // A reviewed plan is run, not previewed: `plan` previews.
    .conflicts("dry-run", "plan")
    .example("$0 migrate migrations.yaml", "Migrate everything that needs it")
    .example(
      "$0 migrate migrations.yaml --concurrency 8 --max-failures 5",
      "Faster, and stop early if it goes wrong",
    )
    .example("$0 migrate migrations.yaml --limit 50", "A batch of 50; run again for the next")
    .example("$0 migrate migrations.yaml --plan reviewed.plan.json", "Run the reviewed plan")
    .example("$0 migrate m.yaml --json --report run.json --junit junit.xml", "For CI");

/** `fedmigrate migrate`'s arguments, as its options declare them. */
export type MigrateArgs = BuiltArgs<typeof migrateOptions>;

export const migrateCommand = defineCommand({
  command: "migrate <manifests..>",
  describe: "Run the plan: call migrate for every entry that needs it, journaling every attempt",
  builder: migrateOptions,
  run: async (args, io) => {
    const { runMigrateCommand } = await import("../run-migrate-command.js");
    return runMigrateCommand(args, io);
  },
});
