import type { Argv } from "yargs";
import { defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, httpOptions } from "../shared-options.js";

/**
 * `fedmigrate discover`: lists types, accounts and candidates (GET calls only) and writes a
 * manifest skeleton for them, to stdout or `--out FILE`.
 */
/** `discover`'s options. */
const discoverOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .options({ domain: configOptions.domain, "token-file": configOptions["token-file"] })
    .options(httpOptions)
    .option("type", {
      type: "string",
      array: true,
      requiresArg: true,
      description: "Only this integration type (repeatable)",
    })
    .option("account", {
      type: "string",
      array: true,
      requiresArg: true,
      description: "Only this Federated V2 account id (repeatable)",
    })
    .option("out", {
      type: "string",
      requiresArg: true,
      description: "Write the skeleton to FILE, not stdout",
    })
    .option("force", { type: "boolean", description: "Let --out replace an existing file" })
    .option("include-migrated", {
      type: "boolean",
      description: "Also list datasources Domo says are already migrated (marked so)",
    })
    .example("$0 discover --out migrations.yaml", "A skeleton of every unmigrated datasource")
    .example(
      "$0 discover --type snowflake-federated --account 12 --out wave1.yaml",
      "One account's datasources",
    )
    .example("$0 discover --json | jq '.types[].accounts[].id'", "The discovered structure, for scripts")
    .example("$0 discover --include-migrated", "Also list what is already migrated");

export const discoverCommand = defineCommand({
  command: "discover",
  describe: "List types, accounts and candidates and write a manifest skeleton for them (GET calls only)",
  builder: discoverOptions,
  run: async (args, io) => {
    const { discoverManifest } = await import("../discover-manifest.js");
    return discoverManifest(args, io);
  },
});
