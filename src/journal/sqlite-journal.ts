import type Database from "better-sqlite3";
import { auditJournal, type JournalAudit } from "./audit-journal.js";
import type { Journal, LatestStatesFilter } from "./journal.js";
import { appendToChain, type ChainHead, readChainHead } from "./journal-chain.js";
import { JournalError, journalErrorFrom } from "./journal-error.js";
import {
  type AcquireLockOptions,
  acquireLock,
  heartbeatLock,
  type LockAcquired,
  readLock,
  releaseLock,
} from "./run-lock.js";
import type {
  AttemptResult,
  AttemptRow,
  AttemptState,
  ItemHistory,
  LockOwner,
  NewAttempt,
  NewRun,
  RunRow,
  RunStatus,
  RunSummary,
} from "./types.js";

// Column lists with camelCase aliases, so rows come out of SQLite already in our shapes.
const RUN_COLUMNS = `id, command, domain, manifests_hash AS manifestsHash, "user" AS user, host, pid,
  ci_job_url AS ciJobUrl, started_at AS startedAt, options, ended_at AS endedAt, status`;
// Attempt rows are read as arrays and shaped by `toAttemptRow`: for the 100,000 rows of a large
// `histories()`, that takes half the time of better-sqlite3's own row objects.
const ATTEMPT_COLUMNS = `id, run_id, domain, datasource_id, datasource_name, account_id, direction, catalog, "schema",
  table_name, attempt, toe, state, error_message, http_status, started_at, ended_at, server_start_time,
  server_end_time, resolved_by`;

// The latest-state queries read item_latest (kept by triggers; see schema.ts), one row per item,
// then look the attempt rows up by id: their cost follows the number of datasources, not the
// length of the history.
const LATEST_FINAL_SQL = `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE id IN (
  SELECT last_migrate_id FROM item_latest WHERE domain = @domain %IDS%
  UNION ALL
  SELECT last_reverse_id FROM item_latest WHERE domain = @domain %IDS%)
  ORDER BY id`;
const ONLY_IDS = "AND datasource_id IN (SELECT value FROM json_each(@ids))";
const LATEST_ANY_SQL = `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE id IN (SELECT last_id FROM item_latest %DOMAIN%)
  AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
  AND (@direction IS NULL OR direction = @direction)
  ORDER BY id`;

interface Statements {
  insertRun: Database.Statement<[NewRun]>;
  finishRun: Database.Statement<[RunStatus, string, string]>;
  getRun: Database.Statement<[string], RunRow>;
  lastRun: Database.Statement<[{ command: string | null }], RunRow>;
  listRuns: Database.Statement<[{ domain: string | null; limit: number }], RunRow>;
  runCounts: Database.Statement<[string], { runId: string; state: AttemptState; n: number }>;
  insertAttempt: Database.Statement<[NewAttempt]>;
  completeAttempt: Database.Statement<[AttemptResult & { id: number }]>;
  attemptState: Database.Statement<[number], AttemptState>;
  latestFinal: AttemptQuery<[{ domain: string }]>;
  latestFinalOf: AttemptQuery<[{ domain: string; ids: string }]>;
  inFlight: AttemptQuery<[string]>;
  attemptsOfRun: AttemptQuery<[string]>;
  latestAny: AttemptQuery<[LatestParams]>;
  latestAnyOfDomain: AttemptQuery<[LatestParams & { domain: string }]>;
  reversible: AttemptQuery<[{ domain: string }]>;
}

/** A prepared query of attempt rows. */
type AttemptQuery<P extends unknown[]> = (...params: P) => AttemptRow[];

interface LatestParams {
  states: string | null;
  direction: string | null;
}

/** The `Journal` on a better-sqlite3 connection; `openJournal` makes one. */
export class SqliteJournal implements Journal {
  readonly path: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly statements: Statements;

