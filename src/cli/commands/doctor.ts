import type { Argv } from "yargs";
import { defineCommand, type GlobalOptionArgs } from "../define-command.js";
import { configOptions, httpOptions } from "../shared-options.js";

/**
 * `fedmigrate doctor`: checks configuration, token, reachability and the journal, and says what
 * is wrong in plain words. GET calls only; the journal is read, never created.
 */
/** `doctor`'s options. */
const doctorOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .options(configOptions)
    .options(httpOptions)
    // A check should answer quickly; the journal is only read, never created.
    .option("timeout", { ...httpOptions.timeout, default: 60 })
    .option("journal", {
      ...configOptions.journal,
      description: `${configOptions.journal.description}; only read`,
    })
    .example("$0 doctor", "Is everything set up?")
    .example("$0 doctor --json | jq '.checks[] | select(.status != \"ok\")'", "What needs attention");

export const doctorCommand = defineCommand({
  command: "doctor",
  describe: "Check configuration, token, reachability and the journal, and say what is wrong in plain words",
  builder: doctorOptions,
  run: async (args, io) => {
    const [{ runDoctor }, { renderDoctor }] = await Promise.all([
      import("../run-doctor.js"),
      import("../../report/render-doctor.js"),
    ]);
    const report = await runDoctor(args, io);
    if (args.json) {
      const { exitCode: _exitCode, ...document } = report;
      io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      io.stdout.write(renderDoctor(report));
    }
    return report.exitCode;
  },
});
