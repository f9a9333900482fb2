import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkspace, runCli } from "../e2e/cli-harness.js";
import { LEAK_DIR_ENV, TOKENS_FILE } from "./leak-capture.js";

/**
 * What the suite-wide scan covers: a test that runs the CLI through the e2e harness hands over,
 * without doing anything itself, the token it used, everything the CLI printed (its logs are on
 * stderr) and every file it wrote into its workspace: the journal, --report, --junit, the HTML
 * and Markdown reports. Meaningful only under the suite's global setup (vitest.config.ts).
 */
const leakDir = process.env[LEAK_DIR_ENV];

/** This process's captures under `sub`, newest last (names are `<pid>-<sequence>-<label>`). */
function captures(sub: string, label: string): string[] {
  const dir = path.join(leakDir as string, sub);
  if (!existsSync(dir)) return [];
  const sequence = (name: string) => Number(name.split("-")[1]);
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${process.pid}-`) && name.includes(label))
    .sort((a, b) => sequence(a) - sequence(b));
}

describe.skipIf(!leakDir)("the leak scan's coverage of a harness test", () => {
  it("registers the token and captures stdout, stderr, the journal and every report", async () => {
    const ws = await makeWorkspace({ count: 3, seed: 81 });
    const token = ws.env.DOMO_DEVELOPER_TOKEN as string;
    const out = (name: string) => path.join(ws.dir, name);
    const migrate = await runCli(
      ["migrate", ws.manifest, "--report", out("report.json"), "--junit", out("junit.xml")],
      ws.env,
    );
    expect(migrate.code).toBe(0);
    const report = await runCli(
      ["report", "--last", "--html", out("run.html"), "--md", out("run.md")],
      ws.env,
    );
    expect(report.code).toBe(0);
    await ws.close();

    expect(readFileSync(path.join(leakDir as string, TOKENS_FILE), "utf8").split("\n")).toContain(token);
    expect(captures("outputs", "migrate-stdout")).not.toEqual([]);
    expect(captures("outputs", "migrate-stderr")).not.toEqual([]);
    const tree = captures("trees", "workspace").at(-1);
    expect(tree).toBeDefined();
    expect(readdirSync(path.join(leakDir as string, "trees", tree as string)).sort()).toEqual(
      expect.arrayContaining([
        "fedmigrate.db",
        "junit.xml",
        "migrations.yaml",
        "report.json",
        "run.html",
        "run.md",
      ]),
    );
  });
});
