import {
  closeSync,
  copyFileSync,
  existsSync,
  fchmodSync,
  mkdtempSync,
  openSync,
  rmSync,
  type Stats,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { Journal } from "./journal.js";
import { JournalError, journalErrorFrom } from "./journal-error.js";
import { inspectSchema, READABLE_FROM_VERSION, SCHEMA_VERSION, upgradeSchema } from "./schema.js";
import { SqliteJournal } from "./sqlite-journal.js";

/** How `openJournal` opens the file. */
export interface OpenJournalOptions {
  /** Open for reading only: never creates the file, never upgrades its schema. */
  readonly?: boolean;
  /** (Writable) refuse to create the file when it does not exist. */
  mustExist?: boolean;
  /** How long a statement waits for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

// Callers that open a journal get its port type from the same place.
export type { Journal } from "./journal.js";

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const MEMORY = ":memory:";

/**
 * Opens the journal at `path` (the caller resolves it; `:memory:` gives a private in-memory
 * journal, for tests). Writable opens create the file (never its directory) and bring its schema
 * up to date; a file that is corrupt, not a journal, or written by a newer fedmigrate is refused
 * as it is, never overwritten or recreated. Every failure is a `JournalError` saying what to do.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (options.readonly) return openReadonly(path, timeout);

  if (path !== MEMORY) {
    checkWritablePath(path, options.mustExist ?? false);
    createOwnerOnly(path);
  }
  const db = connect(path, { timeout });
  try {
    // Before anything that writes (journal_mode, upgrades): a newer or foreign file stays untouched.
    inspectSchema(db, path);
    // So does a damaged one: SQLite notices damage only on the pages a statement reads, so a run
    // could otherwise take the lock and record attempts in a file whose history is partly lost.
    checkIntact(db, path);
    // WAL with synchronous=NORMAL survives a process kill, our failure model, at any moment: a
    // commit is in the WAL before it returns, only the fsync is deferred. A power loss may drop the
    // last commits but never corrupts the file; the online plan then still sees what the server
    // did. Where WAL is unavailable, FULL keeps the rollback journal equally safe.
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    db.pragma(mode === "wal" || path === MEMORY ? "synchronous = NORMAL" : "synchronous = FULL");
    db.pragma("foreign_keys = ON");
    upgradeSchema(db, path);
    return new SqliteJournal(db, path);
  } catch (error) {
    db.close();
    throw journalErrorFrom(error, path, "opening it");
  }
}

/** Whether a journal file exists at `path` (readers check before `openJournal(…, { readonly })`). */
export function journalExists(path: string): boolean {
  if (path === MEMORY) return false;
  return statPath(path, path)?.isFile() ?? false;
}

function openReadonly(path: string, timeout: number): Journal {
  const stat = path === MEMORY ? undefined : statPath(path, path);
  if (stat?.isDirectory()) throw isDirectoryError(path);
  if (!stat) {
    throw new JournalError(path, `There is no journal at ${path}.`, {
      hint: "Check --journal (or FEDMIGRATE_JOURNAL). A journal is created by the first migrate or rollback.",
    });
  }
  try {
    return openReadonlyAt(path, path, timeout, (db) => new SqliteJournal(db, path));
  } catch (error) {
    if (!needsWritableDirectory(error)) throw error;
    // An auditor's copy in a read-only directory (or a read-only mount): a WAL journal cannot be
    // read in place, since SQLite must create the -shm file next to it even to read. Read a
    // private copy instead, with its -wal, so that the latest attempts are not missed.
    return openPrivateCopy(path, timeout, error);
  }
}

/** Opens `file` read-only and checks its schema; errors name `shownAs`, the journal the operator gave. */
function openReadonlyAt(
  file: string,
  shownAs: string,
  timeout: number,
  make: (db: Database.Database) => Journal,
): Journal {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout });
  } catch (error) {
    throw journalErrorFrom(error, shownAs, "opening it read-only");
  }
  try {
    const { version } = inspectSchema(db, shownAs);
    if (version === 0) {
      throw new JournalError(shownAs, `${shownAs} is an empty file, not a fedmigrate journal yet.`, {
        hint: "A journal is created by migrate or rollback; point --journal at an existing journal to read it.",
      });
    }
    if (version < READABLE_FROM_VERSION) {
      throw new JournalError(
        shownAs,
        `The journal ${shownAs} has schema version ${version}, older than this fedmigrate reads without upgrading it (version ${READABLE_FROM_VERSION} to ${SCHEMA_VERSION}).`,
        { hint: "Any migrate or rollback on it upgrades it in place; then read it again." },
      );
    }
    return make(db);
  } catch (error) {
    db.close();
    throw journalErrorFrom(error, shownAs, "opening it read-only");
  }
}

