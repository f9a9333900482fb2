import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DatasourceFault, Fixture, ReverseFault } from "../../src/sim/fixture.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { makeWorkspace, postsByDatasource, runCli, type Workspace } from "./cli-harness.js";

/**
 * The simulator's faults against the built CLI (executor, journal, reports), where the
 * executor already handles them: an answer lost after the change (reset, hang) is read back and
 * not sent twice, a hang before the change is retried, a revoked token stops the run (exit 4), a
 * record with an unknown state is read back like a lost answer, a reversal ABORTED or INCOMPLETE is reported so.
 */
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

/** Three datasources; the second gets `fault` / `reverseFault`. */
function fixtureWith(
  faults: { fault?: DatasourceFault; reverseFault?: ReverseFault; migrated?: boolean } = {},
  top: Partial<Fixture> = {},
): { fixture: Fixture; id: string } {
  const fixture = generateFixture({ count: 3, seed: 11 });
  const ds = fixture.datasources[1];
  if (!ds) throw new Error("no datasource");
  Object.assign(ds, faults);
  return { fixture: { ...fixture, ...top }, id: ds.id };
}

const rowsOf = (w: Workspace, id: string, direction = "V1_TO_V2") =>
  w.attempts().filter((row) => row.datasource_id === id && row.direction === direction);

function itemOf(stdout: string, id: string): Record<string, unknown> {
  const report = JSON.parse(stdout) as { items: { datasource: string }[] };
  const item = report.items.find((i) => i.datasource === id);
  if (!item) throw new Error(`no item for ${id}`);
  return item as Record<string, unknown>;
}

describe("answers lost after the change: read back, never sent twice", () => {
  it("reset-after-apply-once: one POST, the entry COMPLETE from the read-back", async () => {
    const { fixture, id } = fixtureWith({ fault: "reset-after-apply-once" });
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(1);
    expect(ws.sim.requestLog().find((e) => e.datasourceId === id)).toMatchObject({
      outcome: "reset-after",
      applied: true,
    });
    expect(rowsOf(ws, id).at(-1)?.state).toBe("COMPLETE");
    expect(ws.sim.sim.state().get(id)?.status).toBe("MIGRATED");
  });

  it("hang-after-apply-once: the client's timeout ends it, the read-back finds it migrated, one POST", async () => {
    const { fixture, id } = fixtureWith({ fault: "hang-after-apply-once" });
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest, "--timeout", "1"], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(1);
    expect(ws.sim.requestLog().find((e) => e.datasourceId === id)?.outcome).toBe("hung-after");
    expect(rowsOf(ws, id).at(-1)?.state).toBe("COMPLETE");
  });

  it("hang-before-apply-once: the read-back finds it not migrated, and it is sent again", async () => {
    const { fixture, id } = fixtureWith({ fault: "hang-before-apply-once" });
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest, "--timeout", "1"], ws.env);
    expect(run.code).toBe(0);
    expect(postsByDatasource(ws).get(id)).toBe(2);
    expect(ws.sim.requestLog().filter((e) => e.datasourceId === id && e.route === "migrate")).toEqual([
      expect.objectContaining({ outcome: "hung-before", applied: false }),
      expect.objectContaining({ outcome: "answered", state: "COMPLETE" }),
    ]);
    expect(rowsOf(ws, id).at(-1)?.state).toBe("COMPLETE");
  });
});

describe("a token revoked in the middle of a run", () => {
  it("stops the run with exit 4 and sends nothing more", async () => {
    const fixture = generateFixture({ count: 6, seed: 5 });
    ws = await makeWorkspace({ ...fixture, revokeTokenAfter: 5 });
    const run = await runCli(["migrate", ws.manifest, "--concurrency", "1", "--json"], ws.env);
    expect(run.code).toBe(4);
    const log = ws.sim.requestLog();
    const firstRefused = log.findIndex((entry) => entry.status === 401);
    expect(firstRefused).toBeGreaterThan(0);
    // No request after the refusal: the run stops at once.
    expect(log.slice(firstRefused + 1)).toEqual([]);
    const report = JSON.parse(run.stdout) as { error: { code: string }; items: { outcome: string }[] };
    expect(report.error.code).toBe("AUTH");
    expect(report.items.some((item) => item.outcome === "not-started")).toBe(true);
  });
});

describe("a record with an unknown state", () => {
  it("is not a success but may have been applied: read back, COMPLETE with one POST, its toe kept", async () => {
    const { fixture, id } = fixtureWith({ fault: "unknown-state-once" });
    ws = await makeWorkspace(fixture);
    const run = await runCli(["migrate", ws.manifest, "--json"], ws.env);
    expect(run.code).toBe(0);
    const post = ws.sim.requestLog().find((e) => e.datasourceId === id && e.route === "migrate");
    expect(post).toMatchObject({ outcome: "unknown-state", applied: true });
    expect(postsByDatasource(ws).get(id)).toBe(1);
    const item = itemOf(run.stdout, id);
    expect(item).toMatchObject({
      outcome: "complete",
      state: "COMPLETE",
      httpStatus: 200,
      resolvedBy: "readback",
    });
    expect(item.toe).toBe(post?.toe);
    const row = rowsOf(ws, id).at(-1);
    expect(row?.state).toBe("COMPLETE");
    expect(row?.error_message).toContain('"state" is the text "PENDING"');
  });
});

