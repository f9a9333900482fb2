import type { Argv } from "yargs";
import { UsageError } from "../../errors.js";
import type { AttemptState } from "../../journal/types.js";
import { type BuiltArgs, defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, journalReadOptions } from "../shared-options.js";

const STATES = ["IN_FLIGHT", "COMPLETE", "INCOMPLETE", "ABORTED", "FAILED"] as const;

/** `status`'s options. */
const statusOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .options(journalReadOptions)
    .option("domain", {
      ...configOptions.domain,
      description: "Only this instance [env DOMO_DOMAIN; manifest domain]",
    })
    .option("state", {
      type: "string",
      array: true,
      requiresArg: true,
      description: `Only these latest states, in any case (${STATES.join(", ")}; repeatable)`,
      coerce: stateList,
    })
    .option("datasource", { type: "string", array: true, description: "Only this datasource (repeatable)" })
    .example("$0 status", "Every datasource's latest state")
    .example("$0 status --state aborted --state incomplete", "What needs attention")
    .example("$0 status --manifest migrations.yaml", "The datasources of one manifest, from its journal")
    .example("$0 status --json | jq '.items[] | select(.state==\"COMPLETE\")'", "For scripts");

/** `fedmigrate status`'s arguments, as its options declare them. */
export type StatusArgs = BuiltArgs<typeof statusOptions>;

export const statusCommand = defineCommand({
  command: "status",
  describe:
    "Where each datasource in the journal is now (V2, back on V1, needs attention), what needs attention first",
  builder: statusOptions,
  run: async (args, io) => {
    const { showStatus } = await import("../show-journal.js");
    return showStatus(args, io);
  },
});

/** `--state` values, matched without regard to case; an unknown one is refused with the known ones. */
function stateList(values: unknown): AttemptState[] {
  const list = (Array.isArray(values) ? values : [values]).map((v) => String(v).trim().toUpperCase());
  for (const value of list) {
    if (!(STATES as readonly string[]).includes(value)) {
      // In the message itself: yargs keeps only the message of an error thrown here.
      throw new UsageError(
        `--state ${JSON.stringify(value.toLowerCase())} is not a state: give one of ${STATES.join(", ")} (any case)`,
      );
    }
  }
  return list as AttemptState[];
}
