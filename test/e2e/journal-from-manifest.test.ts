import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeWorkspace, runCli, type Workspace } from "./cli-harness.js";

/**
 * A manifest's `journal:` is read the same way by every command that reads the journal
 * (`status`, `history`, `report`, `rollback`), as `migrate` reads it: no --journal, no
 * FEDMIGRATE_JOURNAL, and the journal is found.
 */
describe("a manifest's journal:, read the same way everywhere", () => {
  let ws: Workspace | undefined;
  afterEach(async () => {
    await ws?.close();
  });

  it("migrate writes it; status, history, report and rollback --manifest read it", async () => {
    ws = await makeWorkspace({ count: 4, seed: 12 });
    const journal = path.join(ws.dir, "elsewhere.db");
    writeFileSync(ws.manifest, `journal: ${journal}\n${readFileSync(ws.manifest, "utf8")}`);
    const { FEDMIGRATE_JOURNAL: _default, ...env } = ws.env;

    expect((await runCli(["migrate", ws.manifest], env, ws.dir)).code).toBe(0);

    const status = await runCli(["status", "--manifest", ws.manifest, "--json"], env, ws.dir);
    expect(status.code).toBe(0);
    const items = (JSON.parse(status.stdout) as { items: { now: string }[] }).items;
    expect(items.map((i) => i.now)).toEqual(["on V2", "on V2", "on V2", "on V2"]);

    const history = await runCli(["history", "--manifest", ws.manifest], env, ws.dir);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^r-\S+ +migrate +SUCCEEDED +4 +4 +0/m);

    const report = await runCli(["report", "--last", "--md", "-", "--manifest", ws.manifest], env, ws.dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain("## Entries (4)");

    const rollback = await runCli(["rollback", "--manifest", ws.manifest], env, ws.dir);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/^4 entries: 4 complete\.$/m);
    const after = await runCli(["status", "--manifest", ws.manifest], env, ws.dir);
    expect(after.stdout).toContain("4 datasources: 4 back on V1.");

    // Without the manifest the default ./fedmigrate.db is meant, and there is none.
    const without = await runCli(["status"], env, ws.dir);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain("--manifest FILE (its journal:)");
  });
});
