// A journal with a long history, written directly with better-sqlite3 in the journal's own
// schema (created by the build's openJournal, so the triggers keep item_latest as a real run
// would), all rows in one transaction, then chained as the schema upgrade chains old rows: a million rows in well under a minute.
import Database from "better-sqlite3";
import { importBuilt } from "./write-scenario.mjs";

const STARTED = Date.parse("2025-01-06T08:00:00.000Z");

/**
 * Writes `runs` runs over `items` (manifest entries: datasource, name, account, catalog, schema,
 * table), alternating migrate and rollback and ending with a migrate, one attempt per entry and
 * run, until `attempts` rows exist. One migration in 37 is ABORTED first and completes on its
 * second attempt, as retried entries do.
 * @returns {Promise<{ attempts: number, runs: number, ms: number }>}
 */
export async function makeJournal(file, { domain, items, attempts, runs }) {
  const { openJournal } = await importBuilt("journal/open-journal.js");
  const { chainUnchainedRows } = await importBuilt("journal/journal-chain.js");
  openJournal(file).close();
  const began = performance.now();
  const db = new Database(file);
  try {
    // Speed for a throw-away file: no fsync, a page cache big enough for the indexes, one writer.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144");
    db.pragma("locking_mode = EXCLUSIVE");
    const insertRun = db.prepare(
      `INSERT INTO runs (id, command, started_at, ended_at, status, domain, manifests_hash, "user", host, pid)
       VALUES (@id, @command, @startedAt, @endedAt, 'SUCCEEDED', @domain, 'bench', 'bench', 'bench-host', 1)`,
    );
    const insertAttempt = db.prepare(
      `INSERT INTO attempts (run_id, domain, datasource_id, datasource_name, account_id, direction, catalog,
         "schema", table_name, attempt, toe, state, error_message, http_status, started_at, ended_at)
       VALUES (@runId, @domain, @datasource, @name, @account, @direction, @catalog, @schema, @table, @attempt,
         @toe, @state, @errorMessage, 200, @at, @at)`,
    );
    let written = 0;
    let run = 0;
    db.transaction(() => {
      for (; run < runs && written < attempts; run++) {
        const direction = run === runs - 1 || run % 2 === 0 ? "V1_TO_V2" : "V2_TO_V1";
        const runId = `bench-run-${String(run).padStart(4, "0")}`;
        const at = (second) => new Date(STARTED + run * 86_400_000 + second * 1000).toISOString();
        insertRun.run({
          id: runId,
          command: direction === "V1_TO_V2" ? "migrate" : "rollback",
          startedAt: at(0),
          endedAt: at(3600),
          domain,
        });
        for (let i = 0; i < items.length && written < attempts; i++) {
          const row = { ...items[i], runId, domain, direction, at: at(i % 3600), errorMessage: null };
          if (direction === "V1_TO_V2" && (i + run) % 37 === 0 && written + 1 < attempts) {
            const failed = { ...row, attempt: 1, toe: `BENCH${run}-${i}-A`, state: "ABORTED" };
            insertAttempt.run({ ...failed, errorMessage: "Table not found" });
            insertAttempt.run({ ...row, attempt: 2, toe: `BENCH${run}-${i}`, state: "COMPLETE" });
            written += 2;
          } else {
            insertAttempt.run({ ...row, attempt: 1, toe: `BENCH${run}-${i}`, state: "COMPLETE" });
            written += 1;
          }
        }
      }
      // The rows were written final, directly: chain them as the schema upgrade chains an old
      // journal's, so that the journal audits clean like one fedmigrate wrote.
      chainUnchainedRows(db);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    return { attempts: written, runs: run, ms: performance.now() - began };
  } finally {
    db.close();
  }
}
