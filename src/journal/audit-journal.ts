import Database from "better-sqlite3";
import {
  CHAINED_ATTEMPT_COLUMN_NAMES,
  CHAINED_RUN_COLUMN_NAMES,
  type ChainHead,
  chainHash,
  columnList,
} from "./journal-chain.js";
import { JournalError } from "./journal-error.js";
import { ITEM_LATEST_COLUMNS, upgradeSchema } from "./schema.js";

/** Which part of the offline audit found something. */
export type AuditCheck = "schema" | "chain" | "triggers" | "derived";

/** The schema version that added the chain and the REPLACE-proof triggers. */
const CHAIN_SCHEMA_VERSION = 2;

/** One thing the offline audit found wrong, naming the row where it can. */
export interface AuditFinding {
  check: AuditCheck;
  /** What is wrong, in a sentence that names the row (and the datasource) where there is one. */
  message: string;
  /** What to do about it. */
  hint: string;
  /** The first attempt row that does not match, when the finding is about one. */
  attemptId?: number;
  /** The run row that does not match, when the finding is about one. */
  runId?: string;
  datasourceId?: string;
  domain?: string;
}

/** What `auditJournal` found: `ok` when there are no findings. */
export interface JournalAudit {
  ok: boolean;
  /** The chain's head as stored (seq 0, hash "" when empty); trust it only when `ok`. */
  head: ChainHead;
  /**
   * How many chain entries were verified before the first chain finding (all of them when none;
   * those after the checkpoint only, for `auditJournal(db, { from })`).
   */
  verifiedEntries: number;
  findings: AuditFinding[];
}

const RESTORE_HINT =
  "The journal was changed outside fedmigrate. Do not migrate or roll back with it: restore it from a backup, " +
  "checking the copy with `fedmigrate audit --offline --journal COPY` (its head must equal the journalHead of the " +
  "last run's report); if the change was deliberate, move this journal aside and start a new one with --journal.";

/**
 * The offline audit of a journal connection (read-only is enough): the hash chain (every entry's
 * hash, in order, and every final row has an entry), the guard triggers (present and unchanged)
 * and the derived table `item_latest` (equal to what the attempts say). Chain findings stop at
 * the first broken link: the rest of the chain is relative to it.
 */
export function auditJournal(
  db: Database.Database,
  /**
   * `from`: a chain head verified earlier under the same `PRAGMA schema_version` (see
   * `auditBeforeRun`): the chain is verified after it only, and item_latest is not recomputed.
   */
  options: { from?: ChainHead } = {},
): JournalAudit {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version < CHAIN_SCHEMA_VERSION) {
    // Read-only opens do not upgrade: an old journal has no chain (nor the newer triggers) yet.
    return {
      ok: false,
      head: { seq: 0, hash: "" },
      verifiedEntries: 0,
      findings: [
        {
          check: "schema",
          message: `The journal has schema version ${version}, which has no hash chain yet: it cannot be verified.`,
          hint: "The next migrate or rollback upgrades it in place and chains the rows it holds; audit it then.",
        },
      ],
    };
  }
  const chain = verifyChain(db, options.from ?? { seq: 0, hash: "" });
  // From a checkpoint (verified under the same schema), the guard triggers kept item_latest equal
  // to the attempts since: the check that reads every attempt is for full audits.
  const derived = options.from ? [] : checkDerived(db);
  const findings = [...chain.findings, ...checkTriggers(db), ...derived];
  return { ok: findings.length === 0, head: chain.head, verifiedEntries: chain.verified, findings };
}

const ATTEMPT_WIDTH = CHAINED_ATTEMPT_COLUMN_NAMES.length;
const RUN_WIDTH = CHAINED_RUN_COLUMN_NAMES.length;
// Columns 0-3 are the entry; then the attempt's columns, then the run's.
const WALK_SQL = `SELECT c.seq, c.hash, c.attempt_id, c.run_id,
  ${columnList(CHAINED_ATTEMPT_COLUMN_NAMES, "a")}, a.rowid IS NOT NULL,
  ${columnList(CHAINED_RUN_COLUMN_NAMES, "r")}, r.rowid IS NOT NULL
  FROM chain c LEFT JOIN attempts a ON a.id = c.attempt_id LEFT JOIN runs r ON r.id = c.run_id
  WHERE c.seq > ? ORDER BY c.seq`;

