import { readFileSync, statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { FedmigrateError } from "../errors.js";
import { formatDuration } from "../format-duration.js";
import type { LockOwner } from "./types.js";

/** The journal cannot be opened, read or written (exit 1). Names the file and what to do. */
export class JournalError extends FedmigrateError {
  override name = "JournalError";
  /** The journal file concerned, as given to `openJournal`. */
  readonly path: string;

  constructor(path: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super("JOURNAL", message, options);
    this.path = path;
  }
}

/** Another live run holds the journal's run lock (exit 3). */
export class JournalLockedError extends FedmigrateError {
  override name = "JournalLockedError";
  readonly path: string;
  /** The run holding the lock, as recorded in the `lock` table. */
  readonly holder: LockOwner;

  constructor(path: string, holder: LockOwner, staleAfterMs: number) {
    super(
      "JOURNAL_LOCKED",
      `The journal ${path} is in use by run ${holder.runId} (pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}, last heartbeat ${holder.heartbeatAt}).`,
      {
        hint:
          "Wait for that run to finish, or stop it (Ctrl-C or SIGTERM lets it record its in-flight requests). " +
          `If it is no longer running, the next run takes the lock over by itself once its process is gone (same host) or its heartbeat is more than ${formatDuration(staleAfterMs)} old.`,
      },
    );
    this.path = path;
    this.holder = holder;
  }
}

/**
 * Turns what SQLite (or better-sqlite3) threw into a `JournalError` in plain words, with the file,
 * what we were doing and what the operator can do about it; the original stays as `cause`.
 * A `FedmigrateError` passes through unchanged.
 */
export function journalErrorFrom(error: unknown, path: string, doing: string): FedmigrateError {
  if (error instanceof FedmigrateError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = error instanceof Database.SqliteError ? error.code : "";
  const where = `(while ${doing}; SQLite says: ${detail})`;

  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new JournalError(
      path,
      `${path} is not a readable fedmigrate journal: it is corrupt or not a SQLite database ${where}.`,
      {
        cause: error,
        hint: "fedmigrate leaves the file as it is. Restore it from a backup, or move it aside and start a new journal with --journal (the history it holds is then not used).",
      },
    );
  }
  // SQLite says SQLITE_FULL for a full disk, but only "disk I/O error" when a write fails for a
  // file size limit (EFBIG), or on some filesystems for a full disk: tell those apart here.
  const limit = code.startsWith("SQLITE_IOERR") ? fileSizeLimitReached(path) : undefined;
  if (limit !== undefined) {
    return new JournalError(
      path,
      `The journal ${path} cannot grow: this process may not write files larger than ${limit} bytes (its file size limit, ulimit -f) ${where}.`,
      {
        cause: error,
        hint: `Raise the limit for fedmigrate (ulimit -f unlimited), or move the journal with its -wal file to where it may grow and point --journal at it; then run the same command again. ${KEPT}`,
      },
    );
  }
  if (code.startsWith("SQLITE_FULL") || (code.startsWith("SQLITE_IOERR") && diskFull(path))) {
    return new JournalError(path, `The disk holding the journal ${path} is full ${where}.`, {
      cause: error,
      hint: `Free some disk space, or move the journal with its -wal file to a disk with room and point --journal at it; then run the same command again. ${KEPT}`,
    });
  }
  if (
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_PERM") ||
    code.startsWith("SQLITE_AUTH")
  ) {
    return new JournalError(path, `The journal ${path} cannot be written ${where}.`, {
      cause: error,
      hint: "Check the permissions of the file and of its directory (SQLite writes -wal and -shm files next to it), and that the disk is not mounted read-only.",
    });
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return new JournalError(path, `The journal ${path} cannot be opened ${where}.`, {
      cause: error,
      hint: "Check that its directory exists and that this user may read and write the file and the directory (SQLite keeps -wal and -shm files next to it).",
    });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new JournalError(
      path,
      `The journal ${path} stayed busy: another process kept it locked ${where}.`,
      {
        cause: error,
        hint: "Another fedmigrate or an open sqlite3 shell may be holding a write transaction; close it and run again.",
      },
    );
  }
  if (code.startsWith("SQLITE_IOERR")) {
    return new JournalError(path, `Input/output error on the journal ${path} ${where}.`, {
      cause: error,
      hint: "Check the disk and the filesystem. A network filesystem is not supported: SQLite's WAL mode needs a local disk.",
    });
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new JournalError(path, `The journal ${path} refused a write ${where}.`, {
      cause: error,
      hint: "Recorded attempts are append-only: they are never rewritten or deleted. This is a fedmigrate bug if no one edited the journal by hand; please report it.",
    });
  }
  return new JournalError(path, `Journal error on ${path} ${where}.`, { cause: error });
}

const KEPT =
  "What was recorded so far is kept, and the next run resolves anything left in flight before it sends anything.";

/** Free space below which a failed write is taken for a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;
/** How near its file size limit a journal file must be for a failed write to be put down to it. */
const LIMIT_MARGIN_BYTES = 64 * 1024;

/**
 * The process's file size limit (RLIMIT_FSIZE, `ulimit -f`) when the journal or its WAL has
 * reached it, else undefined. Read from /proc (Linux); elsewhere it cannot be told.
 */
function fileSizeLimitReached(path: string): number | undefined {
  let limit: number;
  try {
    const line = /^Max file size\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (!line?.[1] || line[1] === "unlimited") return undefined;
    limit = Number(line[1]);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(limit)) return undefined;
  for (const file of [path, `${path}-wal`, `${path}-journal`]) {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size + LIMIT_MARGIN_BYTES >= limit) return limit;
  }
  return undefined;
}

/** Whether the filesystem holding the journal has (next to) no space left. */
function diskFull(path: string): boolean {
  try {
    const stats = statfsSync(dirname(path));
    return stats.bavail * stats.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}
