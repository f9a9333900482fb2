// Scenario 4: reading a journal with a long history (1,000,000 attempt rows): status, history, an
// offline plan of its datasources and the offline audit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../cli-process.mjs";
import { makeJournal } from "../make-journal.mjs";
import { importBuilt, manifestItems, writeScenario } from "../write-scenario.mjs";

const DOMAIN = "acme.domo.com";

/** @param {{ attempts?: number, datasources?: number, runs?: number }} [options] */
export async function benchJournalSize({ attempts = 1_000_000, datasources = 20_000, runs = 50 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-bench-journal-"));
  try {
    const { fixture, manifestFile } = await writeScenario(dir, { count: datasources });
    const file = path.join(dir, "fedmigrate.db");
    const made = await makeJournal(file, {
      domain: DOMAIN,
      items: manifestItems(fixture),
      attempts,
      runs,
    });
    const env = { DOMO_DOMAIN: DOMAIN, FEDMIGRATE_JOURNAL: file };
    const commands = [
      ["status"],
      ["status", "--json"],
      ["history"],
      ["plan", manifestFile, "--offline"],
      // The offline audit: the whole hash chain, the triggers and item_latest.
      ["audit", "--offline"],
    ];
    const results = [];
    for (const args of commands) {
      const run = await runCli(args, { env, discardOutput: true });
      results.push({
        command: `fedmigrate ${args.join(" ").replace(manifestFile, "migrations.yaml")}`,
        ms: run.wallMs,
        exit: run.code,
        maxRssKb: run.maxRssKb,
      });
    }
    // What migrate and rollback pay before anything else on such a journal: a writable open runs
    // SQLite's quick_check over every page (open-journal.ts), timed here in-process, the file
    // already in the page cache from the commands above.
    const { openJournal } = await importBuilt("journal/open-journal.js");
    const openStarted = performance.now();
    openJournal(file).close();
    const writableOpenMs = performance.now() - openStarted;
    // What migrate and rollback pay next: the audit they refuse a broken journal with. The first
    // one verifies the whole chain and stores a checkpoint; the next ones start from it.
    const journal = openJournal(file);
    const timed = () => {
      const began = performance.now();
      const result = journal.auditBeforeRun(new Date().toISOString());
      return { result, ms: performance.now() - began };
    };
    const { result: audit, ms: auditMs } = timed();
    const { ms: checkpointAuditMs } = timed();
    journal.close();
    return {
      id: "journal",
      title: `4. Journal: ${made.attempts.toLocaleString("en")} attempt rows (${made.runs} runs over ${datasources.toLocaleString("en")} datasources)`,
      commands: results.map((r) => r.command),
      figures: {
        generationMs: made.ms,
        attempts: made.attempts,
        runs: made.runs,
        datasources,
        results,
        writableOpenMs,
        auditMs,
        checkpointAuditMs,
        auditOk: audit.ok,
        chainEntries: audit.head.seq,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
