import { resolveConfig } from "../config/resolve-config.js";
import { FedmigrateError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import type { Journal } from "../journal/open-journal.js";
import type { HistoryArgs } from "./commands/history.js";
import type { StatusArgs } from "./commands/status.js";
import type { CliIo } from "./context.js";
import { loadManifestArgs } from "./runtime.js";
import type { JournalReadArgs } from "./shared-options.js";
import { tableLayout } from "./table-layout.js";

/**
 * Where a command that reads the journal finds it (and which instance it is about): flags, then
 * the environment, then the `--manifest` files' `journal:` and `domain:`, as for `migrate`.
 * Returns the manifests' datasource ids too, when manifests were given.
 */
async function journalReadConfig(args: JournalReadArgs & { domain?: string | undefined }, io: CliIo) {
  const manifests =
    args.manifest && args.manifest.length > 0 ? await loadManifestArgs(args.manifest, io) : undefined;
  const config = resolveConfig({
    flags: { domain: args.domain, journal: args.journal },
    env: io.env,
    manifest: manifests ? { domain: manifests.domain, journal: manifests.journal } : undefined,
    cwd: io.cwd,
  });
  return { config, datasourceIds: manifests && new Set(manifests.entries.map((e) => e.datasource)) };
}

/** Opens the journal read-only; a missing one is said plainly (nothing has run yet). */
async function readJournal<T>(journalPath: string, read: (journal: Journal) => T): Promise<T> {
  const { journalExists, openJournal } = await import("../journal/open-journal.js");
  if (!journalExists(journalPath)) {
    throw new FedmigrateError("USAGE", `there is no journal at ${journalPath}: nothing has run with it yet`, {
      hint: "Name the journal with --journal PATH, FEDMIGRATE_JOURNAL, or --manifest FILE (its journal:).",
    });
  }
  const journal = openJournal(journalPath, { readonly: true });
  try {
    return read(journal);
  } finally {
    journal.close();
  }
}

export async function showStatus(args: StatusArgs, io: CliIo): Promise<number> {
  const { config, datasourceIds } = await journalReadConfig(args, io);
  const rows = await readJournal(config.journalPath, (journal) =>
    journal.latestStates({ domain: config.domain?.key, state: args.state }),
  );
  const wanted = args.datasource ? new Set(args.datasource) : undefined;
  const items = rows.filter(
    (r) => (!wanted || wanted.has(r.datasourceId)) && (!datasourceIds || datasourceIds.has(r.datasourceId)),
  );
  if (args.json) {
    const { whereabouts } = await import("../report/render-status.js");
    io.stdout.write(
      `${JSON.stringify(
        {
          success: true,
          count: items.length,
          items: items.map((r) => ({
            domain: r.domain,
            datasource: r.datasourceId,
            name: r.datasourceName,
            account: r.accountId,
            direction: r.direction,
            catalog: r.catalog,
            schema: r.schema,
            table: r.tableName,
            state: r.state,
            now: whereabouts(r),
            toe: r.toe,
            errorMessage: r.errorMessage,
            runId: r.runId,
            at: r.endedAt ?? r.startedAt,
          })),
        },
        null,
        2,
      )}\n`,
    );
    return ExitCode.OK;
  }
  const { renderStatusChunks } = await import("../report/render-status.js");
  // In pieces as drawn: one datasource per row, and an instance may have tens of thousands.
  for (const piece of renderStatusChunks(items, tableLayout(io, args.wide))) io.stdout.write(piece);
  return ExitCode.OK;
}

export async function showHistory(args: HistoryArgs, io: CliIo): Promise<number> {
  const { config } = await journalReadConfig(args, io);
  const runs = await readJournal(config.journalPath, (journal) =>
    journal.listRuns({ limit: args.limit, domain: config.domain?.key }),
  );
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ success: true, runs }, null, 2)}\n`);
    return ExitCode.OK;
  }
  const { renderHistory } = await import("../report/render-history.js");
  io.stdout.write(renderHistory(runs, tableLayout(io, args.wide)));
  return ExitCode.OK;
}
