import type { Argv, CommandModule } from "yargs";
import type { CommandContext } from "../context.js";
import type { DoctorArgs } from "../run-doctor.js";
import { configOptions, httpOptions } from "../shared-options.js";

/**
 * `fedmigrate doctor`: checks configuration, token, reachability and the journal, and says what
 * is wrong in plain words. GET calls only; the journal is read, never created.
 */
export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: "doctor",
  describe: "Check configuration, token, reachability and the journal, and say what is wrong in plain words",
  builder: (yargs) =>
    (yargs as Argv<object>)
      .options(configOptions)
      .options(httpOptions)
      // A check should answer quickly; the journal is only read, never created.
      .option("timeout", { ...httpOptions.timeout, default: 60 })
      .option("journal", {
        ...configOptions.journal,
        description: `${configOptions.journal.description}; only read`,
      })
      .example("$0 doctor", "Is everything set up?")
      .example(
        "$0 doctor --json | jq '.checks[] | select(.status != \"ok\")'",
        "What needs attention",
      ) as Argv<DoctorArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const [{ runDoctor }, { renderDoctor }] = await Promise.all([
      import("../run-doctor.js"),
      import("../../report/render-doctor.js"),
    ]);
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
