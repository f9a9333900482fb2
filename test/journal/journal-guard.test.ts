import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { anAttempt, aResult, aRun, cleanUp, open, record, tempDir } from "./journal-fixtures.js";

afterEach(cleanUp);

/**
 * A journal with an ended run (ds-1 ABORTED, ds-2 COMPLETE), a running run with one in-flight
 * attempt (ds-3), closed; then `fn` gets an operator's own sqlite3-like connection to it.
 */
function withJournal(
  fn: (db: Database.Database, ids: { aborted: number; complete: number; inFlight: number }) => void,
): void {
  const path = join(tempDir(), "fedmigrate.db");
  const journal = open(path);
  journal.startRun(aRun({ id: "run-ended" }));
  const aborted = record(journal, "run-ended", "ds-1", "V1_TO_V2", "ABORTED");
  const complete = record(journal, "run-ended", "ds-2", "V1_TO_V2", "COMPLETE");
  journal.finishRun("run-ended", "FAILED", "2025-01-01T01:00:00.000Z");
  journal.startRun(aRun({ id: "run-open" }));
  const inFlight = record(journal, "run-open", "ds-3", "V1_TO_V2", "IN_FLIGHT");
  journal.close();
  const db = new Database(path);
  try {
    fn(db, { aborted, complete, inFlight });
  } finally {
    db.close();
  }
}

const ALL_COLUMNS = `id, run_id, domain, datasource_id, datasource_name, account_id, direction, catalog, "schema",
  table_name, attempt, toe, state, error_message, http_status, started_at, ended_at, server_start_time,
  server_end_time, resolved_by`;

/** The README's forgery: the ABORTED row rewritten as COMPLETE with a forged toe. */
function forge(verb: string): string {
  return `${verb} INTO attempts (${ALL_COLUMNS})
    SELECT id, run_id, domain, datasource_id, datasource_name, account_id, direction, catalog, "schema",
      table_name, attempt, 'FORGED-TOE', 'COMPLETE', NULL, 200, started_at, ended_at, server_start_time,
      server_end_time, resolved_by
    FROM attempts WHERE id = ?`;
}