describe("reversals that end ABORTED or INCOMPLETE", () => {
  it.each([
    ["aborted-always", "aborted", "ABORTED", "MIGRATED"],
    ["incomplete-always", "incomplete", "INCOMPLETE", "MIGRATED"],
  ] as const)(
    "reverseFault %s: rollback reports the entry %s (exit 1)",
    async (reverseFault, outcome, state, status) => {
      const { fixture, id } = fixtureWith({ reverseFault });
      ws = await makeWorkspace(fixture);
      expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
      const rollback = await runCli(["rollback", "--all", "--json"], ws.env);
      expect(rollback.code).toBe(1);
      expect(itemOf(rollback.stdout, id)).toMatchObject({ outcome, state });
      expect(rowsOf(ws, id, "V2_TO_V1").at(-1)?.state).toBe(state);
      expect(ws.sim.sim.state().get(id)?.status).toBe(status);
      // The others were reversed.
      for (const other of ws.fixture.datasources.filter((ds) => ds.id !== id)) {
        expect(ws.sim.sim.state().get(other.id)?.status).toBe("V1");
      }
    },
  );

  it("reverseFault incomplete-once: re-attempted in the same run, as an INCOMPLETE migration is", async () => {
    const { fixture, id } = fixtureWith({ reverseFault: "incomplete-once" });
    ws = await makeWorkspace(fixture);
    expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
    const rollback = await runCli(["rollback", "--all"], ws.env);
    expect(rollback.code).toBe(0);
    expect(postsByDatasource(ws, "reverse").get(id)).toBe(2);
    expect(ws.sim.sim.state().get(id)?.status).toBe("V1");
    expect(rowsOf(ws, id, "V2_TO_V1").map((row) => row.state)).toEqual(["INCOMPLETE", "COMPLETE"]);
  });
});

describe("candidates tied to accounts", () => {
  it("a manifest entry naming an account the datasource is not a candidate of is blocked, nothing sent", async () => {
    const fixture = generateFixture({
      count: 2,
      seed: 9,
      types: ["snowflake-federated"],
      accountsPerType: 2,
    });
    const [first, second] = fixture.accounts;
    const ds = fixture.datasources[0];
    if (!first || !second || !ds) throw new Error("fixture");
    ds.candidateOf = [second.id];
    ws = await makeWorkspace(fixture);
    const manifest = path.join(ws.dir, "wrong-account.yaml");
    writeFileSync(
      manifest,
      [
        "version: 1",
        "migrations:",
        `  - datasource: "${ds.id}"`,
        `    account: "${first.id}"`,
        `    catalog: "${ds.catalog}"`,
        `    schema: "${ds.schema}"`,
        `    table: "${ds.table}"`,
        "",
      ].join("\n"),
    );
    const run = await runCli(["migrate", manifest, "--json"], ws.env);
    expect(run.code).toBe(1);
    const item = itemOf(run.stdout, ds.id);
    // The plan reads the account's candidate list: blocked before any POST.
    expect(item).toMatchObject({ outcome: "blocked", attempts: 0 });
    expect(item.reason).toContain(`not a migration candidate of account ${first.id}`);
    expect(ws.sim.requestLog().filter((entry) => entry.method === "POST")).toEqual([]);
    expect(ws.sim.sim.state().get(ds.id)?.status).toBe("V1");
  });
});

describe("GET /types lists a type without a V2 account", () => {
  it("plan and migrate read it (no accounts, nothing to do there) and migrate the rest", async () => {
    const fixture = generateFixture({ count: 3, seed: 4 });
    ws = await makeWorkspace({
      ...fixture,
      types: [...new Set(fixture.accounts.map((a) => a.type)), "postgresql-federated"],
    });
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(
      ws.sim.requestLog().some((e) => e.route === "accounts" && e.path.endsWith("/postgresql-federated")),
    ).toBe(true);
    expect(ws.sim.stats().migrations).toBe(3);
  });
});

describe("a run against the simulator says so", () => {
  it("prints (simulator) in the summary and sets simulator in the JSON report", async () => {
    ws = await makeWorkspace({ count: 2, seed: 2 });
    const run = await runCli(["migrate", ws.manifest], ws.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/on \S+ \(simulator\) succeeded/);
    const json = await runCli(["rollback", "--all", "--json"], ws.env);
    expect(JSON.parse(json.stdout)).toMatchObject({ simulator: true });
  });
});