  /** Takes an open connection whose schema is current (see `openJournal`). */
  constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    this.readonly = db.readonly;
    this.statements = this.guard("preparing its queries", () => prepareStatements(db));
  }

  startRun(run: NewRun): void {
    this.write(`recording the start of run ${run.id}`, () => this.statements.insertRun.run(run));
  }

  finishRun(runId: string, status: RunStatus, endedAt: string): void {
    const changes = this.write(`recording the end of run ${runId}`, () =>
      this.db
        .transaction(() => {
          const changed = this.statements.finishRun.run(status, endedAt, runId).changes;
          if (changed === 1) appendToChain(this.db, "run", runId);
          return changed;
        })
        .immediate(),
    );
    if (changes === 0)
      throw new JournalError(this.path, `The journal ${this.path} has no run ${runId} to finish.`);
  }

  getRun(runId: string): RunRow | undefined {
    return this.guard(`reading run ${runId}`, () => this.statements.getRun.get(runId));
  }

  lastRun(filter: { command?: string } = {}): RunRow | undefined {
    return this.guard("reading the last run", () =>
      this.statements.lastRun.get({ command: filter.command ?? null }),
    );
  }

  listRuns(opts: { limit?: number; domain?: string } = {}): RunSummary[] {
    return this.guard("listing runs", () => {
      // LIMIT -1 is SQLite for "no limit".
      const runs = this.statements.listRuns.all({ domain: opts.domain ?? null, limit: opts.limit ?? -1 });
      if (runs.length === 0) return [];
      const summaries = new Map<string, RunSummary>(
        runs.map((run) => [run.id, { ...run, counts: emptyCounts(), datasources: 0 }]),
      );
      for (const row of this.statements.runCounts.all(JSON.stringify(runs.map((run) => run.id)))) {
        const summary = summaries.get(row.runId);
        if (!summary) continue;
        summary.counts[row.state] = row.n;
        summary.datasources += row.n;
      }
      return [...summaries.values()];
    });
  }

  beginAttempt(attempt: NewAttempt): number {
    return this.write(`recording an attempt on datasource ${attempt.datasourceId}`, () =>
      Number(this.statements.insertAttempt.run(attempt).lastInsertRowid),
    );
  }

  completeAttempt(id: number, result: AttemptResult): void {
    const doing = `recording the outcome of attempt ${id}`;
    if ((result.state as AttemptState) === "IN_FLIGHT") {
      throw new JournalError(this.path, `Cannot complete attempt ${id} as IN_FLIGHT (while ${doing}).`);
    }
    const changes = this.write(doing, () =>
      this.db
        .transaction(() => {
          const changed = this.statements.completeAttempt.run({ ...result, id }).changes;
          if (changed === 1) appendToChain(this.db, "attempt", id);
          return changed;
        })
        .immediate(),
    );
    if (changes === 1) return;
    const state = this.guard(doing, () => this.statements.attemptState.get(id));
    throw new JournalError(
      this.path,
      state === undefined
        ? `The journal ${this.path} has no attempt ${id} to complete.`
        : `Attempt ${id} in the journal ${this.path} is already ${state}; recorded attempts are never rewritten.`,
    );
  }

  histories(domain: string, datasourceIds?: readonly string[]): Map<string, ItemHistory> {
    return this.guard(`reading the history of ${domain}`, () => {
      const byId = new Map<string, ItemHistory>();
      if (datasourceIds?.length === 0) return byId;
      const historyOf = (datasourceId: string): ItemHistory => {
        let history = byId.get(datasourceId);
        if (!history) {
          history = { datasourceId, lastMigrate: undefined, lastReverse: undefined, inFlight: [] };
          byId.set(datasourceId, history);
        }
        return history;
      };
      const finals = datasourceIds
        ? this.statements.latestFinalOf({ domain, ids: JSON.stringify(datasourceIds) })
        : this.statements.latestFinal({ domain });
      for (const row of finals) {
        const history = historyOf(row.datasourceId);
        if (row.direction === "V1_TO_V2") history.lastMigrate = row;
        else history.lastReverse = row;
      }
      // In-flight rows are few (a crashed run leaves at most its concurrency's worth): filter here.
      const wanted = datasourceIds ? new Set(datasourceIds) : undefined;
      for (const row of this.statements.inFlight(domain)) {
        if (!wanted || wanted.has(row.datasourceId)) historyOf(row.datasourceId).inFlight.push(row);
      }
      return byId;
    });
  }

  inFlight(domain: string): AttemptRow[] {
    return this.guard(`reading the in-flight attempts of ${domain}`, () => this.statements.inFlight(domain));
  }

  attemptsOfRun(runId: string): AttemptRow[] {
    return this.guard(`reading the attempts of run ${runId}`, () => this.statements.attemptsOfRun(runId));
  }

  latestStates(filter: LatestStatesFilter = {}): AttemptRow[] {
    return this.guard("reading the latest states", () => {
      const params: LatestParams = {
        states: filter.state ? JSON.stringify(filter.state) : null,
        direction: filter.direction ?? null,
      };
      return filter.domain === undefined
        ? this.statements.latestAny(params)
        : this.statements.latestAnyOfDomain({ ...params, domain: filter.domain });
    });
  }

  reversible(domain: string): AttemptRow[] {
    return this.guard(`reading what can be rolled back on ${domain}`, () =>
      this.statements.reversible({ domain }),
    );
  }

  chainHead(): ChainHead {
    return this.guard("reading the head of its hash chain", () => readChainHead(this.db));
  }

  audit(): JournalAudit {
    return this.guard("auditing it", () => auditJournal(this.db));
  }

  auditBeforeRun(at: string): JournalAudit {
    return this.write("auditing it before the run", () => {
      const schemaVersion = this.db.pragma("schema_version", { simple: true }) as number;
      const checkpoint = this.db
        .prepare<[], { seq: number; hash: string; schemaVersion: number }>(
          "SELECT seq, hash, schema_version AS schemaVersion FROM chain_checkpoint WHERE id = 1",
        )
        .get();
      const from =
        checkpoint?.schemaVersion === schemaVersion
          ? { seq: checkpoint.seq, hash: checkpoint.hash }
          : undefined;
      const audit = auditJournal(this.db, { from });
      if (audit.ok) {
        this.db
          .prepare(
            `INSERT INTO chain_checkpoint (id, seq, hash, schema_version, verified_at) VALUES (1, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
               schema_version = excluded.schema_version, verified_at = excluded.verified_at`,
          )
          .run(audit.head.seq, audit.head.hash, schemaVersion, at);
      }
      return audit;
    });
  }

  acquireLock(owner: LockOwner, options?: AcquireLockOptions): LockAcquired {
    return this.write(`taking the run lock for run ${owner.runId}`, () =>
      acquireLock(this.db, owner, options),
    );
  }

  heartbeat(runId: string, at: string = new Date().toISOString()): boolean {
    return this.write(`refreshing the run lock of run ${runId}`, () => heartbeatLock(this.db, runId, at));
  }

  releaseLock(runId: string): boolean {
    return this.write(`releasing the run lock of run ${runId}`, () => releaseLock(this.db, runId));
  }

  lockHolder(): LockOwner | undefined {
    return this.guard("reading the run lock", () => readLock(this.db));
  }

  close(): void {
    if (this.db.open) this.guard("closing", () => this.db.close());
  }

  private write<T>(doing: string, fn: () => T): T {
    if (this.readonly) {
      throw new JournalError(this.path, `The journal ${this.path} was opened read-only (while ${doing}).`, {
        hint: "This is a fedmigrate bug: a read-only command tried to write. Please report it.",
      });
    }
    return this.guard(doing, fn);
  }

  private guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw journalErrorFrom(error, this.path, doing);
    }
  }
}

