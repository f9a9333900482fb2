import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, runCli, type Workspace } from "../e2e/cli-harness.js";
import { createModuleLog, type ModuleLog } from "../helpers/module-log.js";

/**
 * `apiRuntime` loads undici (the proxy dispatcher, the slowest module to load before the first
 * request) only when a proxy variable is set. Checked on the built CLI by what its module loader
 * resolves, as test/packaging/start-up.test.ts does, for an online plan against the simulator.
 */

let modules: ModuleLog;
let ws: Workspace | undefined;

beforeAll(() => {
  modules = createModuleLog();
});

afterAll(() => {
  modules.remove();
});

afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

/** Runs the built CLI (asynchronously: the simulator answers from this process). */
async function planWith(env: NodeJS.ProcessEnv, label: string) {
  const log = modules.newLog(label);
  const run = await runCli(
    ["plan", (ws as Workspace).manifest],
    { ...(ws as Workspace).env, ...env, ...log.env },
    undefined,
    {
      nodeArgs: ["--import", modules.hook],
    },
  );
  return { ...run, packages: modules.packagesIn(log.file) };
}

describe("apiRuntime", () => {
  it.each<[string, boolean, NodeJS.ProcessEnv]>([
    ["no proxy variable", false, {}],
    ["blank proxy variables", false, { HTTPS_PROXY: " ", http_proxy: "" }],
    // Loopback never goes through the proxy, so the plan still reaches the simulator.
    ["HTTPS_PROXY set", true, { HTTPS_PROXY: "http://127.0.0.1:9" }],
    ["http_proxy set", true, { http_proxy: "http://127.0.0.1:9" }],
  ])("with %s, loads undici: %s", async (label, loaded, env) => {
    ws = await makeWorkspace({ count: 3, seed: 11 });
    const run = await planWith(env, label.replace(/\W+/g, "-"));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("3 to migrate");
    expect(run.packages.has("ky")).toBe(true);
    expect(run.packages.has("undici")).toBe(loaded);
  });
});
