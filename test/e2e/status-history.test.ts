import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { generateFixture } from "../helpers/generate-fixture.js";
import { makeWorkspace, runCli, type Workspace } from "./cli-harness.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

describe("status, history and what a run records", () => {
  it("records the run's metadata, CI job URL included, and shows it in history and status", async () => {
    const fixture = generateFixture({ count: 5, seed: 21 });
    const aborted = fixture.datasources[0];
    if (aborted) aborted.fault = "aborted";
    ws = await makeWorkspace(fixture);
    const ci = {
      GITHUB_SERVER_URL: "https://github.example",
      GITHUB_REPOSITORY: "acme/migrations",
      GITHUB_RUN_ID: "4242",
      USER: "ops-bot",
    };
    const run = await runCli(["migrate", ws.manifest, "--json"], { ...ws.env, ...ci });
    expect(run.code).toBe(1);
    const runId = JSON.parse(run.stdout).runId as string;

    const db = new Database(ws.journal, { readonly: true });
    const row = db.prepare("SELECT * FROM runs WHERE id = ?").get(runId) as Record<string, unknown>;
    db.close();
    expect(row).toMatchObject({
      command: "migrate",
      status: "FAILED",
      user: "ops-bot",
      ci_job_url: "https://github.example/acme/migrations/actions/runs/4242",
    });
    expect(row.manifests_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.host).toBeTruthy();
    expect(row.ended_at).toBeTruthy();
    expect(String(row.options)).not.toContain(ws.env.DOMO_DEVELOPER_TOKEN as string);

    const history = await runCli(["history", "--json"], ws.env);
    expect(history.code).toBe(0);
    const runs = JSON.parse(history.stdout).runs;
    expect(runs[0]).toMatchObject({ id: runId, datasources: 5 });
    expect(runs[0].counts).toMatchObject({ COMPLETE: 4, ABORTED: 1 });

    const text = await runCli(["history"], ws.env);
    expect(text.stdout).toContain(runId);

    const status = await runCli(["status", "--json"], ws.env);
    expect(JSON.parse(status.stdout).count).toBe(5);
    const onlyAborted = await runCli(["status", "--state", "ABORTED", "--json"], ws.env);
    const items = JSON.parse(onlyAborted.stdout).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ datasource: aborted?.id, state: "ABORTED" });
    expect(items[0].toe).toBeTruthy();

    const bad = await runCli(["status", "--state", "DONE"], ws.env);
    expect(bad.code).toBe(2);
  });

  it("status and history say plainly when there is no journal, and create none", async () => {
    ws = await makeWorkspace({ count: 1, seed: 1 });
    const status = await runCli(["status"], ws.env);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain("no journal");
    const history = await runCli(["history"], ws.env);
    expect(history.code).toBe(2);
    const { existsSync } = await import("node:fs");
    expect(existsSync(ws.journal)).toBe(false);
  });

  it("plan --offline reads only the journal: no request at all", async () => {
    ws = await makeWorkspace({ count: 3, seed: 2 });
    expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
    const before = ws.sim.requestLog().length;
    const plan = await runCli(["plan", ws.manifest, "--offline", "--json"], ws.env);
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.stdout);
    expect(doc.online).toBe(false);
    expect(doc.counts).toMatchObject({ skip: 3, migrate: 0 });
    expect(ws.sim.requestLog().length).toBe(before);
  });
});