/** Verifies the chain's entries after `from` (a checkpoint verified earlier; entry 0 for all). */
function verifyChain(
  db: Database.Database,
  from: ChainHead,
): {
  head: ChainHead;
  verified: number;
  findings: AuditFinding[];
} {
  let head: ChainHead = from;
  let chainedAttempts = 0;
  let chainedRuns = 0;
  if (from.seq > 0) {
    // The entries up to the checkpoint were verified then; the guard triggers kept them so since
    // (the caller checks that the schema, triggers included, has not changed): count them only.
    const anchor = db
      .prepare<[{ seq: number }], { hash: string; attempts: number; runs: number }>(
        `SELECT (SELECT hash FROM chain WHERE seq = @seq) AS hash,
           (SELECT count(attempt_id) FROM chain WHERE seq <= @seq) AS attempts,
           (SELECT count(run_id) FROM chain WHERE seq <= @seq) AS runs`,
      )
      .get({ seq: from.seq });
    if (anchor?.hash !== from.hash) {
      return {
        head: from,
        verified: 0,
        findings: [
          {
            check: "chain",
            message: `Chain entry ${from.seq} no longer has the hash verified at the last run's start: the chain was rewritten.`,
            hint: RESTORE_HINT,
          },
        ],
      };
    }
    chainedAttempts = anchor.attempts;
    chainedRuns = anchor.runs;
  }
  for (const row of db.prepare<[number], unknown[]>(WALK_SQL).raw().iterate(from.seq)) {
    const seq = row[0] as number;
    const stored = row[1] as string;
    const attemptId = row[2] as number | null;
    const runId = row[3] as string | null;
    const attempt = row.slice(4, 4 + ATTEMPT_WIDTH);
    const attemptFound = row[4 + ATTEMPT_WIDTH] === 1;
    const run = row.slice(5 + ATTEMPT_WIDTH, 5 + ATTEMPT_WIDTH + RUN_WIDTH);
    const runFound = row[5 + ATTEMPT_WIDTH + RUN_WIDTH] === 1;
    const broken = (message: string, extra: Partial<AuditFinding> = {}) => ({
      head,
      verified: head.seq - from.seq,
      findings: [{ check: "chain" as const, message, hint: RESTORE_HINT, ...extra }],
    });
    if (seq !== head.seq + 1) {
      return broken(
        `The hash chain skips from entry ${head.seq} to entry ${seq}: ${seq - head.seq - 1} entr${seq - head.seq - 1 === 1 ? "y was" : "ies were"} deleted.`,
      );
    }
    if (attemptId !== null) {
      const datasource = { attemptId, domain: attempt[2] as string, datasourceId: attempt[3] as string };
      if (!attemptFound) {
        return broken(`Attempt ${attemptId} (chain entry ${seq}) was deleted from the journal.`, {
          attemptId,
        });
      }
      if (chainHash(seq, head.hash, "attempt", attempt) !== stored) {
        return broken(
          `Attempt ${attemptId} (datasource ${datasource.datasourceId} on ${datasource.domain}) does not match its hash (chain entry ${seq}): it was changed after it was recorded.`,
          datasource,
        );
      }
      chainedAttempts += 1;
    } else {
      if (!runFound)
        return broken(`Run ${runId} (chain entry ${seq}) was deleted from the journal.`, {
          runId: runId ?? undefined,
        });
      if (chainHash(seq, head.hash, "run", run) !== stored) {
        return broken(
          `Run ${runId} does not match its hash (chain entry ${seq}): it was changed after it ended.`,
          { runId: runId ?? undefined },
        );
      }
      chainedRuns += 1;
    }
    head = { seq, hash: stored };
  }
  const unchained = unchainedRow(db, chainedAttempts, chainedRuns);
  return {
    head,
    verified: head.seq - from.seq,
    findings: unchained ? [{ check: "chain", hint: RESTORE_HINT, ...unchained }] : [],
  };
}

