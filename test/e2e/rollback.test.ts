import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateFixture } from "../helpers/generate-fixture.js";
import {
  appliedByDatasource,
  makeWorkspace,
  postsByDatasource,
  runCli,
  type Workspace,
} from "./cli-harness.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

const migratedOnServer = (w: Workspace) =>
  new Set([...w.sim.sim.state().values()].filter((d) => d.status === "MIGRATED").map((d) => d.id));

async function migrated(count: number, seed: number): Promise<Workspace> {
  const w = await makeWorkspace({ count, seed });
  const run = await runCli(["migrate", w.manifest], w.env);
  expect(run.code).toBe(0);
  return w;
}

function lastRunId(stdout: string): string {
  return JSON.parse(stdout).runId as string;
}

describe("rollback end to end", () => {
  it("refuses without a scope, sending nothing (exit 2)", async () => {
    ws = await migrated(3, 1);
    const before = ws.sim.requestLog().length;
    const run = await runCli(["rollback"], ws.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("needs a scope");
    expect(ws.sim.requestLog().length).toBe(before);
  });

  it("--dry-run sends no POST and says what it would reverse", async () => {
    ws = await migrated(4, 2);
    const before = ws.sim.requestLog().length;
    const run = await runCli(["rollback", "--all", "--dry-run", "--json"], ws.env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).counts.reverse).toBe(4);
    expect(
      ws.sim
        .requestLog()
        .slice(before)
        .filter((r) => r.method === "POST"),
    ).toHaveLength(0);
    expect(migratedOnServer(ws).size).toBe(4);
  });

  it("--all reverses exactly the migrated ones, journals V2_TO_V1 rows, and the server shows them on V1", async () => {
    const fixture = generateFixture({ count: 8, seed: 3 });
    const notInManifest = fixture.datasources[7]?.id as string;
    ws = await makeWorkspace(fixture);
    // Leave one datasource out of the manifest: rollback must not touch it.
    const manifest = readFileSync(ws.manifest, "utf8");
    const entries = manifest.split("\n  - ");
    writeFileSync(ws.manifest, entries.filter((e) => !e.includes(notInManifest)).join("\n  - "));
    expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
    expect(migratedOnServer(ws).size).toBe(7);

    const run = await runCli(["rollback", "--all", "--json"], ws.env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ success: true, command: "rollback", counts: { complete: 7 } });
    const reversed = postsByDatasource(ws, "reverse");
    expect(reversed.size).toBe(7);
    expect(reversed.has(notInManifest)).toBe(false);
    expect(migratedOnServer(ws).size).toBe(0);
    const rows = ws.attempts().filter((a) => a.direction === "V2_TO_V1");
    expect(rows).toHaveLength(7);
    expect(rows.every((r) => r.state === "COMPLETE" && r.toe)).toBe(true);

    // Nothing left to reverse: a second rollback sends nothing.
    const again = await runCli(["rollback", "--all", "--json"], ws.env);
    expect(again.code).toBe(0);
    expect(postsByDatasource(ws, "reverse").size).toBe(7);
    expect([...postsByDatasource(ws, "reverse").values()].every((n) => n === 1)).toBe(true);
  });

  it("--run and --datasource select exactly", async () => {
    ws = await makeWorkspace({ count: 6, seed: 4 });
    const ids = ws.fixture.datasources.map((d) => d.id);
    const first = await runCli(["migrate", ws.manifest, "--limit", "3", "--json"], ws.env);
    const second = await runCli(["migrate", ws.manifest, "--json"], ws.env);
    const firstRun = lastRunId(first.stdout);
    expect(lastRunId(second.stdout)).not.toBe(firstRun);

    const byRun = await runCli(["rollback", "--run", firstRun, "--json"], ws.env);
    expect(byRun.code).toBe(0);
    expect([...postsByDatasource(ws, "reverse").keys()].sort()).toEqual(ids.slice(0, 3).sort());

    const one = ids[4] as string;
    const byId = await runCli(["rollback", "--datasource", one], ws.env);
    expect(byId.code).toBe(0);
    expect(postsByDatasource(ws, "reverse").get(one)).toBe(1);
    expect(postsByDatasource(ws, "reverse").size).toBe(4);

    const unknownRun = await runCli(["rollback", "--run", "r-nope"], ws.env);
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toContain("history");
  });

  it("a rolled-back entry is held by migrate; --include-rolled-back migrates it again", async () => {
    ws = await migrated(4, 5);
    const target = ws.fixture.datasources[1]?.id as string;
    expect((await runCli(["rollback", "--datasource", target], ws.env)).code).toBe(0);

    const before = ws.sim.requestLog().length;
    const plain = await runCli(["migrate", ws.manifest, "--json"], ws.env);
    expect(plain.code).toBe(0);
    const report = JSON.parse(plain.stdout);
    expect(report.items.find((i: { datasource: string }) => i.datasource === target)).toMatchObject({
      outcome: "held",
    });
    expect(
      ws.sim
        .requestLog()
        .slice(before)
        .filter((r) => r.method === "POST"),
    ).toHaveLength(0);

    const included = await runCli(["migrate", ws.manifest, "--include-rolled-back"], ws.env);
    expect(included.code).toBe(0);
    expect(appliedByDatasource(ws).get(target)).toBe(2);
    expect(migratedOnServer(ws).has(target)).toBe(true);
  });

  it("a changed table name after COMPLETE shows as drift, in plan and migrate", async () => {
    ws = await migrated(3, 6);
    const edited = path.join(ws.dir, "edited.yaml");
    writeFileSync(edited, readFileSync(ws.manifest, "utf8").replace(/table: "([^"]+)"/, 'table: "$1_v2"'));
    const plan = await runCli(["plan", edited], ws.env);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("blocked");
    expect(plan.stdout).toMatch(/_v2/);
    const migrate = await runCli(["migrate", edited, "--json"], ws.env);
    expect(migrate.code).toBe(1);
    const blocked = JSON.parse(migrate.stdout).items.filter(
      (i: { outcome: string }) => i.outcome === "blocked",
    );
    expect(blocked).toHaveLength(1);
    expect(blocked[0].reason).toContain("rollback --datasource");
  });

  it("reverses under the same retry and read-back rules (a reversal answer lost after it was applied)", async () => {
    const fixture = generateFixture({ count: 10, seed: 7 });
    ws = await makeWorkspace(fixture);
    expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
    ws.sim.sim.update({ faults: { dropAfterApply: 0.3, rate5xx: 0.2 } });
    const run = await runCli(["rollback", "--all", "--json"], ws.env);
    expect(run.code).toBe(0);
    expect(migratedOnServer(ws).size).toBe(0);
    // The faults did happen: answers were lost after the reversal was applied.
    expect(ws.sim.requestLog().some((r) => r.route === "reverse" && r.outcome === "dropped-after")).toBe(
      true,
    );
    const applied = appliedByDatasource(ws, "reverse");
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(ws.attempts().filter((a) => a.state === "IN_FLIGHT")).toHaveLength(0);
  });
});
