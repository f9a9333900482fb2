import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { DiscoverArgs } from "../discover-manifest.js";

/**
 * `fedmigrate discover`: lists types, accounts and candidates (GET calls only) and writes a
 * manifest skeleton for them, to stdout or `--out FILE`.
 */
export const discoverCommand: CommandModule<object, DiscoverArgs> = {
  command: "discover",
  describe: "List types, accounts and candidates and write a manifest skeleton for them (GET calls only)",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .option("domain", { type: "string", requiresArg: true, description: "Domo domain (or DOMO_DOMAIN)" })
      .option("token-file", {
        type: "string",
        requiresArg: true,
        description: "File holding the developer token (or DOMO_DEVELOPER_TOKEN)",
      })
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
      .option("retries", {
        type: "number",
        description: "Retries after the first try for transient failures",
        default: 5,
      })
      .option("timeout", { type: "number", description: "Seconds per request", default: 300 })
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
