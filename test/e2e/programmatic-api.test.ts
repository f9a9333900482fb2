import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createModuleLog, type ModuleLog } from "../helpers/module-log.js";
import { makeWorkspace, postsByDatasource, type Workspace } from "./cli-harness.js";

/**
 * The programmatic API as a script gets it: `import … from "fedmigrate"` (the package's own
 * `exports`, resolved by Node from a file inside the package, so the built dist/index.js), run
 * against the simulator over HTTP with a real journal, and no CLI (yargs never loads).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");

const SCRIPT = `
import { apiRuntime, loadManifests, migrate, resolveConfig, rollback } from "fedmigrate";

const [manifestPath, command] = process.argv.slice(2);
const manifests = await loadManifests([manifestPath], process.cwd());
const config = resolveConfig({ flags: {}, env: process.env, manifest: manifests, cwd: process.cwd() });
const runtime = await apiRuntime(config, { retries: 2 });
const options = { domain: runtime.domainKey, journalPath: config.journalPath, concurrency: 2 };
const report =
  command === "rollback"
    ? await rollback({ ...options, scope: { all: true } }, runtime)
    : await migrate(manifests, options, runtime);
process.stdout.write(JSON.stringify(report));
`;

let ws: Workspace | undefined;
let modules: ModuleLog;

beforeAll(() => {
  modules = createModuleLog();
});

afterAll(() => {
  modules.remove();
});
let scriptDir: string | undefined;

afterEach(async () => {
  await ws?.close();
  ws = undefined;
  if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
  scriptDir = undefined;
});

function runScript(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  // Inside the package (test-results is ignored by git and npm): "fedmigrate" resolves to itself.
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  scriptDir ??= mkdtempSync(path.join(ROOT, "test-results", "api-script-"));
  const script = path.join(scriptDir, "run.mjs");
  writeFileSync(script, SCRIPT);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", modules.hook, script, ...args], {
      env,
      cwd: scriptDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe('the programmatic API (import from "fedmigrate")', () => {
  it("migrates the manifest's entries and rolls them back, journaled, with the CLI's report", async () => {
    ws = await makeWorkspace({ count: 3, seed: 21 });
    const log = modules.newLog("api-migrate");
    const migrated = await runScript([ws.manifest, "migrate"], { ...ws.env, ...log.env });
    expect(migrated.code, migrated.err).toBe(0);
    const first = JSON.parse(migrated.out);
    expect(first).toMatchObject({ command: "migrate", success: true, exitCode: 0, simulator: true });
    expect(first.counts.complete).toBe(3);
    expect(first.runId).toMatch(/^r-/);
    // Without the CLI: its parser never loads, the engine's packages do.
    const packages = modules.packagesIn(log.file);
    expect(packages.has("better-sqlite3")).toBe(true);
    expect(packages.has("yargs")).toBe(false);
    expect([...postsByDatasource(ws).values()]).toEqual([1, 1, 1]);
    expect(ws.attempts().filter((a) => a.state === "COMPLETE")).toHaveLength(3);

    const reversed = await runScript([ws.manifest, "rollback"], {
      ...ws.env,
      ...modules.newLog("api-rollback").env,
    });
    expect(reversed.code, reversed.err).toBe(0);
    const second = JSON.parse(reversed.out);
    expect(second).toMatchObject({ command: "rollback", success: true, exitCode: 0 });
    expect(second.counts.complete).toBe(3);
    expect([...postsByDatasource(ws, "reverse").values()]).toEqual([1, 1, 1]);
  });

  it("types README's example as the package ships them (dist/index.d.ts)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const example = /## Programmatic use[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toContain('from "fedmigrate"');
    mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    scriptDir ??= mkdtempSync(path.join(ROOT, "test-results", "api-script-"));
    const file = path.join(scriptDir, "example.mts");
    writeFileSync(file, `${example}export {};\n`);
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "typescript", "bin", "tsc"),
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        "--skipLibCheck",
        file,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
