import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { auditJournal } from "../../src/journal/audit-journal.js";
import { CHAINED_ATTEMPT_COLUMN_NAMES, chainHash, columnList } from "../../src/journal/journal-chain.js";
import { SCHEMA_MIGRATIONS, upgradeSchema } from "../../src/journal/schema.js";
import { anAttempt, aResult, aRun, cleanUp, open, record, tempDir } from "./journal-fixtures.js";

afterEach(cleanUp);

/** A journal with two runs, final and in-flight rows, and an in-flight row completed late; closed. */
function journalFile(): { path: string; ids: Record<string, number> } {
  const path = join(tempDir(), "fedmigrate.db");
  const journal = open(path);
  journal.startRun(aRun({ id: "run-1" }));
  const early = journal.beginAttempt(anAttempt("run-1", "ds-early"));
  const aborted = record(journal, "run-1", "ds-1", "V1_TO_V2", "ABORTED");
  const complete = record(journal, "run-1", "ds-2", "V1_TO_V2", "COMPLETE");
  // Completed after later rows were inserted and chained: no earlier link changes.
  journal.completeAttempt(early, aResult("COMPLETE"));
  journal.finishRun("run-1", "FAILED", "2025-01-01T01:00:00.000Z");
  journal.startRun(aRun({ id: "run-2", command: "rollback" }));
  const reversed = record(journal, "run-2", "ds-2", "V2_TO_V1", "COMPLETE");
  const inFlight = record(journal, "run-2", "ds-3", "V1_TO_V2", "IN_FLIGHT");
  journal.close();
  return { path, ids: { early, aborted, complete, reversed, inFlight } };
}

function auditFile(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return auditJournal(db);
  } finally {
    db.close();
  }
}

/** An operator's connection that first drops every trigger, as a determined forger would. */
function withoutTriggers(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  // As the sqlite3 shell has it (better-sqlite3 turns foreign keys on).
  db.pragma("foreign_keys = OFF");
  try {
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").pluck().all();
    for (const name of names) db.exec(`DROP TRIGGER "${name}"`);
    fn(db);
  } finally {
    db.close();
  }
}

