import type Database from "better-sqlite3";
import { appendToChain } from "./journal-chain.js";
import { JournalLockedError } from "./journal-error.js";
import type { LockOwner } from "./types.js";

/** How long a holder may go without a heartbeat before it is presumed dead. */
export const DEFAULT_LOCK_STALE_AFTER_MS = 2 * 60_000;

/** Options of `acquireLock`; the defaults are the real process table and clock. */
export interface AcquireLockOptions {
  /** Whether a process of this host is alive. Default: `process.kill(pid, 0)`. */
  isProcessAlive?: (pid: number) => boolean;
  /** A holder whose heartbeat is older than this is presumed dead. Default 2 minutes. */
  staleAfterMs?: number;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Why a previous holder was judged dead. */
export type TakeoverReason = "process-gone" | "heartbeat-stale";

/** What `acquireLock` found; the caller warns about a takeover. */
export interface LockAcquired {
  /** The dead run whose lock was taken over, if any. */
  takenOverFrom: LockOwner | undefined;
  takeoverReason: TakeoverReason | undefined;
  /** Runs left RUNNING by dead processes (the taken-over one included), now marked CRASHED. */
  crashedRuns: string[];
}

interface LockRow {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
}

const SELECT_LOCK = `SELECT run_id AS runId, pid, host, started_at AS startedAt, heartbeat_at AS heartbeatAt
  FROM lock WHERE id = 1`;

/**
 * Takes the journal's run lock for `owner`, or throws `JournalLockedError` naming the live run
 * that holds it. One `BEGIN IMMEDIATE` transaction, so two runs starting at once cannot both win.
 *
 * A holder is dead when, on this host, its pid is gone; or, on any host, its heartbeat is older
 * than `staleAfterMs`. The second rule covers other hosts (whose processes we cannot see) and a
 * pid reused on this host (a container restarted with the same hostname gets the same small
 * pids). Clocks are compared across hosts only in that case; SQLite's WAL needs all its users on
 * one host anyway, so a journal seen from two hosts is one carried over, not shared live.
 *
 * Since every run holds the lock from before `startRun` until after `finishRun`, any run still
 * RUNNING when the lock is taken (other than `owner`'s) died without finishing: it is marked
 * CRASHED. Taking the lock again for the run that holds it refreshes it.
 */
export function acquireLock(
  db: Database.Database,
  owner: LockOwner,
  options: AcquireLockOptions = {},
): LockAcquired {
  const isAlive = options.isProcessAlive ?? processIsAlive;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_LOCK_STALE_AFTER_MS;
  const now = options.now ?? Date.now;
  if (!(staleAfterMs > 0))
    throw new RangeError(`staleAfterMs must be a positive number, got ${staleAfterMs}`);

  const take = db.transaction((): LockAcquired => {
    const holder = db.prepare<[], LockRow>(SELECT_LOCK).get();
    let takenOverFrom: LockOwner | undefined;
    let takeoverReason: TakeoverReason | undefined;
    if (holder && holder.runId !== owner.runId) {
      takeoverReason = deathOf(holder, owner.host, isAlive, staleAfterMs, now());
      if (!takeoverReason) throw new JournalLockedError(db.name, holder, staleAfterMs);
      takenOverFrom = holder;
    }
    db.prepare(
      `INSERT INTO lock (id, run_id, pid, host, started_at, heartbeat_at)
       VALUES (1, @runId, @pid, @host, @startedAt, @heartbeatAt)
       ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    ).run(owner);
    const crashedRuns = db
      .prepare<[string], string>(
        "UPDATE runs SET status = 'CRASHED' WHERE status = 'RUNNING' AND id <> ? RETURNING id",
      )
      .pluck()
      .all(owner.runId);
    // A crashed run has ended: it enters the hash chain now, as a finished one would.
    for (const runId of crashedRuns) appendToChain(db, "run", runId);
    return { takenOverFrom, takeoverReason, crashedRuns };
  });
  return take.immediate();
}

/**
 * Records that `runId` is alive. Returns false if it no longer holds the lock (another run took it
 * over, e.g. after this process was suspended): the caller must then start nothing new.
 */
export function heartbeatLock(db: Database.Database, runId: string, at: string): boolean {
  return (
    db.prepare("UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND run_id = ?").run(at, runId).changes === 1
  );
}

/** Releases the lock if `runId` still holds it; returns whether it did. */
export function releaseLock(db: Database.Database, runId: string): boolean {
  return db.prepare("DELETE FROM lock WHERE id = 1 AND run_id = ?").run(runId).changes === 1;
}

/** The current holder, if any (for `doctor` and `status`). */
export function readLock(db: Database.Database): LockOwner | undefined {
  return db.prepare<[], LockRow>(SELECT_LOCK).get();
}

/**
 * Whether a process of this host exists. EPERM means it exists under another user; only ESRCH
 * means it is gone. A pid that is not a positive integer names no process (and `kill(0, …)`
 * would signal our own process group).
 */
export function processIsAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function deathOf(
  holder: LockOwner,
  host: string,
  isAlive: (pid: number) => boolean,
  staleAfterMs: number,
  nowMs: number,
): TakeoverReason | undefined {
  if (holder.host === host && !isAlive(holder.pid)) return "process-gone";
  // An unreadable heartbeat proves no life either.
  const beat = Date.parse(holder.heartbeatAt);
  if (Number.isNaN(beat) || nowMs - beat > staleAfterMs) return "heartbeat-stale";
  return undefined;
}
