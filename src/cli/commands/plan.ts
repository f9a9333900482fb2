import type { Argv, CommandModule } from "yargs";
import { ExitCode } from "../../exit-codes.js";
import type { CommandContext } from "../context.js";
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

export const planCommand: CommandModule<object, PlanArgs> = {
  command: "plan <manifests..>",
  describe: "Dry run: say for every entry what migrate would do and why (GET calls only)",
  builder: (yargs) =>
    planOptions(yargs as Argv<object>)
      .positional("manifests", { type: "string", array: true, description: "Manifest files or directories" })
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
      ) as Argv<PlanArgs>,
  handler: async (args, ...rest: unknown[]) => {
    const ctx = rest[0] as CommandContext;
    const { makePlan } = await import("../make-plan.js");
    const result = await makePlan(args, ctx.io);
    const { renderPlanChunks } = await import("../../report/render-plan.js");
    if (args.out) {
      const { writeOutputFile } = await import("../runtime.js");
      writeOutputFile(args.out, `${JSON.stringify(result.saved, null, 2)}\n`, ctx.io, "plan");
    }
    if (args.json) {
      ctx.io.stdout.write(`${JSON.stringify(planJson(result), null, 2)}\n`);
    } else {
      ctx.io.stdout.write(`Domo: ${result.plan.domain}\n`);
      const { tableLayout } = await import("../table-layout.js");
      const { commandLine } = await import("../runtime.js");
      const chunks = renderPlanChunks(result.plan, {
        layout: tableLayout(ctx.io, args.wide),
        showAll: args.showAll ?? false,
        applyCommand: args.out
          ? commandLine("migrate", [...args.manifests, "--plan", args.out])
          : commandLine("migrate", args.manifests),
      });
      for (const chunk of chunks) ctx.io.stdout.write(chunk);
      if (args.out) ctx.io.stdout.write(`Saved to ${args.out}.\n`);
    }
    const { counts } = result.plan;
    if (args.detailedExitcode && counts.migrate > 0) ctx.exitCode = ExitCode.PENDING;
    else if (counts.blocked > 0) ctx.exitCode = ExitCode.ITEMS_FAILED;
    else ctx.exitCode = ExitCode.OK;
  },
};

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
