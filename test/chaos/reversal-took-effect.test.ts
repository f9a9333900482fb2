import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateFixture } from "../../src/sim/generate-fixture.js";
import { makeWorkspace, runCli, type Workspace } from "../e2e/cli-harness.js";
import { type RewriteProxy, startRewriteProxy } from "./rewrite-proxy.js";

/**
 * Found this round: a reversal that took effect at the server although its answer said otherwise
 * (INCOMPLETE, or no answer at all) was sent again by every later rollback when the migration had
 * ended INCOMPLETE: the candidate list shows an INCOMPLETE datasource and one back on V1 alike,
 * the journal still listed the migration as reversible, and each rollback got ABORTED ("nothing to
 * reverse") and exited 1, forever. Now the last reversal attempt decides with the server's list
 * (build-rollback-plan.ts): the datasource is skipped as already on V1 and nothing is sent again.
 * And `migrate` holds such a datasource (Domo lists it on V1, the journal has it COMPLETE) as
 * "reversed outside this journal" instead of migrating it again (SPEC section 4).
 */
let ws: Workspace | undefined;
let proxy: RewriteProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await ws?.close();
  ws = undefined;
});

const reversesAt = (w: Workspace, id: string) =>
  w.sim.requestLog().filter((entry) => entry.route === "reverse" && entry.datasourceId === id).length;

interface RollbackItem {
  datasource: string;
  action: string;
  outcome: string;
  reason: string;
}

async function rollback(env: NodeJS.ProcessEnv, id: string) {
  const result = await runCli(["rollback", "--all", "--json"], env);
  const report = JSON.parse(result.stdout) as { items: RollbackItem[] };
  return { code: result.code, item: report.items.find((i) => i.datasource === id) };
}

/** Two datasources; the first one's migrations all end INCOMPLETE. */
function incompleteFixture(seed: number) {
  const fixture = generateFixture({ count: 2, seed });
  const first = fixture.datasources[0];
  if (!first) throw new Error("no datasource");
  first.fault = "incomplete-always";
  return { fixture, id: first.id };
}

/** Later rollbacks send nothing for `id`, exit 0, and say why. */
async function expectSettled(w: Workspace, env: NodeJS.ProcessEnv, id: string): Promise<void> {
  const sent = reversesAt(w, id);
  for (let i = 0; i < 2; i++) {
    const { code, item } = await rollback(env, id);
    expect(code, `rollback ${i + 2}`).toBe(0);
    expect(item).toMatchObject({ action: "skip", outcome: "skipped" });
    expect(item?.reason).toMatch(/already on V1: .*the server lists it not migrated; not sent again/);
  }
  expect(reversesAt(w, id), "a reversal was sent again").toBe(sent);
  expect(w.sim.sim.state().get(id)?.status).toBe("V1");
}

