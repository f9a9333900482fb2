import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DatasourceFault } from "../../src/sim/fixture.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { testToken } from "../leak/leak-capture.js";
import {
  appliedByDatasource,
  makeWorkspace,
  postsByDatasource,
  runCli,
  spawnCli,
  type Workspace,
} from "./cli-harness.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

function fixtureWith(count: number, faults: Record<number, DatasourceFault>, latencyMs = 0) {
  const fixture = generateFixture({ count, seed: 7, latencyMs });
  for (const [index, fault] of Object.entries(faults)) {
    const ds = fixture.datasources[Number(index)];
    if (ds) ds.fault = fault;
  }
  return fixture;
}

describe("migrate end to end (built CLI, simulator over HTTP, SQLite journal)", () => {
  it("keeps at most --concurrency requests in flight, reaches it, and a rerun sends no POST", async () => {
    ws = await makeWorkspace({ count: 40, seed: 3, latencyMs: 40 });
    const first = await runCli(["migrate", ws.manifest, "--concurrency", "4"], ws.env);
    expect(first.stderr).not.toContain("internal error");
    expect(first.code).toBe(0);
    expect(ws.sim.stats().maxInFlight).toBe(4);
    expect(ws.sim.stats().migrations).toBe(40);
    expect(ws.attempts().filter((a) => a.state === "COMPLETE")).toHaveLength(40);

    ws.sim.sim.resetStats();
    const before = ws.sim.requestLog().length;
    const again = await runCli(["migrate", ws.manifest, "--concurrency", "4"], ws.env);
    expect(again.code).toBe(0);
    const rerunRequests = ws.sim.requestLog().slice(before);
    expect(rerunRequests.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(again.stdout).toContain("skipped");
  });

  it("an ABORTED entry exits 1, and the rerun retries only that entry", async () => {
    const fixture = fixtureWith(6, { 2: "aborted" });
    const aborted = fixture.datasources[2]?.id as string;
    ws = await makeWorkspace(fixture);
    const first = await runCli(["migrate", ws.manifest, "--json"], ws.env);
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout);
    expect(report.success).toBe(false);
    const item = report.items.find((i: { datasource: string }) => i.datasource === aborted);
    expect(item).toMatchObject({ outcome: "aborted", state: "ABORTED" });
    expect(item.toe).toMatch(/\S+/);
    expect(item.errorMessage).toMatch(/\S+/);

    const before = ws.sim.requestLog().length;
    const again = await runCli(["migrate", ws.manifest], ws.env);
    expect(again.code).toBe(1);
    const posts = ws.sim
      .requestLog()
      .slice(before)
      .filter((r) => r.method === "POST");
    expect(posts.map((p) => p.datasourceId)).toEqual([aborted]);
  });

  it("INCOMPLETE then COMPLETE: two POSTs in one run, final COMPLETE", async () => {
    const fixture = fixtureWith(3, { 1: "incomplete-once" });
    const id = fixture.datasources[1]?.id as string;
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(2);
    const rows = ws.attempts().filter((a) => a.datasource_id === id);
    expect(rows.map((r) => r.state)).toEqual(["INCOMPLETE", "COMPLETE"]);
  });

  it("a connection dropped after the migration was applied: one POST in total, recorded COMPLETE", async () => {
    const fixture = fixtureWith(3, { 0: "drop-after-apply-once" });
    const id = fixture.datasources[0]?.id as string;
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(1);
    const rows = ws.attempts().filter((a) => a.datasource_id === id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "COMPLETE" });
    // The rerun agrees: nothing left to do.
    const before = ws.sim.requestLog().length;
    expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
    expect(
      ws.sim
        .requestLog()
        .slice(before)
        .filter((r) => r.method === "POST"),
    ).toHaveLength(0);
  });

  it("a connection dropped before the migration was applied is read back, then sent again", async () => {
    const fixture = fixtureWith(3, { 0: "drop-before-apply-once" });
    const id = fixture.datasources[0]?.id as string;
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(2);
    expect(appliedByDatasource(ws).get(id)).toBe(1);
    expect(
      ws
        .attempts()
        .filter((a) => a.datasource_id === id)
        .map((a) => a.state),
    ).toEqual(["FAILED", "COMPLETE"]);
  });

  it("kill -9 mid-run, then a rerun: every datasource migrated exactly once, no row left IN_FLIGHT", async () => {
    ws = await makeWorkspace({ count: 30, seed: 11, latencyMs: 60 });
    const current = ws;
    const { child, done } = spawnCli(["migrate", current.manifest, "--concurrency", "4"], current.env);
    await current.sim.waitFor((s) => s.migrations >= 6 && s.inFlight >= 2);
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const afterKill = current.attempts();
    expect(afterKill.some((a) => a.state === "IN_FLIGHT")).toBe(true);

    const rerun = await runCli(["migrate", current.manifest, "--concurrency", "4"], current.env);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain("lock");
    const applied = appliedByDatasource(current);
    expect(applied.size).toBe(30);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    const rows = current.attempts();
    expect(rows.filter((a) => a.state === "IN_FLIGHT")).toHaveLength(0);
    const latest = new Map(rows.map((r) => [r.datasource_id, r.state]));
    expect([...latest.values()].every((s) => s === "COMPLETE")).toBe(true);
  });

  it("SIGTERM mid-run exits 130 with no IN_FLIGHT rows; a second concurrent run exits 3", async () => {
    ws = await makeWorkspace({ count: 30, seed: 5, latencyMs: 80 });
    const current = ws;
    const { child, done } = spawnCli(["migrate", current.manifest, "--concurrency", "2"], current.env);
    await current.sim.waitFor((s) => s.migrations >= 2 && s.inFlight >= 1);

    const second = await runCli(["migrate", current.manifest], current.env);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/r-\d{8}T\d{6}Z-[0-9a-f]{6}/);
    expect(second.stderr).toContain(String(child.pid));

    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(130);
    const rows = current.attempts();
    expect(rows.filter((a) => a.state === "IN_FLIGHT")).toHaveLength(0);
    expect(rows.length).toBeLessThan(30);
    expect(result.stdout).toContain("not-started");
  });

  it("429 with Retry-After pauses every worker until it has passed", async () => {
    const fixture = generateFixture({
      count: 16,
      seed: 9,
      latencyMs: 5,
      faults: { rate429: 0.15, retryAfterSeconds: 1 },
    });
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest, "--concurrency", "4"], ws.env);
    expect(run.code).toBe(0);
    const log = ws.sim.requestLog();
    const limited = log.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    // No request may arrive while a Retry-After pause is running (a little slack for requests
    // sent before the client had read the 429).
    for (const hit of limited) {
      const answeredAt = Date.parse(hit.t);
      const during = log.filter((r) => {
        const arrived = Date.parse(r.t) - r.ms;
        return arrived > answeredAt + 100 && arrived < answeredAt + 900;
      });
      expect(during).toEqual([]);
    }
  });

  it("a wrong token exits 4 and sends no POST after the first 401", async () => {
    ws = await makeWorkspace({ count: 5, seed: 2 });
    const wrong = testToken();
    const run = await runCli(["migrate", ws.manifest], {
      ...ws.env,
      DOMO_DEVELOPER_TOKEN: wrong,
    });
    expect(run.code).toBe(4);
    const log = ws.sim.requestLog();
    const first401 = log.findIndex((r) => r.status === 401);
    expect(first401).toBeGreaterThanOrEqual(0);
    expect(log.slice(first401).filter((r) => r.method === "POST")).toHaveLength(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    expect(run.stderr).toMatch(/token/i);
  });

  it("plan and migrate --dry-run send no POST and create no journal", async () => {
    ws = await makeWorkspace({ count: 5, seed: 4 });
    const plan = await runCli(["plan", ws.manifest], ws.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("5 to migrate");
    const dry = await runCli(["migrate", ws.manifest, "--dry-run", "--json"], ws.env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).counts.migrate).toBe(5);
    const detailed = await runCli(["plan", ws.manifest, "--detailed-exitcode"], ws.env);
    expect(detailed.code).toBe(5);
    expect(ws.sim.requestLog().filter((r) => r.method === "POST")).toHaveLength(0);
    expect(existsSync(ws.journal)).toBe(false);
  });

  it("migrate --plan runs a reviewed plan, and refuses it once stale", async () => {
    ws = await makeWorkspace({ count: 6, seed: 8 });
    const planFile = path.join(ws.dir, "reviewed.plan.json");
    expect((await runCli(["plan", ws.manifest, "--out", planFile], ws.env)).code).toBe(0);

    // A change to the manifest makes it stale.
    const original = ws.fixture.datasources[0]?.id as string;
    const edited = path.join(ws.dir, "edited.yaml");
    const { readFileSync } = await import("node:fs");
    writeFileSync(
      edited,
      readFileSync(ws.manifest, "utf8").replace(/table: "([^"]+)"/, 'table: "$1_CHANGED"'),
    );
    const stale = await runCli(["migrate", edited, "--plan", planFile], ws.env);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain("manifests changed");

    const run = await runCli(["migrate", ws.manifest, "--plan", planFile], ws.env);
    expect(run.code).toBe(0);
    expect(appliedByDatasource(ws).get(original)).toBe(1);

    // The journal moved on: the same plan is now stale.
    const again = await runCli(["migrate", ws.manifest, "--plan", planFile], ws.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("journal changed");
  });

  it("--limit walks the list across runs, and --only picks entries", async () => {
    ws = await makeWorkspace({ count: 7, seed: 12 });
    const first = await runCli(["migrate", ws.manifest, "--limit", "3", "--json"], ws.env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).counts.complete).toBe(3);
    const second = await runCli(["migrate", ws.manifest, "--limit", "3", "--json"], ws.env);
    expect(JSON.parse(second.stdout).counts.complete).toBe(3);
    const only = ws.fixture.datasources.at(-1)?.id as string;
    const third = await runCli(["migrate", ws.manifest, "--only", only, "--json"], ws.env);
    const report = JSON.parse(third.stdout);
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({ datasource: only, outcome: "complete" });
    expect(appliedByDatasource(ws).size).toBe(7);
  });

  it("--max-failures stops starting new entries", async () => {
    const fixture = fixtureWith(12, { 0: "aborted", 1: "aborted", 2: "aborted", 3: "aborted" });
    ws = await makeWorkspace(fixture);
    const run = await runCli(
      ["migrate", ws.manifest, "--concurrency", "1", "--max-failures", "2", "--json"],
      ws.env,
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.stopReason).toBe("max-failures");
    expect(report.counts.aborted).toBe(2);
    expect(report.counts["not-started"]).toBe(10);
  });

  it("writes the JSON report and JUnit XML in the same shape on failure", async () => {
    const fixture = fixtureWith(4, { 3: "incomplete-always" });
    ws = await makeWorkspace(fixture);
    const reportFile = path.join(ws.dir, "report.json");
    const junitFile = path.join(ws.dir, "junit.xml");
    const run = await runCli(["migrate", ws.manifest, "--report", reportFile, "--junit", junitFile], ws.env);
    expect(run.code).toBe(1);
    const { readFileSync } = await import("node:fs");
    const report = JSON.parse(readFileSync(reportFile, "utf8"));
    expect(report).toMatchObject({
      success: false,
      command: "migrate",
      counts: { complete: 3, incomplete: 1 },
    });
    expect(report.items).toHaveLength(4);
    const xml = readFileSync(junitFile, "utf8");
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain("INCOMPLETE");
    expect(run.stdout).toContain("incomplete");
  });
});