describe("the offline audit", () => {
  it("finds a journal written by fedmigrate clean, its head the journal's own", () => {
    const { path } = journalFile();
    const audit = auditFile(path);
    expect(audit.findings).toEqual([]);
    expect(audit.ok).toBe(true);
    // 4 final attempts + 1 ended run (run-2 still running, ds-3 in flight).
    expect(audit.head.seq).toBe(5);
    expect(audit.verifiedEntries).toBe(5);
    expect(audit.head.hash).toMatch(/^[0-9a-f]{64}$/);
    const journal = open(path, { readonly: true });
    expect(journal.chainHead()).toEqual(audit.head);
    expect(journal.audit()).toEqual(audit);
  });

  it("names the row and datasource of an edit made after dropping the triggers", () => {
    const { path, ids } = journalFile();
    withoutTriggers(path, (db) => {
      db.prepare("UPDATE attempts SET state = 'COMPLETE', toe = 'FORGED' WHERE id = ?").run(ids.aborted);
      db.prepare("UPDATE item_latest SET last_applied_migrate_id = ? WHERE datasource_id = 'ds-1'").run(
        ids.aborted,
      );
    });
    const audit = auditFile(path);
    expect(audit.ok).toBe(false);
    const chain = audit.findings.filter((finding) => finding.check === "chain");
    expect(chain).toEqual([
      expect.objectContaining({ attemptId: ids.aborted, datasourceId: "ds-1", domain: "acme.domo.com" }),
    ]);
    expect(chain[0]?.message).toMatch(
      new RegExp(`Attempt ${ids.aborted} \\(datasource ds-1 on acme.domo.com\\) does not match its hash`),
    );
    expect(chain[0]?.hint).toMatch(/restore it from a backup/);
    expect(audit.findings.filter((finding) => finding.check === "triggers").length).toBeGreaterThan(5);
    expect(audit.findings.find((finding) => finding.check === "derived")).toBeUndefined();
  });

  it("finds a final row rewritten with its hash recomputed: the next link breaks", () => {
    const { path, ids } = journalFile();
    withoutTriggers(path, (db) => {
      db.prepare("UPDATE attempts SET toe = 'FORGED' WHERE id = ?").run(ids.aborted);
      const entry = db
        .prepare("SELECT seq FROM chain WHERE attempt_id = ?")
        .pluck()
        .get(ids.aborted) as number;
      const previous =
        (db
          .prepare("SELECT hash FROM chain WHERE seq = ?")
          .pluck()
          .get(entry - 1) as string) ?? "";
      const values = db
        .prepare(`SELECT ${columnList(CHAINED_ATTEMPT_COLUMN_NAMES)} FROM attempts WHERE id = ?`)
        .raw()
        .get(ids.aborted) as unknown[];
      db.prepare("UPDATE chain SET hash = ? WHERE seq = ?").run(
        chainHash(entry, previous, "attempt", values),
        entry,
      );
    });
    const [first] = auditFile(path).findings;
    expect(first?.check).toBe("chain");
    expect(first?.attemptId).toBe(ids.complete);
  });

  it.each([
    ["deleted", "DELETE FROM attempts WHERE id = @id", /Attempt \d+ \(chain entry \d+\) was deleted/],
    ["dropped from the chain", "DELETE FROM chain WHERE attempt_id = @id", /skips from entry/],
  ])("finds a final row %s", (_title, sql, message) => {
    const { path, ids } = journalFile();
    withoutTriggers(path, (db) => db.prepare(sql).run({ id: ids.aborted }));
    const [first] = auditFile(path).findings;
    expect(first?.check).toBe("chain");
    expect(first?.message).toMatch(message);
  });

  it("finds a final row written by another client with the triggers intact (not in the chain)", () => {
    const { path, ids } = journalFile();
    const db = new Database(path);
    db.prepare("UPDATE attempts SET state = 'COMPLETE', toe = 'T' WHERE id = ?").run(ids.inFlight);
    db.close();
    const audit = auditFile(path);
    expect(audit.findings).toEqual([
      expect.objectContaining({ check: "chain", attemptId: ids.inFlight, datasourceId: "ds-3" }),
    ]);
    expect(audit.findings[0]?.message).toMatch(/is not in the hash chain/);
  });

  it("finds an ended run that is not in the chain", () => {
    const { path } = journalFile();
    const db = new Database(path);
    db.exec("UPDATE runs SET status = 'SUCCEEDED', ended_at = 'x' WHERE id = 'run-2'");
    db.close();
    expect(auditFile(path).findings).toEqual([
      expect.objectContaining({
        check: "chain",
        runId: "run-2",
        message: expect.stringMatching(/not in the hash chain/),
      }),
    ]);
  });

  it("finds a changed, a missing and a foreign trigger", () => {
    const { path } = journalFile();
    const db = new Database(path);
    db.exec(`DROP TRIGGER attempts_no_replace;
      DROP TRIGGER runs_ended_no_delete;
      CREATE TRIGGER runs_ended_no_delete BEFORE DELETE ON runs WHEN 0 BEGIN SELECT 1; END;
      CREATE TRIGGER sneaky AFTER INSERT ON attempts BEGIN SELECT 1; END;`);
    db.close();
    expect(auditFile(path).findings.map((finding) => finding.message)).toEqual([
      "The guard trigger attempts_no_replace is missing.",
      "The guard trigger runs_ended_no_delete was changed.",
      "The journal has a trigger fedmigrate did not create: sneaky.",
    ]);
  });

  it("names the datasource whose item_latest row does not match the attempts", () => {
    const { path, ids } = journalFile();
    withoutTriggers(path, (db) =>
      db.prepare("UPDATE item_latest SET last_complete_reverse_id = NULL WHERE datasource_id = 'ds-2'").run(),
    );
    const derived = auditFile(path).findings.find((finding) => finding.check === "derived");
    expect(derived).toMatchObject({ datasourceId: "ds-2", attemptId: ids.reversed });
    expect(derived?.message).toMatch(/last_complete_reverse_id NULL, the attempts say \d+/);
  });
});

