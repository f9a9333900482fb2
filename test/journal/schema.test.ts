import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { JournalError } from "../../src/journal/journal-error.js";
import {
  inspectSchema,
  JOURNAL_APPLICATION_ID,
  SCHEMA_MIGRATIONS,
  SCHEMA_VERSION,
  type SchemaMigration,
  upgradeSchema,
} from "../../src/journal/schema.js";
import { aRun, cleanUp, open, record, tempDir } from "./journal-fixtures.js";

afterEach(cleanUp);

/** An operator's own connection, as with the sqlite3 shell. */
function raw(path: string, options?: Database.Options): Database.Database {
  return new Database(path, options);
}

function columns(db: Database.Database, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
    .all()
    .map((column) => column.name);
}

/** A file's bytes and mtime, to prove it was not touched. */
function fingerprint(path: string): { bytes: Buffer; mtimeMs: number } {
  return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };
}

/** A journal file with one run and one final attempt, closed. */
function journalWithRows(): string {
  const path = join(tempDir(), "fedmigrate.db");
  const journal = open(path);
  const run = aRun({ id: "run-kept" });
  journal.startRun(run);
  record(journal, run.id, "ds-1", "V1_TO_V2", "COMPLETE");
  journal.close();
  return path;
}

describe("the schema", () => {
  it("creates the public tables with exactly the documented columns", () => {
    const db = raw(journalWithRows(), { readonly: true });
    try {
      expect(columns(db, "runs")).toEqual([
        "id",
        "command",
        "started_at",
        "ended_at",
        "status",
        "domain",
        "manifests_hash",
        "user",
        "host",
        "pid",
        "ci_job_url",
        "options",
      ]);
      expect(columns(db, "attempts")).toEqual([
        "id",
        "run_id",
        "domain",
        "datasource_id",
        "datasource_name",
        "account_id",
        "direction",
        "catalog",
        "schema",
        "table_name",
        "attempt",
        "toe",
        "state",
        "error_message",
        "http_status",
        "started_at",
        "ended_at",
        "server_start_time",
        "server_end_time",
        "resolved_by",
      ]);
      expect(columns(db, "lock")).toEqual(["id", "run_id", "pid", "host", "started_at", "heartbeat_at"]);
      expect(columns(db, "item_latest")).toEqual([
        "domain",
        "datasource_id",
        "last_id",
        "last_migrate_id",
        "last_reverse_id",
        "last_applied_migrate_id",
        "last_complete_reverse_id",
      ]);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma("application_id", { simple: true })).toBe(JOURNAL_APPLICATION_ID);
      const indexes = db
        .prepare<[], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
        .all();
      expect(indexes.map((index) => index.name)).toEqual(
        expect.arrayContaining(["attempts_in_flight", "attempts_item", "attempts_run"]),
      );
      expect(indexes.find((index) => index.name === "attempts_in_flight")?.sql).toMatch(
        /WHERE state = 'IN_FLIGHT'/,
      );
    } finally {
      db.close();
    }
  });

  it.each([
    ["a direction other than V1_TO_V2 or V2_TO_V1", "direction", "SIDEWAYS"],
    ["a state outside the five", "state", "DONE"],
  ])("refuses %s", (_title, column, value) => {
    const db = raw(journalWithRows());
    try {
      const insert = () =>
        db
          .prepare(
            `INSERT INTO attempts (run_id, domain, datasource_id, direction, attempt, state, started_at)
             VALUES ('run-kept', 'acme.domo.com', 'ds-9', @direction, 1, @state, 'now')`,
          )
          .run({ direction: "V1_TO_V2", state: "IN_FLIGHT", [column]: value });
      expect(insert).toThrow(/CHECK constraint failed/);
    } finally {
      db.close();
    }
  });

  it("keeps the lock table to one row", () => {
    const db = raw(journalWithRows());
    try {
      expect(() => db.exec("INSERT INTO lock VALUES (2, 'run-x', 1, 'h', 'now', 'now')")).toThrow(
        /CHECK constraint failed/,
      );
    } finally {
      db.close();
    }
  });
});

describe("append-only attempts, enforced for every client", () => {
  function withInFlightAndFinal(
    fn: (db: Database.Database, ids: { inFlight: number; final: number }) => void,
  ) {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-a" }));
    const final = record(journal, "run-a", "ds-1", "V1_TO_V2", "COMPLETE");
    const inFlight = record(journal, "run-a", "ds-2", "V1_TO_V2", "IN_FLIGHT");
    journal.close();
    const db = raw(path);
    try {
      fn(db, { inFlight, final });
    } finally {
      db.close();
    }
  }

  it("refuses to rewrite a final row", () => {
    withInFlightAndFinal((db, { final }) => {
      expect(() => db.prepare("UPDATE attempts SET state = 'ABORTED' WHERE id = ?").run(final)).toThrow(
        /append-only/,
      );
      expect(() => db.prepare("UPDATE attempts SET toe = 'forged' WHERE id = ?").run(final)).toThrow(
        /append-only/,
      );
      expect(db.prepare("SELECT state, toe FROM attempts WHERE id = ?").get(final)).toEqual({
        state: "COMPLETE",
        toe: "TOE-COMPLETE",
      });
    });
  });

  it("refuses to delete any attempt, final or in flight", () => {
    withInFlightAndFinal((db, { final, inFlight }) => {
      expect(() => db.prepare("DELETE FROM attempts WHERE id = ?").run(final)).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM attempts WHERE id = ?").run(inFlight)).toThrow(/append-only/);
      expect(db.prepare("SELECT count(*) FROM attempts").pluck().get()).toBe(2);
    });
  });

  it("lets an in-flight row get its outcome, but not change what was requested", () => {
    withInFlightAndFinal((db, { inFlight }) => {
      expect(() =>
        db.prepare("UPDATE attempts SET datasource_id = 'ds-other' WHERE id = ?").run(inFlight),
      ).toThrow(/outcome only/);
      db.prepare("UPDATE attempts SET state = 'COMPLETE', toe = 'T-1' WHERE id = ?").run(inFlight);
      expect(db.prepare("SELECT state FROM attempts WHERE id = ?").pluck().get(inFlight)).toBe("COMPLETE");
    });
  });

  it("refuses to delete a run that has attempts", () => {
    withInFlightAndFinal((db) => {
      expect(() => db.exec("DELETE FROM runs WHERE id = 'run-a'")).toThrow(/cannot be deleted/);
    });
  });
});

