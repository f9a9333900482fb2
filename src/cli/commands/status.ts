import type { Argv, CommandModule } from "yargs";
import type { AttemptState } from "../../journal/types.js";
import type { CommandContext } from "../context.js";
import type { ConfigArgs } from "../runtime.js";
import { configOptions } from "../shared-options.js";

const STATES = ["IN_FLIGHT", "COMPLETE", "INCOMPLETE", "ABORTED", "FAILED"] as const;

export interface StatusArgs extends ConfigArgs {
  state?: AttemptState[];
  datasource?: string[];
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: "status",
  describe: "The latest state of every datasource in the journal",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .option("journal", configOptions.journal)
      .option("domain", { ...configOptions.domain, description: "Only this instance [env DOMO_DOMAIN]" })
      .option("state", {
        type: "string",
        array: true,
        choices: STATES,
        description: "Only these latest states",
      })
      .option("datasource", { type: "string", array: true, description: "Only this datasource (repeatable)" })
      .example("$0 status", "Every datasource's latest state")
      .example("$0 status --state ABORTED --state INCOMPLETE", "What needs attention")
      .example(
        "$0 status --json | jq '.items[] | select(.state==\"COMPLETE\")'",
        "For scripts",
      ) as Argv<StatusArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { showStatus } = await import("../show-journal.js");
    ctx.exitCode = await showStatus(args, ctx.io);
  },
};