function prepareStatements(db: Database.Database): Statements {
  return {
    insertRun: db.prepare(
      `INSERT INTO runs (id, command, started_at, ended_at, status, domain, manifests_hash, "user", host, pid,
         ci_job_url, options)
       VALUES (@id, @command, @startedAt, NULL, 'RUNNING', @domain, @manifestsHash, @user, @host, @pid,
         @ciJobUrl, @options)`,
    ),
    finishRun: db.prepare("UPDATE runs SET status = ?, ended_at = ? WHERE id = ?"),
    getRun: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    lastRun: db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE @command IS NULL OR command = @command
       ORDER BY started_at DESC, rowid DESC LIMIT 1`,
    ),
    listRuns: db.prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE @domain IS NULL OR domain = @domain
       ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
    ),
    // Counts over each datasource's latest attempt in the run (a retried item counts once); the
    // bare `state` is the latest row's (see LATEST_ANY_SQL), read from the attempts_run index alone.
    runCounts: db.prepare(
      `SELECT runId, state, count(*) AS n FROM (
         SELECT run_id AS runId, state, MAX(id) FROM attempts WHERE run_id IN (SELECT value FROM json_each(?))
         GROUP BY run_id, domain, datasource_id)
       GROUP BY runId, state`,
    ),
    insertAttempt: db.prepare(
      `INSERT INTO attempts (run_id, domain, datasource_id, datasource_name, account_id, direction, catalog,
         "schema", table_name, attempt, state, started_at)
       VALUES (@runId, @domain, @datasourceId, @datasourceName, @accountId, @direction, @catalog,
         @schema, @tableName, @attempt, 'IN_FLIGHT', @startedAt)`,
    ),
    completeAttempt: db.prepare(
      `UPDATE attempts SET state = @state, toe = @toe, error_message = @errorMessage,
         http_status = @httpStatus, server_start_time = @serverStartTime, server_end_time = @serverEndTime,
         ended_at = @endedAt, resolved_by = @resolvedBy
       WHERE id = @id AND state = 'IN_FLIGHT'`,
    ),
    attemptState: db.prepare<[number], AttemptState>("SELECT state FROM attempts WHERE id = ?").pluck(),
    latestFinal: attemptQuery(db, LATEST_FINAL_SQL.replaceAll("%IDS%", "")),
    latestFinalOf: attemptQuery(db, LATEST_FINAL_SQL.replaceAll("%IDS%", ONLY_IDS)),
    inFlight: attemptQuery(
      db,
      `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE domain = ? AND state = 'IN_FLIGHT' ORDER BY id`,
    ),
    attemptsOfRun: attemptQuery(db, `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE run_id = ? ORDER BY id`),
    latestAny: attemptQuery(db, LATEST_ANY_SQL.replace("%DOMAIN%", "")),
    latestAnyOfDomain: attemptQuery(db, LATEST_ANY_SQL.replace("%DOMAIN%", "WHERE domain = @domain")),
    reversible: attemptQuery(
      db,
      `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE id IN (
         SELECT last_applied_migrate_id FROM item_latest
         WHERE domain = @domain AND last_applied_migrate_id IS NOT NULL
           AND (last_complete_reverse_id IS NULL OR last_complete_reverse_id < last_applied_migrate_id))
       ORDER BY id`,
    ),
  };
}

function attemptQuery<P extends unknown[]>(db: Database.Database, sql: string): AttemptQuery<P> {
  const statement = db.prepare<P, unknown[]>(sql).raw();
  return (...params) => statement.all(...params).map(toAttemptRow);
}

/** One row of `ATTEMPT_COLUMNS`, in that order. */
function toAttemptRow(r: unknown[]): AttemptRow {
  return {
    id: r[0] as number,
    runId: r[1] as string,
    domain: r[2] as string,
    datasourceId: r[3] as string,
    datasourceName: r[4] as string | null,
    accountId: r[5] as string | null,
    direction: r[6] as AttemptRow["direction"],
    catalog: r[7] as string | null,
    schema: r[8] as string | null,
    tableName: r[9] as string | null,
    attempt: r[10] as number,
    toe: r[11] as string | null,
    state: r[12] as AttemptState,
    errorMessage: r[13] as string | null,
    httpStatus: r[14] as number | null,
    startedAt: r[15] as string,
    endedAt: r[16] as string | null,
    serverStartTime: r[17] as string | null,
    serverEndTime: r[18] as string | null,
    resolvedBy: r[19] as string | null,
  };
}

function emptyCounts(): Record<AttemptState, number> {
  return { IN_FLIGHT: 0, COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0, FAILED: 0 };
}
