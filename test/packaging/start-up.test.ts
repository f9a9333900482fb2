import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createModuleLog, type ModuleLog } from "../helpers/module-log.js";

/**
 * `fedmigrate --help` and `--version` load only what they need: the command implementations (and
 * with them pino, better-sqlite3, ky, undici, yaml) load in the handlers. Checked by what the
 * built CLI's module loader resolves, not by timing (docs/startup.md has the figures).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist", "cli.js");
const HEAVY = ["pino", "better-sqlite3", "ky", "undici", "yaml", "p-limit", "valibot"];
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

let modules: ModuleLog;

beforeAll(() => {
  modules = createModuleLog();
});

afterAll(() => {
  modules.remove();
});

/** Runs the built CLI with `args`; returns what it printed and the packages it loaded. */
function start(args: string[]): { code: number | null; stdout: string; packages: Set<string> } {
  const log = modules.newLog(args.join("_"));
  const result = spawnSync(process.execPath, ["--import", modules.hook, CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...log.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, packages: modules.packagesIn(log.file) };
}

describe("start-up", () => {
  it("--version loads no package at all, yargs included", () => {
    const run = start(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${VERSION}\n`);
    expect([...run.packages]).toEqual([]);
  });

  it("--help loads yargs and none of the packages the commands use", () => {
    const run = start(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("fedmigrate migrate");
    expect(run.packages.has("yargs")).toBe(true);
    expect(HEAVY.filter((name) => run.packages.has(name))).toEqual([]);
  });

  it("a command's --help loads no more than that", () => {
    const run = start(["migrate", "--help"]);
    expect(run.code).toBe(0);
    expect(HEAVY.filter((name) => run.packages.has(name))).toEqual([]);
  });

  it("the hook sees what a command does load (so the checks above can fail)", () => {
    const run = start(["validate", path.join(ROOT, "manifests", "example.yaml")]);
    expect(run.packages.has("yaml") || run.packages.has("pino")).toBe(true);
  });
});
