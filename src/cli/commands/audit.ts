import type { Argv } from "yargs";
import { defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, httpOptions } from "../shared-options.js";

/**
 * `fedmigrate audit`: checks the journal's integrity (hash chain, guard triggers, derived tables)
 * and, unless `--offline`, that Domo agrees with it. Exit 0 when clean, 1 on any finding.
 */
/** `audit`'s options. */
const auditOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .options(configOptions)
    .options(httpOptions)
    .option("manifest", {
      type: "string",
      requiresArg: true,
      description: "Use this manifest's journal (and domain)",
    })
    .option("offline", { type: "boolean", description: "The journal's integrity only: call nothing" })
    .example("$0 audit --offline", "Verify the chain, the triggers and the derived tables; prints the head")
    .example(
      "$0 audit --offline --journal copy.db",
      "Check a copy: its head must match a run report's journalHead",
    )
    .example("$0 audit --manifest migrations.yaml", "Also reconcile the journal with Domo's candidate lists")
    .example("$0 audit --json | jq '.findings'", "For scripts");

export const auditCommand = defineCommand({
  command: "audit",
  describe:
    "Check the journal's integrity (hash chain, triggers, derived tables) and that Domo agrees with it",
  builder: auditOptions,
  run: async (args, io) => {
    const { runAuditCommand } = await import("../run-audit-command.js");
    return runAuditCommand(args, io);
  },
});