/** The first final row without a chain entry (written behind fedmigrate's back), if any. */
function unchainedRow(
  db: Database.Database,
  chainedAttempts: number,
  chainedRuns: number,
): Omit<AuditFinding, "check" | "hint"> | undefined {
  // Counts first (index-only), the search for the row only when they differ.
  const finalAttempts = db
    .prepare<[], number>(
      "SELECT (SELECT count(*) FROM attempts) - (SELECT count(*) FROM attempts WHERE state = 'IN_FLIGHT')",
    )
    .pluck()
    .get() as number;
  if (finalAttempts !== chainedAttempts) {
    const row = db
      .prepare<[], { id: number; domain: string; datasourceId: string; state: string }>(
        `SELECT id, domain, datasource_id AS datasourceId, state FROM attempts
         WHERE state <> 'IN_FLIGHT' AND id NOT IN (SELECT attempt_id FROM chain WHERE attempt_id IS NOT NULL)
         ORDER BY id LIMIT 1`,
      )
      .get();
    if (row) {
      return {
        message: `Attempt ${row.id} (datasource ${row.datasourceId} on ${row.domain}, ${row.state}) is not in the hash chain: it was written or completed outside fedmigrate.`,
        attemptId: row.id,
        datasourceId: row.datasourceId,
        domain: row.domain,
      };
    }
  }
  const endedRuns = db
    .prepare<[], number>("SELECT count(*) FROM runs WHERE status <> 'RUNNING' OR ended_at IS NOT NULL")
    .pluck()
    .get() as number;
  if (endedRuns !== chainedRuns) {
    const runId = db
      .prepare<[], string>(
        `SELECT id FROM runs WHERE (status <> 'RUNNING' OR ended_at IS NOT NULL)
         AND id NOT IN (SELECT run_id FROM chain WHERE run_id IS NOT NULL) ORDER BY rowid LIMIT 1`,
      )
      .pluck()
      .get();
    if (runId !== undefined) {
      return {
        message: `Run ${runId} has ended but is not in the hash chain: it was written or ended outside fedmigrate.`,
        runId,
      };
    }
  }
  return undefined;
}

let expectedTriggers: Map<string, string> | undefined;

/** The triggers this build's schema creates, by name, with their SQL as SQLite stores it. */
function triggersOfThisBuild(): Map<string, string> {
  if (!expectedTriggers) {
    const db = new Database(":memory:");
    try {
      upgradeSchema(db, ":memory:");
      expectedTriggers = triggersOf(db);
    } finally {
      db.close();
    }
  }
  return expectedTriggers;
}

function triggersOf(db: Database.Database): Map<string, string> {
  const rows = db
    .prepare<[], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
    )
    .all();
  return new Map(rows.map((row) => [row.name, row.sql]));
}

const TRIGGER_HINT =
  "Someone altered the journal's triggers with another SQLite client, so its rows may have been rewritten " +
  "too. Restore the journal from a backup (check it with `fedmigrate audit --offline --journal COPY`).";

function checkTriggers(db: Database.Database): AuditFinding[] {
  const expected = triggersOfThisBuild();
  const actual = triggersOf(db);
  const findings: AuditFinding[] = [];
  for (const [name, sql] of expected) {
    const found = actual.get(name);
    if (found === undefined) {
      findings.push({
        check: "triggers",
        message: `The guard trigger ${name} is missing.`,
        hint: TRIGGER_HINT,
      });
    } else if (found !== sql) {
      findings.push({
        check: "triggers",
        message: `The guard trigger ${name} was changed.`,
        hint: TRIGGER_HINT,
      });
    }
  }
  for (const name of actual.keys()) {
    if (!expected.has(name)) {
      findings.push({
        check: "triggers",
        message: `The journal has a trigger fedmigrate did not create: ${name}.`,
        hint: TRIGGER_HINT,
      });
    }
  }
  return findings;
}

