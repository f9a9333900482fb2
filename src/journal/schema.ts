import type Database from "better-sqlite3";
import { chainUnchainedRows } from "./journal-chain.js";
import { JournalError } from "./journal-error.js";

/** One step of the journal's schema. Versions run 1, 2, 3… with no gaps; never edit a released one. */
export interface SchemaMigration {
  version: number;
  /** What it changes, for people reading the code and the upgrade log. */
  description: string;
  /** Runs inside the upgrade transaction; must not commit or begin one itself. */
  up(db: Database.Database): void;
}

/**
 * `PRAGMA application_id` of a fedmigrate journal ("FDMG"), so that `file(1)` and we ourselves can
 * tell it from any other SQLite file that happens to use `user_version`.
 */
export const JOURNAL_APPLICATION_ID = 0x46444d47;

/**
 * The columns of `item_latest` (schema version 1): each keeps the highest attempt id of the item
 * whose row meets its condition.
 */
export const ITEM_LATEST_COLUMNS: readonly (readonly [column: string, condition: string])[] = [
  // Any row: the item's latest attempt, whatever its direction and state.
  ["last_id", "1"],
  // The latest final attempt each way.
  ["last_migrate_id", "NEW.direction = 'V1_TO_V2' AND NEW.state <> 'IN_FLIGHT'"],
  ["last_reverse_id", "NEW.direction = 'V2_TO_V1' AND NEW.state <> 'IN_FLIGHT'"],
  // Rollback scoping: the last migration that changed the datasource, the last reversal that completed.
  ["last_applied_migrate_id", "NEW.direction = 'V1_TO_V2' AND NEW.state IN ('COMPLETE', 'INCOMPLETE')"],
  ["last_complete_reverse_id", "NEW.direction = 'V2_TO_V1' AND NEW.state = 'COMPLETE'"],
];

/**
 * Folds the row NEW into its item's `item_latest` row. A max, not an assignment: an old in-flight
 * row completed after a newer one must not replace it. Plain INSERT … WHERE NOT EXISTS and UPDATE
 * (no UPSERT) so that old sqlite3 shells can still read the schema for audits.
 */
const ITEM_LATEST_FOLD = `
          INSERT INTO item_latest (domain, datasource_id, last_id)
          SELECT NEW.domain, NEW.datasource_id, NEW.id
          WHERE NOT EXISTS (SELECT 1 FROM item_latest WHERE domain = NEW.domain AND datasource_id = NEW.datasource_id);
          UPDATE item_latest SET ${ITEM_LATEST_COLUMNS.map(
            ([column, condition]) =>
              `${column} = CASE WHEN (${condition}) AND (${column} IS NULL OR ${column} < NEW.id) THEN NEW.id ELSE ${column} END`,
          ).join(",\n            ")}
          WHERE domain = NEW.domain AND datasource_id = NEW.datasource_id;`;

/** What item_latest's `column` must hold for the item of the row NEW: the highest id meeting its condition. */
function expectedItemLatest(column: string): string {
  const condition = ITEM_LATEST_COLUMNS.find(([name]) => name === column)?.[1] ?? "0";
  return `(SELECT max(a.id) FROM attempts a WHERE a.domain = NEW.domain AND a.datasource_id = NEW.datasource_id
            AND (${condition.replaceAll("NEW.", "a.")}))`;
}

/**
 * When an item_latest row NEW differs from what the attempts say (schema version 2's guards). An
 * insert (the fold's first step) sets last_id only; the fold's update then sets the rest.
 */
const ITEM_LATEST_DIFFERS = {
  insert: `(NEW.last_id IS NOT ${expectedItemLatest("last_id")} OR ${ITEM_LATEST_COLUMNS.slice(1)
    .map(([column]) => `(NEW.${column} IS NOT NULL AND NEW.${column} IS NOT ${expectedItemLatest(column)})`)
    .join(" OR ")})`,
  update: `(${ITEM_LATEST_COLUMNS.map(([column]) => `NEW.${column} IS NOT ${expectedItemLatest(column)}`).join(" OR ")})`,
};

/**
 * The schema, oldest first. The tables are a public interface (operators audit them with
 * `sqlite3`): a later version may add columns, tables and indexes, but never renames or drops one.
 */
