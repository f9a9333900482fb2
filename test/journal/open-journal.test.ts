import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { JournalError } from "../../src/journal/journal-error.js";
import { journalExists, openJournal } from "../../src/journal/open-journal.js";
import { aRun, cleanUp, DOMAIN, open, record, tempDir } from "./journal-fixtures.js";

afterEach(cleanUp);

function captureError(fn: () => unknown): JournalError {
  try {
    fn();
  } catch (error) {
    if (error instanceof JournalError) return error;
    throw error;
  }
  throw new Error("expected a JournalError");
}

describe("openJournal, writable", () => {
  it("creates the file in WAL mode and keeps what was written across reopening", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-1" }));
    record(journal, "run-1", "ds-1", "V1_TO_V2", "COMPLETE");
    journal.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();

    const again = open(path);
    expect(again.getRun("run-1")?.id).toBe("run-1");
    expect(again.attemptsOfRun("run-1").map((row) => row.state)).toEqual(["COMPLETE"]);
  });

  it("enforces foreign keys: an attempt needs its run", () => {
    const journal = open(join(tempDir(), "fedmigrate.db"));
    const error = captureError(() => record(journal, "run-unknown", "ds-1", "V1_TO_V2", "IN_FLIGHT"));
    expect(error.message).toMatch(/refused a write .*FOREIGN KEY constraint failed/);
  });

  it("waits for another writer up to the busy timeout, then says the journal stayed busy", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const error = captureError(() => journal.startRun(aRun()));
      expect(error.message).toMatch(/stayed busy/);
      expect(error.hint).toMatch(/sqlite3 shell/);
      expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    journal.startRun(aRun({ id: "run-after" }));
    expect(journal.getRun("run-after")).toBeDefined();
  });

  it("creates the file but never its directory", () => {
    const dir = join(tempDir(), "missing", "deeper");
    const path = join(dir, "fedmigrate.db");
    const error = captureError(() => openJournal(path));
    expect(error.message).toBe(`Cannot create the journal ${path}: the directory ${dir} does not exist.`);
    expect(error.hint).toMatch(/Create the directory/);
    expect(existsSync(join(dir, ".."))).toBe(false);
  });

  it("refuses a path whose parent is a file", () => {
    const parent = join(tempDir(), "not-a-dir");
    writeFileSync(parent, "x");
    expect(() => openJournal(join(parent, "fedmigrate.db"))).toThrow(/is not a directory/);
  });

  it.each([
    ["writable", {}],
    ["read-only", { readonly: true }],
  ])("refuses a path that is a directory (%s)", (_mode, options) => {
    const path = join(tempDir(), "journal.db");
    mkdirSync(path);
    const error = captureError(() => openJournal(path, options));
    expect(error.message).toBe(`The journal path ${path} is a directory.`);
  });

  it("with mustExist, refuses to create a missing journal", () => {
    const path = join(tempDir(), "fedmigrate.db");
    expect(() => openJournal(path, { mustExist: true })).toThrow(`There is no journal at ${path}.`);
    expect(existsSync(path)).toBe(false);
  });

  it("opens an in-memory journal", () => {
    const journal = open(":memory:");
    journal.startRun(aRun({ id: "run-m" }));
    expect(journal.lastRun()?.id).toBe("run-m");
  });
});

describe("openJournal, read-only", () => {
  it("reads an existing journal and refuses to write to it", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const writer = open(path);
    writer.startRun(aRun({ id: "run-1" }));
    record(writer, "run-1", "ds-1", "V1_TO_V2", "COMPLETE");

    const reader = open(path, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.histories(DOMAIN).get("ds-1")?.lastMigrate?.state).toBe("COMPLETE");
    const error = captureError(() => reader.startRun(aRun()));
    expect(error.message).toMatch(/was opened read-only/);
  });

  it("neither creates a missing file nor its -wal and -shm", () => {
    const dir = tempDir();
    const path = join(dir, "fedmigrate.db");
    const error = captureError(() => openJournal(path, { readonly: true }));
    expect(error.message).toBe(`There is no journal at ${path}.`);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it("never upgrades: an empty file stays empty", () => {
    const path = join(tempDir(), "fedmigrate.db");
    writeFileSync(path, "");
    expect(() => openJournal(path, { readonly: true })).toThrow(
      /is an empty file, not a fedmigrate journal yet/,
    );
    expect(statSync(path).size).toBe(0);
  });
});

describe("a corrupt file", () => {
  it.each([
    ["writable", {}],
    ["read-only", { readonly: true }],
  ])("is refused with a plain message and left byte for byte as it was (%s)", (_mode, options) => {
    const path = join(tempDir(), "fedmigrate.db");
    const bytes = randomBytes(8192);
    writeFileSync(path, bytes);
    const mtimeMs = statSync(path).mtimeMs;

    const error = captureError(() => openJournal(path, options));
    expect(error.code).toBe("JOURNAL");
    expect(error.message).toMatch(
      /is not a readable fedmigrate journal: it is corrupt or not a SQLite database/,
    );
    expect(error.hint).toMatch(/Restore it from a backup/);
    expect((error.cause as { code?: string }).code).toBe("SQLITE_NOTADB");
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtimeMs);
  });
});

describe("journalExists", () => {
  it.each([
    ["a journal file", "file", true],
    ["a missing path", "missing", false],
    ["a directory", "dir", false],
    ["the in-memory name", "memory", false],
    ["a path under a file", "under-file", false],
  ])("is %s → %s", (_title, kind, expected) => {
    const dir = tempDir();
    const paths: Record<string, string> = {
      file: join(dir, "j.db"),
      missing: join(dir, "nope.db"),
      dir,
      memory: ":memory:",
      "under-file": join(dir, "plain", "j.db"),
    };
    const path = paths[kind] ?? "";
    if (kind === "file") open(path).close();
    writeFileSync(join(dir, "plain"), "x");
    expect(journalExists(path)).toBe(expected);
  });
});