const ITEM_LATEST_NAMES = ["domain", "datasource_id", ...ITEM_LATEST_COLUMNS.map(([column]) => column)];
// item_latest as the attempts define it: per item, the highest id meeting each column's condition.
const EXPECTED_ITEM_LATEST = `SELECT domain, datasource_id, ${ITEM_LATEST_COLUMNS.map(
  ([column, condition]) => `max(CASE WHEN ${condition.replaceAll("NEW.", "")} THEN id END) AS ${column}`,
).join(", ")} FROM attempts GROUP BY domain, datasource_id`;
const ACTUAL_ITEM_LATEST = `SELECT ${ITEM_LATEST_NAMES.join(", ")} FROM item_latest`;

/** item_latest must equal what the attempts say; names the first item (by domain, datasource) that does not. */
function checkDerived(db: Database.Database): AuditFinding[] {
  // One pass over the attempts (by the attempts_item index), then each item_latest row found by
  // its key; and item_latest rows for items without attempts by index lookups.
  const differs = ITEM_LATEST_COLUMNS.map(([column]) => `l.${column} IS NOT e.${column}`).join(" OR ");
  const first = db
    .prepare<[], { domain: string; datasource_id: string }>(
      `SELECT * FROM (
         SELECT e.domain, e.datasource_id FROM (${EXPECTED_ITEM_LATEST}) e
         LEFT JOIN item_latest l ON l.domain = e.domain AND l.datasource_id = e.datasource_id
         WHERE l.domain IS NULL OR ${differs}
         UNION ALL
         SELECT l.domain, l.datasource_id FROM item_latest l
         WHERE NOT EXISTS (SELECT 1 FROM attempts a WHERE a.domain = l.domain AND a.datasource_id = l.datasource_id))
       ORDER BY domain, datasource_id LIMIT 1`,
    )
    .get();
  if (!first) return [];
  const where = " WHERE domain = ? AND datasource_id = ?";
  const expected = db
    .prepare(`SELECT * FROM (${EXPECTED_ITEM_LATEST})${where}`)
    .get(first.domain, first.datasource_id) as Record<string, unknown> | undefined;
  const actual = db.prepare(`${ACTUAL_ITEM_LATEST}${where}`).get(first.domain, first.datasource_id) as
    | Record<string, unknown>
    | undefined;
  const column = ITEM_LATEST_COLUMNS.map(([name]) => name).find(
    (name) => expected?.[name] !== actual?.[name],
  );
  const what = !actual
    ? "has no row for it"
    : !expected
      ? "has a row for it although it has no attempts"
      : `says ${column} ${String(actual[column ?? ""] ?? "NULL")}, the attempts say ${String(expected[column ?? ""] ?? "NULL")}`;
  const attemptId = (expected?.[column ?? "last_id"] ?? actual?.[column ?? "last_id"]) as number | undefined;
  return [
    {
      check: "derived",
      message: `item_latest does not match the attempts for datasource ${first.datasource_id} on ${first.domain}: it ${what}.`,
      hint: `item_latest is derived from attempts and was edited outside fedmigrate. ${RESTORE_HINT}`,
      datasourceId: first.datasource_id,
      domain: first.domain,
      ...(typeof attemptId === "number" ? { attemptId } : {}),
    },
  ];
}

/**
 * The error `migrate` and `rollback` stop with when the journal fails its offline audit (nothing
 * is sent), naming the first finding; undefined when the audit is clean.
 */
export function journalAuditError(path: string, audit: JournalAudit): JournalError | undefined {
  const [first] = audit.findings;
  if (!first) return undefined;
  const more =
    audit.findings.length > 1
      ? ` (and ${audit.findings.length - 1} more finding${audit.findings.length > 2 ? "s" : ""})`
      : "";
  return new JournalError(
    path,
    `The journal ${path} fails its audit, so nothing was sent: ${first.message}${more}`,
    {
      hint: `Run 'fedmigrate audit --offline --journal ${path}' to see every finding. ${first.hint}`,
    },
  );
}