describe("upgrades", () => {
  const addNotes: SchemaMigration = {
    version: SCHEMA_VERSION + 1,
    description: "test: a notes column and table",
    up(db) {
      db.exec(
        "ALTER TABLE runs ADD COLUMN note TEXT; CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);",
      );
    },
  };

  it("upgrades an older file in place and keeps its rows", () => {
    const path = journalWithRows();
    const db = raw(path);
    try {
      expect(upgradeSchema(db, path, [...SCHEMA_MIGRATIONS, addNotes])).toEqual({
        from: SCHEMA_VERSION,
        to: SCHEMA_VERSION + 1,
      });
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION + 1);
      expect(columns(db, "runs")).toContain("note");
      expect(db.prepare("SELECT id FROM runs").pluck().all()).toEqual(["run-kept"]);
      expect(db.prepare("SELECT datasource_id, state FROM attempts").all()).toEqual([
        { datasource_id: "ds-1", state: "COMPLETE" },
      ]);
      // Nothing left to do the second time.
      expect(upgradeSchema(db, path, [...SCHEMA_MIGRATIONS, addNotes])).toEqual({
        from: SCHEMA_VERSION + 1,
        to: SCHEMA_VERSION + 1,
      });
    } finally {
      db.close();
    }
  });

  it("creates the schema in an empty file (version 0), as a crash during creation leaves it", () => {
    const path = join(tempDir(), "fedmigrate.db");
    writeFileSync(path, "");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-new" }));
    expect(journal.getRun("run-new")?.status).toBe("RUNNING");
  });

  it("applies all of an upgrade or none of it", () => {
    const path = journalWithRows();
    const broken: SchemaMigration = {
      version: SCHEMA_VERSION + 1,
      description: "test: fails half way",
      up(db) {
        db.exec("CREATE TABLE half (id INTEGER)");
        throw new Error("migration failed half way");
      },
    };
    const db = raw(path);
    try {
      expect(() => upgradeSchema(db, path, [...SCHEMA_MIGRATIONS, broken])).toThrow(/half way/);
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it("refuses a migration list with a gap", () => {
    const db = raw(":memory:");
    try {
      expect(() => upgradeSchema(db, ":memory:", [{ ...addNotes, version: 2 }])).toThrow(/numbered 1, 2, 3/);
    } finally {
      db.close();
    }
  });
});

describe("files fedmigrate must not touch", () => {
  it.each([
    ["writable", {}],
    ["read-only", { readonly: true }],
  ])("refuses a journal from a newer fedmigrate (%s) and leaves it as it was", (_mode, options) => {
    const path = journalWithRows();
    const db = raw(path);
    // Out of WAL mode, so that switching it back (a write) would show in the bytes.
    db.pragma("journal_mode = DELETE");
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = fingerprint(path);

    const error = captureError(() => open(path, options));
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: "JOURNAL", path });
    expect((error as JournalError).message).toMatch(
      new RegExp(
        `written by a newer fedmigrate \\(schema version ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}\\)`,
      ),
    );
    expect((error as JournalError).hint).toMatch(/Upgrade fedmigrate/);
    expect(fingerprint(path)).toEqual(before);
  });

  it.each([
    ["a database of some other application", "CREATE TABLE customers (id INTEGER)", 0],
    ["a file using user_version without our application id", "CREATE TABLE t (id INTEGER)", 1],
  ])("refuses %s and leaves it as it was", (_title, sql, version) => {
    const path = join(tempDir(), "other.db");
    const db = raw(path);
    db.exec(sql);
    db.pragma(`user_version = ${version}`);
    db.close();
    const before = fingerprint(path);

    expect(() => open(path)).toThrow(/is a SQLite database but not a fedmigrate journal/);
    expect(fingerprint(path)).toEqual(before);
    const after = raw(path, { readonly: true });
    expect(after.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'runs'").pluck().get()).toBe(0);
    after.close();
  });

  it("inspects without writing", () => {
    const db = raw(":memory:");
    try {
      expect(inspectSchema(db, ":memory:")).toEqual({ version: 0 });
      expect(db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
