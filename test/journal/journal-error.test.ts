import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { type FedmigrateError, UsageError } from "../../src/errors.js";
import { JournalError, journalErrorFrom } from "../../src/journal/journal-error.js";

const PATH = "/var/lib/fedmigrate/fedmigrate.db";

describe("journalErrorFrom", () => {
  // [SQLite code, message pattern, hint pattern]
  it.each([
    ["SQLITE_CANTOPEN", /cannot be opened/, /directory exists and that this user may read and write/],
    ["SQLITE_READONLY", /cannot be written/, /permissions of the file and of its directory/],
    ["SQLITE_READONLY_DBMOVED", /cannot be written/, /permissions/],
    ["SQLITE_PERM", /cannot be written/, /permissions/],
    ["SQLITE_FULL", /disk holding the journal .* is full/, /Free some disk space/],
    ["SQLITE_NOTADB", /corrupt or not a SQLite database/, /Restore it from a backup/],
    ["SQLITE_CORRUPT", /corrupt or not a SQLite database/, /Restore it from a backup/],
    ["SQLITE_CORRUPT_INDEX", /corrupt or not a SQLite database/, /Restore it from a backup/],
    ["SQLITE_BUSY", /stayed busy/, /close it and run again/],
    ["SQLITE_BUSY_SNAPSHOT", /stayed busy/, /close it and run again/],
    ["SQLITE_IOERR_WRITE", /Input\/output error/, /network filesystem is not supported/],
    ["SQLITE_CONSTRAINT_TRIGGER", /refused a write/, /append-only/],
  ])("says what %s means and what to do", (code, message, hint) => {
    const cause = new Database.SqliteError("low-level words", code);
    const error = journalErrorFrom(cause, PATH, "recording an attempt") as JournalError;
    expect(error).toBeInstanceOf(JournalError);
    expect(error.code).toBe("JOURNAL");
    expect(error.path).toBe(PATH);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(PATH);
    expect(error.message).toContain("while recording an attempt; SQLite says: low-level words");
    expect(error.hint).toMatch(hint);
    expect(error.cause).toBe(cause);
  });

  it("wraps anything else without a hint it cannot give", () => {
    const cause = new TypeError("The database connection is not open");
    const error = journalErrorFrom(cause, PATH, "listing runs");
    expect(error).toBeInstanceOf(JournalError);
    expect(error.message).toBe(
      `Journal error on ${PATH} (while listing runs; SQLite says: The database connection is not open).`,
    );
    expect(error.cause).toBe(cause);
  });

  it("passes our own errors through", () => {
    const own: FedmigrateError = new UsageError("bad option");
    expect(journalErrorFrom(own, PATH, "anything")).toBe(own);
  });
});