export const SCHEMA_MIGRATIONS: readonly SchemaMigration[] = [
  {
    version: 1,
    description: "runs, attempts, item_latest and lock tables; indexes; append-only and item_latest triggers",
    up(db) {
      db.exec(`
        CREATE TABLE runs (
          id             TEXT PRIMARY KEY NOT NULL,
          command        TEXT NOT NULL,
          started_at     TEXT NOT NULL,
          ended_at       TEXT,
          status         TEXT NOT NULL,
          domain         TEXT NOT NULL,
          manifests_hash TEXT,
          "user"         TEXT NOT NULL,
          host           TEXT NOT NULL,
          pid            INTEGER NOT NULL,
          ci_job_url     TEXT,
          options        TEXT
        );
        CREATE INDEX runs_started ON runs (started_at);

        CREATE TABLE attempts (
          id                INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id            TEXT NOT NULL REFERENCES runs (id),
          domain            TEXT NOT NULL,
          datasource_id     TEXT NOT NULL,
          datasource_name   TEXT,
          account_id        TEXT,
          direction         TEXT NOT NULL CHECK (direction IN ('V1_TO_V2', 'V2_TO_V1')),
          catalog           TEXT,
          "schema"          TEXT,
          table_name        TEXT,
          attempt           INTEGER NOT NULL,
          toe               TEXT,
          state             TEXT NOT NULL
                            CHECK (state IN ('IN_FLIGHT', 'COMPLETE', 'INCOMPLETE', 'ABORTED', 'FAILED')),
          error_message     TEXT,
          http_status       INTEGER,
          started_at        TEXT NOT NULL,
          ended_at          TEXT,
          server_start_time TEXT,
          server_end_time   TEXT,
          resolved_by       TEXT
        );
        -- One item's attempts, for audits (item_latest answers the latest-state questions).
        CREATE INDEX attempts_item ON attempts (domain, datasource_id, direction, id);
        -- A run's attempts, and its per-datasource latest state for history's counts, index only.
        CREATE INDEX attempts_run ON attempts (run_id, domain, datasource_id, state);
        CREATE INDEX attempts_in_flight ON attempts (domain, id) WHERE state = 'IN_FLIGHT';

        -- Derived from attempts by the triggers below, in the writing transaction: per item, the ids
        -- of the rows the latest-state queries need. The attempts table only grows; with this,
        -- planning costs O(datasources), not O(attempts). Read it freely; never edit it.
        CREATE TABLE item_latest (
          domain                   TEXT NOT NULL,
          datasource_id            TEXT NOT NULL,
          last_id                  INTEGER NOT NULL,
          last_migrate_id          INTEGER,
          last_reverse_id          INTEGER,
          last_applied_migrate_id  INTEGER,
          last_complete_reverse_id INTEGER,
          PRIMARY KEY (domain, datasource_id)
        ) WITHOUT ROWID;
        CREATE TRIGGER item_latest_on_insert AFTER INSERT ON attempts
        BEGIN
          ${ITEM_LATEST_FOLD}
        END;
        CREATE TRIGGER item_latest_on_complete AFTER UPDATE OF state ON attempts
        WHEN OLD.state = 'IN_FLIGHT'
        BEGIN
          ${ITEM_LATEST_FOLD}
        END;

        -- The run lock: at most one row.
        CREATE TABLE lock (
          id           INTEGER PRIMARY KEY CHECK (id = 1),
          run_id       TEXT NOT NULL,
          pid          INTEGER NOT NULL,
          host         TEXT NOT NULL,
          started_at   TEXT NOT NULL,
          heartbeat_at TEXT NOT NULL
        );

        -- Append-only, enforced by SQLite itself so that it holds for every client, sqlite3 included:
        -- a recorded attempt is never deleted, and only an in-flight row may be completed.
        CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: attempts are append-only; a recorded attempt cannot be deleted');
        END;
        CREATE TRIGGER attempts_final_rows_are_final BEFORE UPDATE ON attempts
        WHEN OLD.state <> 'IN_FLIGHT'
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: attempts are append-only; only an IN_FLIGHT attempt can be completed');
        END;
        CREATE TRIGGER attempts_completion_keeps_identity BEFORE UPDATE ON attempts
        WHEN OLD.state = 'IN_FLIGHT' AND (
          NEW.id IS NOT OLD.id OR NEW.run_id IS NOT OLD.run_id OR NEW.domain IS NOT OLD.domain
          OR NEW.datasource_id IS NOT OLD.datasource_id OR NEW.datasource_name IS NOT OLD.datasource_name
          OR NEW.account_id IS NOT OLD.account_id OR NEW.direction IS NOT OLD.direction
          OR NEW.catalog IS NOT OLD.catalog OR NEW."schema" IS NOT OLD."schema"
          OR NEW.table_name IS NOT OLD.table_name OR NEW.attempt IS NOT OLD.attempt
          OR NEW.started_at IS NOT OLD.started_at)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: completing an attempt may set its outcome only, not what was requested');
        END;
        CREATE TRIGGER runs_keep_recorded BEFORE DELETE ON runs
        WHEN EXISTS (SELECT 1 FROM attempts WHERE run_id = OLD.id)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a run with recorded attempts cannot be deleted');
        END;
      `);
      db.pragma(`application_id = ${JOURNAL_APPLICATION_ID}`);
    },
  },
  {
    version: 2,
    description:
      "REPLACE-proof guard triggers on attempts and runs; ended runs immutable; the hash chain (table chain) over existing final rows",
    up(db) {
      db.exec(`
        -- SQLite's REPLACE conflict resolution deletes the old row without firing delete triggers
        -- (unless recursive_triggers is on), so every UNIQUE key is guarded before the insert.
        CREATE TRIGGER attempts_no_replace BEFORE INSERT ON attempts
        WHEN EXISTS (SELECT 1 FROM attempts WHERE id = NEW.id)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a recorded attempt cannot be replaced (REPLACE, INSERT OR REPLACE); attempts are append-only');
        END;
        CREATE TRIGGER runs_no_replace BEFORE INSERT ON runs
        WHEN EXISTS (SELECT 1 FROM runs WHERE id = NEW.id OR rowid = NEW.rowid)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a recorded run cannot be replaced (REPLACE, INSERT OR REPLACE)');
        END;
        CREATE TRIGGER runs_ended_are_final BEFORE UPDATE ON runs
        WHEN OLD.status <> 'RUNNING' OR OLD.ended_at IS NOT NULL
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a run that has ended cannot be changed');
        END;
        CREATE TRIGGER runs_end_sets_outcome_only BEFORE UPDATE ON runs
        WHEN OLD.status = 'RUNNING' AND OLD.ended_at IS NULL AND (
          NEW.rowid IS NOT OLD.rowid OR NEW.id IS NOT OLD.id OR NEW.command IS NOT OLD.command
          OR NEW.started_at IS NOT OLD.started_at OR NEW.domain IS NOT OLD.domain
          OR NEW.manifests_hash IS NOT OLD.manifests_hash OR NEW."user" IS NOT OLD."user"
          OR NEW.host IS NOT OLD.host OR NEW.pid IS NOT OLD.pid OR NEW.ci_job_url IS NOT OLD.ci_job_url
          OR NEW.options IS NOT OLD.options)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a running run may change its status and end time only');
        END;
        CREATE TRIGGER runs_ended_no_delete BEFORE DELETE ON runs
        WHEN OLD.status <> 'RUNNING' OR OLD.ended_at IS NOT NULL
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: a run that has ended cannot be deleted');
        END;

        -- The hash chain over final rows, in order of finalisation (see journal-chain.ts).
        CREATE TABLE chain (
          seq        INTEGER PRIMARY KEY NOT NULL,
          attempt_id INTEGER UNIQUE REFERENCES attempts (id),
          run_id     TEXT UNIQUE REFERENCES runs (id),
          hash       TEXT NOT NULL,
          CHECK ((attempt_id IS NULL) <> (run_id IS NULL))
        );
        CREATE TRIGGER chain_append_only BEFORE INSERT ON chain
        WHEN EXISTS (SELECT 1 FROM chain WHERE seq = NEW.seq OR attempt_id = NEW.attempt_id OR run_id = NEW.run_id)
          OR NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM chain)
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: the chain is append-only; an entry cannot be replaced or skipped');
        END;
        CREATE TRIGGER chain_no_update BEFORE UPDATE ON chain
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: the chain is append-only; an entry cannot be changed');
        END;
        -- item_latest is derived: it may only ever hold what the attempts say (the folds above
        -- write exactly that), so no client can point an item at another row behind their back.
        CREATE TRIGGER item_latest_no_replace BEFORE INSERT ON item_latest
        WHEN EXISTS (SELECT 1 FROM item_latest WHERE domain = NEW.domain AND datasource_id = NEW.datasource_id)
          OR ${ITEM_LATEST_DIFFERS.insert}
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: item_latest is derived from attempts; it cannot be written');
        END;
        CREATE TRIGGER item_latest_matches_attempts BEFORE UPDATE ON item_latest
        WHEN NEW.domain IS NOT OLD.domain OR NEW.datasource_id IS NOT OLD.datasource_id
          OR ${ITEM_LATEST_DIFFERS.update}
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: item_latest is derived from attempts; it cannot be written');
        END;
        CREATE TRIGGER item_latest_no_delete BEFORE DELETE ON item_latest
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: item_latest is derived from attempts; it cannot be written');
        END;

        -- The chain head the last migrate or rollback verified before it started, with the schema
        -- it verified (PRAGMA schema_version, which any DROP or CREATE TRIGGER changes): while the
        -- schema is unchanged the guard triggers kept every entry up to it, so the next run verifies
        -- only the entries after it. \`fedmigrate audit\` ignores it and verifies them all.
        CREATE TABLE chain_checkpoint (
          id             INTEGER PRIMARY KEY CHECK (id = 1),
          seq            INTEGER NOT NULL,
          hash           TEXT NOT NULL,
          schema_version INTEGER NOT NULL,
          verified_at    TEXT NOT NULL
        );
        CREATE TRIGGER chain_no_delete BEFORE DELETE ON chain
        BEGIN
          SELECT RAISE(ABORT, 'fedmigrate journal: the chain is append-only; an entry cannot be deleted');
        END;
      `);
      chainUnchainedRows(db);
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = SCHEMA_MIGRATIONS.length;

/**
 * The oldest schema version this build's queries can read without upgrading it (readonly opens
 * never upgrade). Raise it when a migration adds something the queries need.
 */
export const READABLE_FROM_VERSION = 1;

/** What a journal file says about its schema. */
export interface SchemaInfo {
  /** `PRAGMA user_version`: the last migration applied; 0 for a new, empty file. */
  version: number;
}

/**
 * Reads the file's schema version and refuses, touching nothing, a file written by a newer
 * fedmigrate or one that is some other application's SQLite database.
 */
export function inspectSchema(
  db: Database.Database,
  path: string,
  migrations: readonly SchemaMigration[] = SCHEMA_MIGRATIONS,
): SchemaInfo {
  const version = db.pragma("user_version", { simple: true }) as number;
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  const known = migrations.length;
  if (version > known) {
    throw new JournalError(
      path,
      `The journal ${path} was written by a newer fedmigrate (schema version ${version}; this one knows up to ${known}).`,
      { hint: "Upgrade fedmigrate to use this journal. The file was left unchanged." },
    );
  }
  const foreign =
    version === 0
      ? (db
          .prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
          .pluck()
          .get() as number) > 0
      : applicationId !== JOURNAL_APPLICATION_ID;
  if (foreign) {
    throw new JournalError(path, `${path} is a SQLite database but not a fedmigrate journal.`, {
      hint: "Point --journal at a fedmigrate journal, or at a new file to start one. The file was left unchanged.",
    });
  }
  return { version };
}

/**
 * Brings the file's schema up to date: every migration newer than its `user_version`, in order,
 * in one `BEGIN IMMEDIATE` transaction (all or nothing; a concurrent opener waits, then finds
 * nothing left to do).
 */
export function upgradeSchema(
  db: Database.Database,
  path: string,
  migrations: readonly SchemaMigration[] = SCHEMA_MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `schema migrations must be numbered 1, 2, 3…; found ${migration.version} at ${index + 1}`,
      );
    }
  });
  const upgrade = db.transaction(() => {
    const { version: from } = inspectSchema(db, path, migrations);
    for (const migration of migrations.slice(from)) {
      migration.up(db);
      // Not a bindable pragma; the version is an integer of ours, never outside input.
      db.pragma(`user_version = ${migration.version}`);
    }
    return { from, to: migrations.length };
  });
  return upgrade.immediate();
}
