import { resolveConfig } from "../config/resolve-config.js";
import { FedmigrateError } from "../errors.js";
import type { Journal } from "../journal/open-journal.js";
import { renderTable, renderTableChunks } from "../report/render-table.js";
import { terminalSafe } from "../report/terminal-safe.js";
import type { HistoryArgs } from "./commands/history.js";
import type { StatusArgs } from "./commands/status.js";
import type { CliIo } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { checkCount } from "./runtime.js";

/** Opens the journal read-only; a missing one is said plainly (nothing has run yet). */
async function readJournal<T>(
  args: { journal?: string | undefined; domain?: string | undefined },
  io: CliIo,
  read: (journal: Journal, domain: string | undefined) => T,
): Promise<T> {
  const config = resolveConfig({
    flags: { domain: args.domain, journal: args.journal },
    env: io.env,
    cwd: io.cwd,
  });
  const { journalExists, openJournal } = await import("../journal/open-journal.js");
  if (!journalExists(config.journalPath)) {
    throw new FedmigrateError(
      "USAGE",
      `there is no journal at ${config.journalPath}: nothing has run with it yet`,
      {
        hint: "Name the journal with --journal PATH or FEDMIGRATE_JOURNAL.",
      },
    );
  }
  const journal = openJournal(config.journalPath, { readonly: true });
  try {
    return read(journal, config.domain?.key);
  } finally {
    journal.close();
  }
}

export async function showStatus(args: StatusArgs, io: CliIo): Promise<number> {
  const rows = await readJournal(args, io, (journal, domain) =>
    journal.latestStates({ domain, state: args.state }),
  );
  const wanted = args.datasource ? new Set(args.datasource) : undefined;
  const items = rows.filter((r) => !wanted || wanted.has(r.datasourceId));
  if (args.json) {
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
  const counts = new Map<string, number>();
  const cells = items.map((r) => {
    const key = `${r.direction === "V2_TO_V1" ? "reversal " : ""}${r.state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return [
      r.datasourceId,
      r.datasourceName ?? "",
      r.direction,
      r.state,
      r.toe ?? "",
      r.runId,
      r.endedAt ?? r.startedAt,
      (r.errorMessage ?? "").slice(0, 80),
      // A journal written before server text was cleaned where it enters may still hold escapes.
    ].map((cell) => terminalSafe(cell, { oneLine: true }));
  });
  if (items.length > 0) {
    // In pieces as drawn: one datasource per row, and an instance may have tens of thousands.
    const pieces = renderTableChunks(
      {
        head: ["datasource", "name", "direction", "state", "toe", "run", "at", "error"],
        style: { head: [], border: [] },
        wordWrap: true,
      },
      cells,
    );
    for (const piece of pieces) io.stdout.write(piece);
    io.stdout.write("\n");
  }
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "none";
  io.stdout.write(`${items.length} datasources: ${summary}.\n`);
  return ExitCode.OK;
}

export async function showHistory(args: HistoryArgs, io: CliIo): Promise<number> {
  checkCount("limit", args.limit, { max: 1_000_000 });
  const runs = await readJournal(args, io, (journal, domain) =>
    journal.listRuns({ limit: args.limit, domain }),
  );
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ success: true, runs }, null, 2)}\n`);
    return ExitCode.OK;
  }
  if (runs.length === 0) {
    io.stdout.write("No runs in this journal yet.\n");
    return ExitCode.OK;
  }
  const table = renderTable(
    {
      head: ["run", "command", "status", "domain", "started", "ended", "entries", "complete", "failed", "by"],
      style: { head: [], border: [] },
    },
    runs.map((run) => [
      run.id,
      run.command,
      run.status,
      run.domain,
      run.startedAt,
      run.endedAt ?? "",
      String(run.datasources),
      String(run.counts.COMPLETE),
      String(run.counts.ABORTED + run.counts.INCOMPLETE + run.counts.FAILED),
      `${run.user}@${run.host}`,
    ]),
  );
  io.stdout.write(`${table}\n`);
  return ExitCode.OK;
}
