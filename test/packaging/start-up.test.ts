import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `fedmigrate --help` and `--version` load only what they need: the command implementations (and
 * with them pino, better-sqlite3, ky, undici, yaml) load in the handlers. Checked by what the
 * built CLI's module loader resolves, not by timing (docs/startup.md has the figures).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist", "cli.js");
const HEAVY = [
  "pino",
  "pino-pretty",
  "better-sqlite3",
  "ky",
  "undici",
  "yaml",
  "p-limit",
  "p-retry",
  "cli-progress",
];
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

let dir: string;
let hook: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-startup-"));
  // A resolve hook (in the loader thread) appends every module URL it resolves to MODULE_LOG.
  const loader = path.join(dir, "loader.mjs");
  writeFileSync(
    loader,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.MODULE_LOG, result.url + "\\n");
  return result;
}
`,
  );
  hook = path.join(dir, "hook.mjs");
  writeFileSync(
    hook,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(loader).href)});\n`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the built CLI with `args`; returns what it printed and the packages it loaded. */
function start(args: string[]): { code: number | null; stdout: string; packages: Set<string> } {
  const log = path.join(dir, `${args.join("_").replace(/\W/g, "")}.log`);
  writeFileSync(log, "");
  const result = spawnSync(process.execPath, ["--import", hook, CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, MODULE_LOG: log, NO_COLOR: "1" },
  });
  const packages = new Set(
    readFileSync(log, "utf8")
      .split("\n")
      .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return { code: result.status, stdout: result.stdout, packages };
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
