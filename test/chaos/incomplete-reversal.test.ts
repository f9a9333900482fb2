import { afterEach, describe, expect, it } from "vitest";
import { makeWorkspace, runCli, spawnCli, type Workspace } from "../e2e/cli-harness.js";
import { generateFixture } from "../helpers/generate-fixture.js";

/**
 * Found by the chaos runs: the candidate list shows an INCOMPLETE datasource as not migrated,
 * like one back on V1. A reversal of an INCOMPLETE datasource that got no answer used to be
 * recorded COMPLETE from the list (and a killed one resolved COMPLETE by the next run), so the
 * journal said "rolled back" (and `migrate` held it) while the server still had it INCOMPLETE.
 */
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

/** Two datasources; the first ends every migration INCOMPLETE. */
async function incompleteWorkspace(seed: number): Promise<{ w: Workspace; id: string }> {
  const fixture = generateFixture({ count: 2, seed });
  const first = fixture.datasources[0];
  if (!first) throw new Error("no datasource");
  first.fault = "incomplete-always";
  const w = await makeWorkspace(fixture);
  const migrate = await runCli(["migrate", w.manifest], w.env);
  expect(migrate.code).toBe(1);
  expect(w.sim.sim.state().get(first.id)?.status).toBe("INCOMPLETE");
  return { w, id: first.id };
}

const reversalsOf = (w: Workspace, id: string) =>
  w.attempts().filter((row) => row.datasource_id === id && row.direction === "V2_TO_V1");

describe("reversing an INCOMPLETE datasource without an answer", () => {
  it("is not recorded COMPLETE from the candidate list; the reversal is sent again", async () => {
    const { w, id } = await incompleteWorkspace(21);
    ws = w;
    // Every reverse loses its connection before the server applies it.
    w.sim.sim.update({ faults: { dropBeforeApply: 1 } });
    const rollback = await runCli(["rollback", "--all", "--retries", "2", "--json"], w.env);
    expect(rollback.code).toBe(1);
    expect(w.sim.sim.state().get(id)?.status).toBe("INCOMPLETE");
    const rows = reversalsOf(w, id);
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.state)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(rows[0]?.error_message).toContain("whether the reversal took effect is unknown");

    // The plan does not hold it as rolled back: the journal knows its last migration was INCOMPLETE.
    w.sim.sim.update({ faults: { dropBeforeApply: 0 } });
    const plan = await runCli(["plan", w.manifest, "--json"], w.env);
    const item = JSON.parse(plan.stdout).items.find((i: { datasource: string }) => i.datasource === id);
    expect(item.action).toBe("migrate");
    expect(item.reason).toContain("INCOMPLETE");

    // Once the network behaves, rollback finishes the job, and the journal agrees with the server.
    const again = await runCli(["rollback", "--all"], w.env);
    expect(again.code).toBe(0);
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");
    expect(reversalsOf(w, id).at(-1)?.state).toBe("COMPLETE");
  });

  it("left in flight by a killed run, is resolved as unknown, not as COMPLETE", async () => {
    const { w, id } = await incompleteWorkspace(22);
    ws = w;
    // Hold the reverse (only it: the plan's reads must get through) while the run is killed.
    let release = () => {};
    const arrived = new Promise<void>((resolve) => {
      const stop = w.sim.sim.onRequestStart((event) => {
        if (event.route === "reverse" && event.datasourceId === id) {
          stop();
          release = w.sim.sim.hold();
          resolve();
        }
      });
    });
    const { child, done } = spawnCli(["rollback", "--datasource", id, "--concurrency", "1"], w.env);
    await arrived;
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    // The held reverse then loses its connection before it is applied.
    w.sim.sim.update({ faults: { dropBeforeApply: 1 } });
    const ended = new Promise<void>((resolve) => {
      const stop = w.sim.sim.onRequestEnd((entry) => {
        if (entry.route === "reverse") {
          stop();
          resolve();
        }
      });
    });
    release();
    await ended;
    w.sim.sim.update({ faults: { dropBeforeApply: 0 } });
    expect(reversalsOf(w, id).map((row) => row.state)).toEqual(["IN_FLIGHT"]);

    const plan = await runCli(["migrate", w.manifest, "--json"], w.env);
    const rows = reversalsOf(w, id);
    expect(rows.map((row) => row.state)).toEqual(["FAILED"]);
    expect(rows[0]?.error_message).toContain("whether the reversal took effect is unknown");
    // Not held as rolled back: migrate re-attempted the INCOMPLETE migration, as it must.
    const item = JSON.parse(plan.stdout).items.find((i: { datasource: string }) => i.datasource === id);
    expect(item.action).toBe("migrate");
  });
});

describe("a reversal answered INCOMPLETE whose re-attempt gets no answer", () => {
  it("is listed migrated still: read back as not applied, and reversed by the next rollback", async () => {
    const fixture = generateFixture({ count: 2, seed: 23 });
    const first = fixture.datasources[0];
    if (!first) throw new Error("no datasource");
    first.reverseFault = "incomplete-once";
    const id = first.id;
    ws = await makeWorkspace(fixture);
    const w = ws;
    expect((await runCli(["migrate", w.manifest], w.env)).code).toBe(0);
    // The first reversal ends INCOMPLETE; then every POST loses its connection before the server
    // decides: the in-run re-attempt learns nothing from its answer.
    const stop = w.sim.sim.onRequestEnd((entry) => {
      if (entry.route === "reverse" && entry.datasourceId === id) {
        stop();
        w.sim.sim.update({ faults: { dropBeforeApply: 1 } });
      }
    });
    const rollback = await runCli(["rollback", "--datasource", id, "--retries", "0"], w.env);
    expect(rollback.code).toBe(1);
    expect(w.sim.sim.state().get(id)?.status).toBe("MIGRATED");
    const rows = reversalsOf(w, id);
    expect(rows.map((row) => row.state)).toEqual(["INCOMPLETE", "FAILED"]);
    expect(rows[1]?.error_message).toContain("the candidate list shows it did not take effect");

    w.sim.sim.update({ faults: { dropBeforeApply: 0 } });
    const again = await runCli(["rollback", "--datasource", id], w.env);
    expect(again.code).toBe(0);
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");
    expect(reversalsOf(w, id).map((row) => row.state)).toEqual(["INCOMPLETE", "FAILED", "COMPLETE"]);
  });
});