describe("a journal that guards its final rows against every SQLite client", () => {
  it.each([
    ["REPLACE INTO", "REPLACE"],
    ["INSERT OR REPLACE INTO", "INSERT OR REPLACE"],
  ])("refuses %s over a final attempt (the ABORTED row stays ABORTED)", (_title, verb) => {
    withJournal((db, { aborted }) => {
      expect(() => db.prepare(forge(verb)).run(aborted)).toThrow(/cannot be replaced/);
      expect(db.prepare("SELECT state, toe FROM attempts WHERE id = ?").get(aborted)).toEqual({
        state: "ABORTED",
        toe: "TOE-ABORTED",
      });
      expect(db.prepare("SELECT count(*) FROM attempts").pluck().get()).toBe(3);
    });
  });

  it("refuses REPLACE over an in-flight attempt too (it would delete it without a trace)", () => {
    withJournal((db, { inFlight }) => {
      expect(() => db.prepare(forge("REPLACE")).run(inFlight)).toThrow(/cannot be replaced/);
      expect(db.prepare("SELECT state FROM attempts WHERE id = ?").pluck().get(inFlight)).toBe("IN_FLIGHT");
    });
  });

  it("refuses REPLACE even with recursive triggers on, and UPDATE OR REPLACE onto another id", () => {
    withJournal((db, { aborted, inFlight }) => {
      db.pragma("recursive_triggers = ON");
      expect(() => db.prepare(forge("REPLACE")).run(aborted)).toThrow(/cannot be replaced|append-only/);
      expect(() =>
        db.prepare("UPDATE OR REPLACE attempts SET id = ? WHERE id = ?").run(aborted, inFlight),
      ).toThrow(/outcome only/);
      expect(db.prepare("SELECT count(*) FROM attempts").pluck().get()).toBe(3);
    });
  });

  it("refuses DELETE of a final attempt", () => {
    withJournal((db, { complete }) => {
      expect(() => db.prepare("DELETE FROM attempts WHERE id = ?").run(complete)).toThrow(/append-only/);
    });
  });

  it("refuses REPLACE, UPDATE and DELETE of an ended run, and REPLACE through its rowid", () => {
    withJournal((db) => {
      expect(() => db.exec("UPDATE runs SET status = 'SUCCEEDED' WHERE id = 'run-ended'")).toThrow(
        /run that has ended/,
      );
      expect(() => db.exec(`UPDATE runs SET "user" = 'someone-else' WHERE id = 'run-ended'`)).toThrow(
        /run that has ended/,
      );
      expect(() =>
        db.exec(
          `REPLACE INTO runs (id, command, started_at, ended_at, status, domain, "user", host, pid)
           VALUES ('run-ended', 'migrate', 'x', 'y', 'SUCCEEDED', 'acme.domo.com', 'u', 'h', 1)`,
        ),
      ).toThrow(/cannot be replaced/);
      const rowid = db.prepare("SELECT rowid FROM runs WHERE id = 'run-ended'").pluck().get();
      expect(() =>
        db
          .prepare(
            `REPLACE INTO runs (rowid, id, command, started_at, ended_at, status, domain, "user", host, pid)
             VALUES (?, 'run-new', 'migrate', 'x', 'y', 'SUCCEEDED', 'acme.domo.com', 'u', 'h', 1)`,
          )
          .run(rowid),
      ).toThrow(/cannot be replaced/);
      expect(() => db.exec("DELETE FROM runs WHERE id = 'run-ended'")).toThrow(/cannot be deleted/);
      expect(db.prepare(`SELECT status, "user" FROM runs WHERE id = 'run-ended'`).get()).toEqual({
        status: "FAILED",
        user: "ops",
      });
    });
  });

  it("lets a running run end, once, and only its status and end time change", () => {
    withJournal((db) => {
      expect(() => db.exec(`UPDATE runs SET "user" = 'x' WHERE id = 'run-open'`)).toThrow(/status and end/);
      db.exec("UPDATE runs SET status = 'SUCCEEDED', ended_at = 'now' WHERE id = 'run-open'");
      expect(() => db.exec("UPDATE runs SET status = 'FAILED' WHERE id = 'run-open'")).toThrow(
        /run that has ended/,
      );
    });
  });

  it("refuses any write to item_latest that does not match the attempts", () => {
    withJournal((db, { aborted }) => {
      // The forgery that needs no trigger dropped without this guard: ds-1 pointed at as applied.
      expect(() =>
        db
          .prepare("UPDATE item_latest SET last_applied_migrate_id = ? WHERE datasource_id = 'ds-1'")
          .run(aborted),
      ).toThrow(/item_latest is derived/);
      expect(() => db.exec("DELETE FROM item_latest WHERE datasource_id = 'ds-1'")).toThrow(
        /item_latest is derived/,
      );
      expect(() =>
        db.exec(
          "REPLACE INTO item_latest (domain, datasource_id, last_id) SELECT domain, datasource_id, last_id FROM item_latest WHERE datasource_id = 'ds-1'",
        ),
      ).toThrow(/item_latest is derived/);
      expect(() =>
        db.exec(
          "INSERT INTO item_latest (domain, datasource_id, last_id) VALUES ('acme.domo.com', 'ds-new', 1)",
        ),
      ).toThrow(/item_latest is derived/);
      // A rewrite to what it already says is harmless, and allowed.
      db.exec("UPDATE item_latest SET last_id = last_id WHERE datasource_id = 'ds-1'");
      expect(
        db
          .prepare("SELECT last_applied_migrate_id FROM item_latest WHERE datasource_id = 'ds-1'")
          .pluck()
          .get(),
      ).toBeNull();
    });
  });

  it("refuses to rewrite, replace or delete the chain", () => {
    withJournal((db) => {
      expect(() => db.exec("UPDATE chain SET hash = 'x' WHERE seq = 1")).toThrow(/chain is append-only/);
      expect(() => db.exec("DELETE FROM chain WHERE seq = 1")).toThrow(/chain is append-only/);
      expect(() =>
        db.exec(
          "REPLACE INTO chain (seq, attempt_id, run_id, hash) SELECT seq, attempt_id, run_id, 'x' FROM chain WHERE seq = 1",
        ),
      ).toThrow(/chain is append-only/);
    });
  });

  it("still completes an in-flight attempt through the journal", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-c" }));
    const id = journal.beginAttempt(anAttempt("run-c", "ds-1"));
    journal.completeAttempt(id, aResult("COMPLETE"));
    expect(journal.histories("acme.domo.com").get("ds-1")?.lastMigrate?.state).toBe("COMPLETE");
    expect(() => journal.completeAttempt(id, aResult("ABORTED"))).toThrow(/already COMPLETE/);
  });
});
