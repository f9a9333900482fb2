import type { Argv } from "yargs";
import { ExitCode } from "../../exit-codes.js";
import type { CliIo } from "../context.js";
import { defineCommand, type GlobalOptionArgs } from "../define-command.js";
import type { ConfigArgs, HttpArgs } from "../runtime.js";
import { configOptions, httpOptions } from "../shared-options.js";

export interface PlanArgs extends ConfigArgs, HttpArgs {
  manifests: string[];
  offline?: boolean;
  detailedExitcode?: boolean;
  out?: string;
  includeRolledBack?: boolean;
  showAll?: boolean;
}

/** The options `plan` shares with `migrate` (which plans first). */
export function planOptions<T>(yargs: Argv<T>) {
  return yargs
    .options(configOptions)
    .options(httpOptions)
    .option("include-rolled-back", { type: "boolean", description: "Migrate entries a rollback is holding" });
}

/** `plan`'s options. */
const planCommandOptions = (yargs: Argv<GlobalOptionArgs>) =>
  planOptions(yargs)
    .positional("manifests", {
      type: "string",
      array: true,
      demandOption: true,
      description: "Manifest files or directories",
    })
    .option("offline", { type: "boolean", description: "Consult only the journal, call nothing" })
    .option("detailed-exitcode", { type: "boolean", description: "Exit 5 when there is work pending" })
    .option("out", { type: "string", description: "Save the plan (with hashes) for 'migrate --plan FILE'" })
    .option("show-all", {
      type: "boolean",
      description: "List every entry, the unchanged too (by default they are counted)",
    })
    .example("$0 plan migrations.yaml", "What would migrate do, asking the server")
    .example("$0 plan migrations/ --offline", "From the journal alone")
    .example(
      "$0 plan migrations.yaml --out reviewed.plan.json",
      "Save a plan to review, then run it exactly",
    );

export const planCommand = defineCommand({
  command: "plan <manifests..>",
  describe: "Dry run: say for every entry what migrate would do and why (GET calls only)",
  builder: planCommandOptions,
  run: runPlanCommand,
});

/** `fedmigrate plan` (and `migrate --dry-run`): the plan, printed or saved; returns the exit code. */
export async function runPlanCommand(args: PlanArgs, io: CliIo): Promise<number> {
  const { makePlan } = await import("../make-plan.js");
  const result = await makePlan(args, io);
  const { renderPlanChunks } = await import("../../report/render-plan.js");
  if (args.out) {
    const { writeOutputFile } = await import("../runtime.js");
    writeOutputFile(args.out, `${JSON.stringify(result.saved, null, 2)}\n`, io, "plan");
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify(planJson(result), null, 2)}\n`);
  } else {
    io.stdout.write(`Domo: ${result.plan.domain}\n`);
    const { tableLayout } = await import("../table-layout.js");
    const { commandLine } = await import("../runtime.js");
    const chunks = renderPlanChunks(result.plan, {
      layout: tableLayout(io, args.wide),
      showAll: args.showAll ?? false,
      applyCommand: args.out
        ? commandLine("migrate", [...args.manifests, "--plan", args.out])
        : commandLine("migrate", args.manifests),
    });
    for (const chunk of chunks) io.stdout.write(chunk);
    if (args.out) io.stdout.write(`Saved to ${args.out}.\n`);
  }
  const { counts } = result.plan;
  if (args.detailedExitcode && counts.migrate > 0) return ExitCode.PENDING;
  if (counts.blocked > 0) return ExitCode.ITEMS_FAILED;
  return ExitCode.OK;
}

function planJson(result: Awaited<ReturnType<typeof import("../make-plan.js").makePlan>>) {
  const { plan, saved } = result;
  return {
    success: plan.counts.blocked === 0,
    command: "plan",
    domain: plan.domain,
    online: plan.online,
    includeRolledBack: plan.includeRolledBack,
    manifestsHash: saved.manifestsHash,
    journalHash: saved.journalHash,
    counts: plan.counts,
    items: plan.items.map(({ entry, action, code, reason, last }) => ({
      datasource: entry.datasource,
      name: entry.name ?? null,
      account: entry.account,
      catalog: entry.catalog,
      schema: entry.schema,
      table: entry.table,
      action,
      code,
      reason,
      lastState: last?.state ?? null,
      lastToe: last?.toe ?? null,
    })),
  };
}
