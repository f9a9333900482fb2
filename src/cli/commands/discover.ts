import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { DiscoverArgs } from "../discover-manifest.js";
import { configOptions, httpOptions } from "../shared-options.js";

/**
 * `fedmigrate discover`: lists types, accounts and candidates (GET calls only) and writes a
 * manifest skeleton for them, to stdout or `--out FILE`.
 */
export const discoverCommand: CommandModule<object, DiscoverArgs> = {
  command: "discover",
  describe: "List types, accounts and candidates and write a manifest skeleton for them (GET calls only)",
  builder: (yargs) =>
    (yargs as Argv<object>)
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
      .example("$0 discover --include-migrated", "Also list what is already migrated") as Argv<DiscoverArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { discoverManifest } = await import("../discover-manifest.js");
    ctx.exitCode = await discoverManifest(args, ctx.io);
  },
};
