import { it, expect } from "vitest";
import { generateFixture } from "../../src/sim/generate-fixture.js";
import { makeWorkspace, runCli } from "../e2e/cli-harness.js";
it("probe", async () => {
  const fx = generateFixture({ count: 2, seed: 3 });
  fx.datasources[0]!.fault = "incomplete-always";
  const ws = await makeWorkspace(fx);
  const m = await runCli(["migrate", ws.manifest, "--json"], ws.env);
  console.log("migrate", m.code, JSON.parse(m.stdout).counts);
  ws.sim.sim.update({ faults: { dropBeforeApply: 1 } });
  const r = await runCli(["rollback", "--all", "--json", "--retries", "2"], ws.env);
  console.log("rollback", r.code, JSON.stringify(JSON.parse(r.stdout).items.map((i: any) => [i.outcome, i.reason, i.state])));
  console.log([...ws.sim.sim.state().values()].map((d) => d.status));
  console.log(ws.attempts().map((a) => [a.direction, a.state, a.error_message]));
  ws.sim.sim.update({ faults: { dropBeforeApply: 0 } });
  const p = await runCli(["plan", ws.manifest, "--json"], ws.env);
  console.log("plan", JSON.stringify(JSON.parse(p.stdout).items.map((i: any) => [i.action, i.reason])));
  await ws.close();
});