describe("the audit before a run", () => {
  it("verifies from the last run's checkpoint while the schema is unchanged, all of it once it changed", () => {
    const { path, ids } = journalFile();
    const journal = open(path);
    const first = journal.auditBeforeRun("2025-01-02T00:00:00.000Z");
    expect(first).toMatchObject({ ok: true, verifiedEntries: 5, head: { seq: 5 } });
    journal.startRun(aRun({ id: "run-3" }));
    record(journal, "run-3", "ds-9", "V1_TO_V2", "COMPLETE");
    journal.finishRun("run-3", "SUCCEEDED", "2025-01-02T01:00:00.000Z");
    // Only the two entries written since were walked; the rest was counted.
    expect(journal.auditBeforeRun("2025-01-03T00:00:00.000Z")).toMatchObject({
      ok: true,
      verifiedEntries: 2,
      head: { seq: 7 },
    });
    journal.close();

    // An edit made after dropping a trigger, which is then recreated as it was: the schema changed.
    const db = new Database(path);
    const sql = db
      .prepare("SELECT sql FROM sqlite_schema WHERE name = 'attempts_final_rows_are_final'")
      .pluck()
      .get();
    db.exec("DROP TRIGGER attempts_final_rows_are_final");
    db.prepare("UPDATE attempts SET toe = 'FORGED' WHERE id = ?").run(ids.complete);
    db.exec(String(sql));
    db.close();
    const reopened = open(path);
    const audit = reopened.auditBeforeRun("2025-01-04T00:00:00.000Z");
    expect(audit.ok).toBe(false);
    expect(audit.findings[0]).toMatchObject({
      check: "chain",
      attemptId: ids.complete,
      datasourceId: "ds-2",
    });
  });

  it("names a checkpoint whose entry no longer has the hash it had", () => {
    const { path } = journalFile();
    const db = new Database(path, { readonly: true });
    try {
      const audit = auditJournal(db, { from: { seq: 2, hash: "0".repeat(64) } });
      expect(audit.findings[0]?.message).toMatch(/Chain entry 2 no longer has the hash verified/);
    } finally {
      db.close();
    }
  });
});

describe("the chain as runs end", () => {
  it("chains a run marked CRASHED by the next run's lock, which cannot then be ended again", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const journal = open(path);
    journal.startRun(aRun({ id: "run-dead" }));
    record(journal, "run-dead", "ds-1", "V1_TO_V2", "COMPLETE");
    const before = journal.chainHead();
    const owner = { runId: "run-next", pid: 1, host: "h", startedAt: "t", heartbeatAt: "t" };
    expect(journal.acquireLock(owner).crashedRuns).toEqual(["run-dead"]);
    expect(journal.chainHead().seq).toBe(before.seq + 1);
    expect(journal.audit()).toMatchObject({ ok: true, findings: [] });
    expect(() => journal.finishRun("run-dead", "SUCCEEDED", "2025-01-01T02:00:00.000Z")).toThrow(
      /run that has ended cannot be changed/,
    );
    expect(journal.audit().ok).toBe(true);
  });
});

describe("upgrading a version-1 journal", () => {
  it("chains the rows it holds and audits clean; later runs extend the chain", () => {
    const path = join(tempDir(), "fedmigrate.db");
    const v1 = new Database(path);
    upgradeSchema(v1, path, SCHEMA_MIGRATIONS.slice(0, 1));
    v1.exec(`INSERT INTO runs (id, command, started_at, ended_at, status, domain, "user", host, pid)
      VALUES ('old-1', 'migrate', 'a', 'b', 'SUCCEEDED', 'acme.domo.com', 'ops', 'h', 1),
             ('old-2', 'migrate', 'c', NULL, 'CRASHED', 'acme.domo.com', 'ops', 'h', 2)`);
    const insert =
      v1.prepare(`INSERT INTO attempts (run_id, domain, datasource_id, direction, attempt, toe, state, started_at)
      VALUES (?, 'acme.domo.com', ?, 'V1_TO_V2', 1, ?, ?, 'a')`);
    insert.run("old-1", "ds-1", "T1", "COMPLETE");
    insert.run("old-1", "ds-2", "T2", "ABORTED");
    insert.run("old-2", "ds-3", null, "IN_FLIGHT");
    expect(v1.pragma("user_version", { simple: true })).toBe(1);
    v1.close();

    const journal = open(path);
    const audit = journal.audit();
    expect(audit.findings).toEqual([]);
    expect(audit.head.seq).toBe(4);
    journal.startRun(aRun({ id: "run-new" }));
    record(journal, "run-new", "ds-4", "V1_TO_V2", "COMPLETE");
    journal.finishRun("run-new", "SUCCEEDED", "2025-01-02T00:00:00.000Z");
    expect(journal.audit()).toMatchObject({ ok: true, head: { seq: 6 } });

    // Upgraded, it refuses REPLACE like a new one.
    const db = new Database(path);
    expect(() =>
      db.exec(
        `REPLACE INTO attempts (id, run_id, domain, datasource_id, direction, attempt, state, started_at)
         VALUES (2, 'old-1', 'acme.domo.com', 'ds-2', 'V1_TO_V2', 1, 'COMPLETE', 'a')`,
      ),
    ).toThrow(/cannot be replaced/);
    db.close();
  });
});
