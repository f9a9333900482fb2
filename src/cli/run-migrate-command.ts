import { readFileSync } from "node:fs";
import path from "node:path";
import { apiRuntime } from "../domo/api-runtime.js";
import { FedmigrateError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { parseSavedPlan, type SavedPlan } from "../plan/saved-plan.js";
import type { PlanEntry } from "../plan/types.js";
import { migrate, selectEntries } from "../run/migrate.js";
import { askToProceed, canAsk } from "./ask-to-proceed.js";
import type { MigrateArgs } from "./commands/migrate.js";
import type { CliIo } from "./context.js";
import { emitReport } from "./emit-report.js";
import { cliRunPorts } from "./run-ports.js";
import { checkGiven, checkRunArgs, cliLogger, commandLine, configFrom, loadManifestArgs } from "./runtime.js";

/** `fedmigrate migrate`: plan online, then run the plan; returns the exit code. */
export async function runMigrateCommand(args: MigrateArgs, io: CliIo): Promise<number> {
  checkRunArgs(args);
  checkGiven("only", args.only);
  checkGiven("plan", args.plan);

  if (args.dryRun) {
    const { runPlanCommand } = await import("./commands/plan.js");
    return runPlanCommand(args, io);
  }

  const manifests = await loadManifestArgs(args.manifests, io);
  const config = configFrom(args, io, manifests);
  const logger = await cliLogger(args, io, [config.token]);
  const runtime = await apiRuntime(config, args, logger, io.env);
  // Where the token and the migrations go, first, before anything changes.
  if (!args.json) io.stdout.write(`Domo: ${runtime.domainKey}\n`);
  const entries = selectEntries(manifests.entries, args.only);

  // On a terminal, the plan is shown and a person says yes before anything is sent.
  let confirmed: Set<string> | undefined;
  if (!args.yes && canAsk(io)) {
    const answer = await confirmMigration(args, io, entries);
    if (typeof answer === "number") return answer;
    confirmed = answer;
  }

  const report = await migrate(
    manifests,
    {
      domain: runtime.domainKey,
      journalPath: config.journalPath,
      only: args.only,
      concurrency: args.concurrency,
      maxFailures: args.maxFailures,
      limit: args.limit,
      includeRolledBack: args.includeRolledBack ?? false,
      savedPlan: args.plan ? readSavedPlan(args.plan, io) : undefined,
      approved: confirmed,
      recorded: {
        concurrency: args.concurrency,
        retries: args.retries,
        timeout: args.timeout,
        only: args.only ?? null,
        limit: args.limit ?? null,
        maxFailures: args.maxFailures ?? null,
        includeRolledBack: args.includeRolledBack ?? false,
        plan: args.plan ?? null,
        manifests: args.manifests,
      },
    },
    { ...runtime, ...cliRunPorts(io, logger, runtime, args.json) },
  );
  await emitReport(report, args, io, config.journalPath, {
    rerun: commandLine("migrate", args.manifests),
    retried: runtime.retries.count,
  });
  return report.exitCode;
}

/** The saved plan `--plan` names, read and checked for shape (its staleness is the run's check). */
function readSavedPlan(name: string, io: CliIo): { plan: SavedPlan; name: string } {
  const file = path.resolve(io.cwd, name);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FedmigrateError("USAGE", `cannot read the plan ${file}: ${(error as Error).message}`);
  }
  const parsed = parseSavedPlan(text);
  if ("error" in parsed) throw new FedmigrateError("USAGE", `${file} is ${parsed.error}`);
  return { plan: parsed.plan, name };
}

/**
 * Plans as `plan` does (GETs only), shows what would be migrated and asks. Returns the datasources
 * to migrate on yes, or the exit code to leave with (1 on no, 130 on Ctrl-C): nothing is sent.
 */
async function confirmMigration(
  args: MigrateArgs,
  io: CliIo,
  entries: readonly PlanEntry[],
): Promise<Set<string> | number> {
  const { makePlan } = await import("./make-plan.js");
  const { plan } = await makePlan({ ...args, offline: false, out: undefined }, io);
  const wanted = new Set(entries.map((e) => e.datasource));
  const items = plan.items.filter((item) => wanted.has(item.entry.datasource));
  let taken = 0;
  const shown = items.map((item) => {
    if (item.action !== "migrate") return item;
    if (args.limit !== undefined && taken >= args.limit) {
      return { ...item, action: "skip" as const, reason: `deferred by --limit ${args.limit}` };
    }
    taken += 1;
    return item;
  });
  const counts = { migrate: 0, skip: 0, held: 0, blocked: 0 };
  for (const item of shown) counts[item.action] += 1;
  const { renderPlanChunks } = await import("../report/render-plan.js");
  const { tableLayout } = await import("./table-layout.js");
  const out = args.json ? io.stderr : io.stdout;
  for (const chunk of renderPlanChunks(
    { ...plan, items: shown, counts },
    { layout: tableLayout(io, args.wide) },
  ))
    out.write(chunk);
  const ids = new Set(shown.filter((i) => i.action === "migrate").map((i) => i.entry.datasource));
  if (ids.size === 0) return ids;
  const { plural } = await import("../report/plural.js");
  const answer = await askToProceed(
    io,
    `Migrate ${plural(ids.size, "datasource", "datasources")} on ${plan.domain} now? Type 'yes' (or 'y') to go on: `,
    out,
  );
  if (answer === "yes") return ids;
  out.write("Nothing was sent.\n");
  return answer === "interrupted" ? ExitCode.INTERRUPTED : ExitCode.ITEMS_FAILED;
}
