import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { DoctorArgs } from "../run-doctor.js";

/**
 * `fedmigrate doctor`: checks configuration, token, reachability and the journal, and says what
 * is wrong in plain words. GET calls only; the journal is read, never created.
 */
export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: "doctor",
  describe: "Check configuration, token, reachability and the journal, and say what is wrong in plain words",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .option("domain", { type: "string", requiresArg: true, description: "Domo domain (or DOMO_DOMAIN)" })
      .option("token-file", {
        type: "string",
        requiresArg: true,
        description: "File holding the developer token (or DOMO_DEVELOPER_TOKEN)",
      })
      .option("journal", {
        type: "string",
        requiresArg: true,
        description: "Journal file (or FEDMIGRATE_JOURNAL; default ./fedmigrate.db); only read",
      })
      .option("retries", {
        type: "number",
        description: "Retries after the first try for transient failures",
        default: 5,
      })
      .option("timeout", { type: "number", description: "Seconds per request", default: 60 })
      .example("$0 doctor", "Is everything set up?")
      .example(
        "$0 doctor --json | jq '.checks[] | select(.status != \"ok\")'",
        "What needs attention",
      ) as Argv<DoctorArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { renderDoctor, runDoctor } = await import("../run-doctor.js");
    const report = await runDoctor(args, ctx.io);
    if (args.json) {
      const { exitCode: _exitCode, ...document } = report;
      ctx.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      ctx.io.stdout.write(renderDoctor(report));
    }
    ctx.exitCode = report.exitCode;
  },
};