describe("a reversal that took effect is not sent again, run after run", () => {
  it("INCOMPLETE migration, its reversal answered INCOMPLETE", async () => {
    const { fixture, id } = incompleteFixture(73);
    ws = await makeWorkspace(fixture);
    const w = ws;
    // The journal keys runs by domain: every run goes through the proxy, which rewrites only
    // the first reverse answer of this datasource.
    let answers = 0;
    proxy = await startRewriteProxy(w.sim.url, (ds) => ds === id && answers++ === 0);
    const env = { ...w.env, DOMO_DOMAIN: proxy.url };
    expect((await runCli(["migrate", w.manifest], env)).code).toBe(1);

    const first = await rollback(env, id);
    expect(proxy.rewritten()).toBe(1);
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");
    // The same run re-attempts the INCOMPLETE answer once (execute-items), and is refused.
    expect(first.code).toBe(1);
    expect(reversesAt(w, id)).toBe(2);
    await expectSettled(w, env, id);
  });

  it("INCOMPLETE migration, its reversal applied and the connection dropped", async () => {
    const { fixture, id } = incompleteFixture(72);
    ws = await makeWorkspace(fixture);
    const w = ws;
    expect((await runCli(["migrate", w.manifest], w.env)).code).toBe(1);
    // Every answer is lost: the first reverse applies, the retries find nothing to reverse.
    w.sim.sim.update({ faults: { dropAfterApply: 1 } });
    const first = await rollback(w.env, id);
    expect(first.code).toBe(1);
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");
    w.sim.sim.update({ faults: { dropAfterApply: 0 } });

    // Nothing answered yet says where it is: the next rollback sends it once more, and is refused.
    const sent = reversesAt(w, id);
    const second = await rollback(w.env, id);
    expect(second.code).toBe(1);
    expect(second.item?.outcome).toBe("aborted");
    expect(reversesAt(w, id)).toBe(sent + 1);
    await expectSettled(w, w.env, id);
  });

  it("COMPLETE migration, its reversal answered INCOMPLETE", async () => {
    ws = await makeWorkspace({ count: 2, seed: 71 });
    const w = ws;
    const id = w.fixture.datasources[0]?.id as string;
    let answers = 0;
    proxy = await startRewriteProxy(w.sim.url, (ds) => ds === id && answers++ === 0);
    const env = { ...w.env, DOMO_DOMAIN: proxy.url };
    expect((await runCli(["migrate", w.manifest], env)).code).toBe(0);

    await rollback(env, id);
    expect(proxy.rewritten()).toBe(1);
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");
    await expectSettled(w, env, id);
    // migrate holds it, and sends nothing: the re-attempt of the INCOMPLETE reversal was answered
    // ABORTED ("nothing to reverse"), and Domo lists it on V1.
    const migrate = await runCli(["migrate", w.manifest, "--json"], env);
    expect(migrate.code).toBe(0);
    const item = (JSON.parse(migrate.stdout) as { items: RollbackItem[] }).items.find(
      (i) => i.datasource === id,
    );
    expect(item).toMatchObject({ action: "held", outcome: "held" });
    expect(item?.reason).toMatch(/^reversed outside this journal: Domo lists it on V1/);
    expect(migratesAt(w, id)).toBe(1);
  });
});

const migratesAt = (w: Workspace, id: string) =>
  w.sim.requestLog().filter((entry) => entry.route === "migrate" && entry.datasourceId === id).length;

describe("migrate after a reversal that took effect although it was answered ABORTED", () => {
  it("holds it as reversed outside this journal (plan, report, JUnit), until --include-rolled-back", async () => {
    ws = await makeWorkspace({ count: 2, seed: 74 });
    const w = ws;
    const id = w.fixture.datasources[0]?.id as string;
    let answered = 0;
    // The simulator applies the reversal; the proxy answers ABORTED in place of its COMPLETE.
    proxy = await startRewriteProxy(
      w.sim.url,
      () => false,
      () => undefined,
      (method, url) =>
        method === "POST" && url.endsWith(`/${encodeURIComponent(id)}/reverse`) && answered++ === 0
          ? {
              status: 200,
              contentType: "application/json",
              body: JSON.stringify({
                toe: "TOE-ABORTED-1",
                datasourceId: id,
                direction: "V2_TO_V1",
                startTime: "2026-01-01T00:00:00Z",
                state: "ABORTED",
                errorMessage: "Reversal aborted (answered by the test proxy after the simulator applied it).",
                endTime: "2026-01-01T00:00:01Z",
              }),
            }
          : undefined,
    );
    const env = { ...w.env, DOMO_DOMAIN: proxy.url };
    expect((await runCli(["migrate", w.manifest], env)).code).toBe(0);
    const reversed = await rollback(env, id);
    expect(reversed.item?.outcome).toBe("aborted");
    expect(w.sim.sim.state().get(id)?.status).toBe("V1");

    const plan = await runCli(["plan", w.manifest, "--json"], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("reversed outside this journal: Domo lists it on V1");

    const report = path.join(w.dir, "report.json");
    const junit = path.join(w.dir, "junit.xml");
    const held = await runCli(["migrate", w.manifest, "--report", report, "--junit", junit], env);
    expect(held.code).toBe(0);
    const item = (JSON.parse(readFileSync(report, "utf8")) as { items: RollbackItem[] }).items.find(
      (i) => i.datasource === id,
    );
    expect(item).toMatchObject({ action: "held", outcome: "held" });
    expect(item?.reason).toMatch(/^reversed outside this journal: Domo lists it on V1/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain("outcome: held");
    expect(xml).toContain("reason: reversed outside this journal: Domo lists it on V1");
    expect(migratesAt(w, id)).toBe(1);

    const included = await runCli(["migrate", w.manifest, "--include-rolled-back"], env);
    expect(included.code).toBe(0);
    expect(migratesAt(w, id)).toBe(2);
    expect(w.sim.sim.state().get(id)?.status).toBe("MIGRATED");
  });
});