/** SQLite refused to read in place because it could not create or write the -shm (and -wal) files. */
function needsWritableDirectory(error: unknown): boolean {
  const cause = error instanceof JournalError ? error.cause : undefined;
  if (!(cause instanceof Database.SqliteError)) return false;
  return cause.code.startsWith("SQLITE_READONLY") || cause.code.startsWith("SQLITE_CANTOPEN");
}

/**
 * Reads a copy of the journal (and of its -wal, when there is one) made in a private temporary
 * directory, removed again when the journal is closed. `original` is what reading in place threw:
 * it is the error reported when even a copy cannot be made.
 */
function openPrivateCopy(path: string, timeout: number, original: unknown): Journal {
  const dir = mkdtempSync(join(tmpdir(), "fedmigrate-journal-copy-"));
  try {
    const copy = join(dir, basename(path));
    try {
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    } catch {
      throw original;
    }
    return openReadonlyAt(copy, path, timeout, (db) => new CopiedJournal(db, path, dir));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A journal read from a private copy: closing it removes the copy. */
class CopiedJournal extends SqliteJournal {
  readonly #dir: string;

  constructor(db: Database.Database, path: string, dir: string) {
    super(db, path);
    this.#dir = dir;
  }

  override close(): void {
    try {
      super.close();
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}

/**
 * Refuses a journal whose pages do not read back as a sound database. `quick_check` reads every
 * page once (about 0.1 s for 100,000 attempts), which a run that writes can afford.
 */
function checkIntact(db: Database.Database, path: string): void {
  const result = db.pragma("quick_check(1)", { simple: true });
  if (result === "ok") return;
  throw new JournalError(
    path,
    `${path} is not a readable fedmigrate journal: it is corrupt (SQLite's quick_check says: ${String(result)}).`,
    {
      hint: "fedmigrate leaves the file as it is. Restore it from a backup, or move it aside and start a new journal with --journal (the history it holds is then not used).",
    },
  );
}

/**
 * Whether a journal can be at `path`: an existing file, or (unless `mustExist`) a new one in an
 * existing directory. Throws the JournalError a run would stop with; `doctor` asks the same.
 */
export function checkWritablePath(path: string, mustExist: boolean): void {
  const stat = statPath(path, path);
  if (stat?.isDirectory()) throw isDirectoryError(path);
  if (stat) return;
  if (mustExist) {
    throw new JournalError(path, `There is no journal at ${path}.`, {
      hint: "Check --journal (or FEDMIGRATE_JOURNAL): this command needs the journal of earlier runs.",
    });
  }
  const directory = dirname(path);
  const parent = statPath(directory, path);
  if (!parent) {
    throw new JournalError(
      path,
      `Cannot create the journal ${path}: the directory ${directory} does not exist.`,
      {
        hint: "Create the directory, or point --journal at a file in an existing one.",
      },
    );
  }
  if (!parent.isDirectory()) {
    throw new JournalError(path, `Cannot create the journal ${path}: ${directory} is not a directory.`, {
      hint: "Point --journal at a file in an existing directory.",
    });
  }
}

/** `stat`, with "no such file" (a missing entry, or a file where a directory should be) as undefined. */
function statPath(target: string, journalPath: string): Stats | undefined {
  try {
    return statSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new JournalError(journalPath, `Cannot check ${target} (${code ?? String(error)}).`, {
      cause: error,
      hint: "Check that this user may reach the journal's directory.",
    });
  }
}

/**
 * Creates a new journal file readable and writable by its owner only (0600, whatever the umask):
 * it names every datasource and account migrated. SQLite gives the -wal and -shm files it creates
 * next to it the database file's own mode, so they are 0600 too. An existing file keeps its mode.
 */
function createOwnerOnly(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw journalErrorFrom(error, path, "creating it");
  }
  try {
    // The umask may have taken bits away (never added them): set exactly 0600.
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

function connect(path: string, options: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (error) {
    throw journalErrorFrom(error, path, options.readonly ? "opening it read-only" : "opening it");
  }
}

function isDirectoryError(path: string): JournalError {
  return new JournalError(path, `The journal path ${path} is a directory.`, {
    hint: "Point --journal at a file (for example ./fedmigrate.db).",
  });
}
