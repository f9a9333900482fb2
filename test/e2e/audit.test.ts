import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { API, call } from "../helpers/sim.js";
import { makeWorkspace, runCli, type Workspace } from "./cli-harness.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

/** A workspace whose `count` datasources were all migrated by one run; returns its JSON report. */
async function migrated(count: number, seed: number, extra: string[] = []) {
  const w = await makeWorkspace({ count, seed });
  ws = w;
  const run = await runCli(["migrate", w.manifest, "--json", ...extra], w.env);
  expect(run.code).toBe(0);
  return { w, report: JSON.parse(run.stdout) };
}

/** A forger with the sqlite3 shell: drops the triggers, then turns an attempt into a forged COMPLETE. */
function forge(journal: string, attemptId: number): void {
  const db = new Database(journal);
  try {
    db.pragma("foreign_keys = OFF");
    for (const name of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'").pluck().all()) {
      if (String(name).startsWith("item_latest")) continue;
      db.exec(`DROP TRIGGER "${name}"`);
    }
    db.prepare("UPDATE attempts SET toe = 'FORGED', state = 'COMPLETE' WHERE id = ?").run(attemptId);
  } finally {
    db.close();
  }
}

describe("fedmigrate audit", () => {
  it("--offline passes a journal fedmigrate wrote and prints the head the run's report recorded", async () => {
    const { w, report } = await migrated(3, 11);
    expect(report.journalHead).toEqual({ seq: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const before = w.sim.requestLog().length;
    const audit = await runCli(["audit", "--offline"], w.env);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(`Chain head: entry 4, ${report.journalHead.hash}`);
    expect(audit.stdout).toContain("The journal is sound.");
    const json = await runCli(["audit", "--offline", "--json"], w.env);
    expect(JSON.parse(json.stdout)).toMatchObject({ success: true, head: report.journalHead, online: null });
    expect(w.sim.requestLog().length).toBe(before);
  });

  it("--offline names the row and datasource edited behind its back, and migrate then sends nothing (exit 1)", async () => {
    const { w } = await migrated(3, 12);
    const [victim] = w.attempts();
    if (!victim) throw new Error("no attempts");
    forge(w.journal, victim.id);

    const audit = await runCli(["audit", "--offline", "--json"], w.env);
    expect(audit.code).toBe(1);
    const result = JSON.parse(audit.stdout);
    expect(result.success).toBe(false);
    expect(result.offline.findings[0]).toMatchObject({
      check: "chain",
      attemptId: victim.id,
      datasourceId: victim.datasource_id,
    });
    const human = await runCli(["audit", "--offline"], w.env);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`Attempt ${victim.id} (datasource ${victim.datasource_id}`);
    expect(human.stdout).toMatch(/guard trigger attempts_no_replace is missing/);

    const before = w.sim.requestLog().length;
    for (const args of [
      ["migrate", w.manifest],
      ["rollback", "--all"],
    ]) {
      const run = await runCli(args, w.env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Attempt ${victim.id} (datasource ${victim.datasource_id}`);
      expect(run.stderr).toContain("fedmigrate audit --offline");
    }
    expect(w.sim.requestLog().length).toBe(before);

    const doctor = await runCli(["doctor", "--json"], w.env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/fails its audit/);
  });

  it("online: names a datasource Domo lists on V1 that the journal says is on V2, and the other way round", async () => {
    const { w } = await migrated(4, 13);
    const [reversed, , , never] = w.fixture.datasources;
    if (!reversed || !never) throw new Error("fixture too small");
    // Reversed in Domo directly, behind the journal's back.
    const answer = await call(w.sim.url, "POST", `${API}/${encodeURIComponent(reversed.id)}/reverse`, {
      token: w.sim.token,
    });
    expect(answer).toMatchObject({ dropped: false, status: 200 });
    // And a reversal the journal records, then a migration outside it.
    expect((await runCli(["rollback", "--datasource", never.id], w.env)).code).toBe(0);
    const db = new Database(w.journal, { readonly: true });
    const target = db
      .prepare(`SELECT account_id AS account, catalog, "schema", table_name AS tableName FROM attempts
        WHERE datasource_id = ? AND direction = 'V1_TO_V2' LIMIT 1`)
      .get(never.id) as { account: string; catalog: string; schema: string; tableName: string };
    db.close();
    const remigrated = await call(
      w.sim.url,
      "POST",
      `${API}/${encodeURIComponent(never.id)}/accounts/${encodeURIComponent(target.account)}`,
      {
        token: w.sim.token,
        body: JSON.stringify({ catalog: target.catalog, schema: target.schema, table: target.tableName }),
        headers: { "content-type": "application/json" },
      },
    );
    expect(remigrated).toMatchObject({ dropped: false, status: 200 });
    expect(remigrated.dropped === false && JSON.parse(remigrated.text).state).toBe("COMPLETE");

    const before = w.sim.requestLog().length;
    const audit = await runCli(["audit", "--json"], w.env);
    expect(audit.code).toBe(1);
    const result = JSON.parse(audit.stdout);
    expect(result.offline.ok).toBe(true);
    expect(result.online.checked).toBe(4);
    expect(
      result.online.disagreements.map((d: { datasource: string; journal: string; domo: string }) => [
        d.datasource,
        d.journal,
        d.domo,
      ]),
    ).toEqual([
      [reversed.id, "V2", "V1"],
      [never.id, "V1", "V2"],
    ]);
    // GETs only.
    expect(
      w.sim
        .requestLog()
        .slice(before)
        .every((r) => r.method === "GET"),
    ).toBe(true);
    const human = await runCli(["audit"], w.env);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`datasource ${reversed.id}: the journal says it is on V2`);
    expect(human.stdout).toContain("Domo lists it on V1");
    expect(human.stdout).toContain(`datasource ${never.id}: the journal says it is back on V1`);
  });

  it("online: exit 0 when Domo agrees; --manifest takes the journal from the manifest", async () => {
    const { w } = await migrated(3, 14);
    const manifest = readFileSync(w.manifest, "utf8");
    const other = path.join(w.dir, "with-journal.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(other, manifest.replace(/^/, `journal: ${path.basename(w.journal)}\n`));
    const env = { ...w.env, FEDMIGRATE_JOURNAL: undefined };
    const audit = await runCli(["audit", "--manifest", other], env);
    expect(audit.stderr).toBe("");
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain("Domo agrees");
    expect(audit.stdout).toContain(w.journal);
  });

  it("JUnit properties and the step summary carry the head after the run", async () => {
    const w = await makeWorkspace({ count: 2, seed: 15 });
    ws = w;
    const junit = path.join(w.dir, "junit.xml");
    const summary = path.join(w.dir, "summary.md");
    const run = await runCli(["migrate", w.manifest, "--json", "--junit", junit], {
      ...w.env,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(run.code).toBe(0);
    const head = JSON.parse(run.stdout).journalHead;
    expect(head.seq).toBe(3);
    expect(readFileSync(junit, "utf8")).toContain(`<property name="journalHeadHash" value="${head.hash}"/>`);
    expect(readFileSync(summary, "utf8")).toContain(`entry 3, \`${head.hash}\``);
  });
});
