import { createHash } from "node:crypto";
import type Database from "better-sqlite3";

/*
 * The journal's hash chain (schema version 2), in the append-only table `chain`.
 *
 * Design: a row enters the chain when it becomes final, never before: an attempt when it leaves
 * IN_FLIGHT, a run when it leaves RUNNING (ended, or marked CRASHED). `chain.seq` numbers these
 * finalisations 1, 2, 3…, and entry n's hash is
 *
 *   sha256(JSON.stringify(["fedmigrate-chain/1", n, hash of entry n-1 or "", kind, [columns…]]))
 *
 * where kind is "attempt" or "run" and the columns are the row's every column, in the table's
 * order, as SQLite stores them (text, integer or null: JSON says each unambiguously). A final row
 * never changes again (the guard triggers), so its hash holds for good; an in-flight row that is
 * completed after later rows were inserted simply takes the next seq when it completes, and no
 * earlier link is touched. In-flight rows and running runs are outside the chain until they end:
 * they are what the next run resolves anyway.
 *
 * What it proves: any edit, deletion or insertion of a final row made behind fedmigrate's back
 * (triggers dropped, or a row inserted final or completed by another client) breaks the chain at
 * a row `auditJournal` can name: a hash that no longer matches, an entry whose row is gone, or a
 * final row without an entry. Someone who rewrites the whole chain after an edit is caught by the
 * head hash each run's report records (`audit --offline --journal copy.db` prints the head).
 */

/** The chain's last entry; `seq` 0 and `hash` "" for an empty chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export type ChainKind = "attempt" | "run";

const CHAIN_VERSION = "fedmigrate-chain/1";

/** The columns a hash covers, in table order (v1's columns; a later column needs a new chain version). */
export const CHAINED_ATTEMPT_COLUMN_NAMES = [
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
] as const;
export const CHAINED_RUN_COLUMN_NAMES = [
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
] as const;

/** `names` as a SELECT list, each quoted and optionally qualified by `table`. */
export function columnList(names: readonly string[], table?: string): string {
  return names.map((name) => (table ? `${table}."${name}"` : `"${name}"`)).join(", ");
}

const CHAINED_ATTEMPT_COLUMNS = columnList(CHAINED_ATTEMPT_COLUMN_NAMES);
const CHAINED_RUN_COLUMNS = columnList(CHAINED_RUN_COLUMN_NAMES);

/** The hash of chain entry `seq` over a row's column values. */
export function chainHash(
  seq: number,
  previous: string,
  kind: ChainKind,
  values: readonly unknown[],
): string {
  const text = JSON.stringify([CHAIN_VERSION, seq, previous, kind, values.map(canonicalValue)]);
  return createHash("sha256").update(text).digest("hex");
}

/** Blobs and bigints have no JSON form of their own; our columns hold neither unless forged. */
function canonicalValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { blob: value.toString("hex") };
  if (typeof value === "bigint") return { int: value.toString() };
  return value;
}

interface ChainStatements {
  head: Database.Statement<[], unknown[]>;
  attempt: Database.Statement<[number], unknown[]>;
  run: Database.Statement<[string], unknown[]>;
  insert: Database.Statement<[number, number | null, string | null, string]>;
}

const statementsByDb = new WeakMap<Database.Database, ChainStatements>();

function statementsOf(db: Database.Database): ChainStatements {
  let statements = statementsByDb.get(db);
  if (!statements) {
    statements = {
      head: db.prepare<[], unknown[]>("SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1").raw(),
      attempt: db
        .prepare<[number], unknown[]>(`SELECT ${CHAINED_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?`)
        .raw(),
      run: db.prepare<[string], unknown[]>(`SELECT ${CHAINED_RUN_COLUMNS} FROM runs WHERE id = ?`).raw(),
      insert: db.prepare("INSERT INTO chain (seq, attempt_id, run_id, hash) VALUES (?, ?, ?, ?)"),
    };
    statementsByDb.set(db, statements);
  }
  return statements;
}

/** The chain's head, read from `db`. */
export function readChainHead(db: Database.Database): ChainHead {
  const row = statementsOf(db).head.get();
  return row ? { seq: row[0] as number, hash: row[1] as string } : { seq: 0, hash: "" };
}

/**
 * Appends the row that has just become final to the chain. Call it inside the transaction that
 * made it final, so that the row and its entry are committed together.
 */
export function appendToChain(db: Database.Database, kind: ChainKind, id: number | string): ChainHead {
  const statements = statementsOf(db);
  const values = kind === "attempt" ? statements.attempt.get(id as number) : statements.run.get(id as string);
  if (!values) throw new Error(`appendToChain: no ${kind} ${id}`);
  const head = readChainHead(db);
  const seq = head.seq + 1;
  const hash = chainHash(seq, head.hash, kind, values);
  statements.insert.run(
    seq,
    kind === "attempt" ? (id as number) : null,
    kind === "run" ? (id as string) : null,
    hash,
  );
  return { seq, hash };
}

/**
 * Chains every final row that has no entry yet: ended runs in rowid order, then final attempts in
 * id order. Only for the schema upgrade, which chains the rows a version-1 journal already holds
 * (and for the bench, which writes its rows directly). Never call it on a journal in use: it
 * would seal rows written behind fedmigrate's back as if they were its own.
 */
export function chainUnchainedRows(db: Database.Database): number {
  const runs = db
    .prepare<[], string>(
      "SELECT id FROM runs WHERE status <> 'RUNNING' AND id NOT IN (SELECT run_id FROM chain WHERE run_id IS NOT NULL) ORDER BY rowid",
    )
    .pluck()
    .all();
  for (const id of runs) appendToChain(db, "run", id);
  const attempts = db
    .prepare<[], number>(
      "SELECT id FROM attempts WHERE state <> 'IN_FLIGHT' AND id NOT IN (SELECT attempt_id FROM chain WHERE attempt_id IS NOT NULL) ORDER BY id",
    )
    .pluck()
    .all();
  // Batched: one head read for the lot, since nothing else writes inside this transaction.
  const statements = statementsOf(db);
  let head = readChainHead(db);
  for (const id of attempts) {
    const values = statements.attempt.get(id) as unknown[];
    const seq = head.seq + 1;
    const hash = chainHash(seq, head.hash, "attempt", values);
    statements.insert.run(seq, id, null, hash);
    head = { seq, hash };
  }
  return runs.length + attempts.length;
}
