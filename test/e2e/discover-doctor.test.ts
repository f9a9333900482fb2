import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { captureTree, testToken } from "../leak/leak-capture.js";
import { type CliResult, runCli } from "./cli-harness.js";

// Tokens of their own, registered for the suite-wide leak scan (test/leak).
const TOKEN = testToken();
const WRONG_TOKEN = testToken();

let sim: TestSimulator;
let dir: string;
let env: NodeJS.ProcessEnv;
const results: CliResult[] = [];

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCli(args, { ...env, ...extraEnv }, dir);
  results.push(result);
  return result;
}

/** Off a terminal, stderr carries only JSON log lines (SPEC section 5). */
function expectJsonLines(stderr: string): Record<string, unknown>[] {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => {
    expect(() => JSON.parse(line), line).not.toThrow();
    return JSON.parse(line) as Record<string, unknown>;
  });
}

beforeAll(async () => {
  const fixture = generateFixture({
    count: 30,
    seed: 11,
    token: TOKEN,
    accountsPerType: 2,
    migratedShare: 0.2,
    faults: { rate5xx: 0.1 },
  });
  sim = await startTestSimulator(fixture);
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-e2e-discover-"));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOMO_DOMAIN: sim.url,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
    FEDMIGRATE_RETRY_MIN_MS: "0",
  };
});
afterAll(async () => {
  await sim.close();
  // The skeleton and anything else the CLI wrote, for the leak scan.
  captureTree("discover-doctor", dir);
  rmSync(dir, { recursive: true, force: true });
});

describe("discover and doctor end to end (built CLI, simulator over HTTP)", () => {
  it("doctor: all ok, exit 0, text on stdout, JSON lines only on stderr, no journal created", async () => {
    const result = await cli(["doctor"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok {4}domain/m);
    expect(result.stdout).toMatch(/^ok {4}inventory +2 integration types, 4 V2 accounts, 30 V1 datasources/m);
    expect(result.stdout).toContain("All checks passed.");
    expectJsonLines(result.stderr);
    expect(existsSync(path.join(dir, "fedmigrate.db"))).toBe(false);
  });

  it("discover --out writes a skeleton that validate rejects only for the fields left to fill", async () => {
    const written = await cli(["discover", "--out", "skeleton.yaml"]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe("");
    const done = expectJsonLines(written.stderr).find((line) => line.event === "discover.done");
    const unmigrated = sim.sim.fixture().datasources.filter((d) => !d.migrated);
    expect(done).toMatchObject({ entries: unmigrated.length, datasources: 30 });

    const doc = parse(readFileSync(path.join(dir, "skeleton.yaml"), "utf8")) as {
      migrations: { datasource: string }[];
    };
    expect(new Set(doc.migrations.map((m) => m.datasource))).toEqual(new Set(unmigrated.map((d) => d.id)));

    const check = await cli(["validate", "skeleton.yaml", "--json"]);
    expect(check.code).toBe(2);
    const report = JSON.parse(check.stdout) as { issues: { field: string }[] };
    expect(report.issues).toHaveLength(3 * unmigrated.length);
    expect(new Set(report.issues.map((i) => i.field))).toEqual(new Set(["catalog", "schema", "table"]));

    const again = await cli(["discover", "--out", "skeleton.yaml"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists");
  });

  it("doctor with a wrong token: exit 4, said in plain words", async () => {
    const result = await cli(["doctor"], { DOMO_DEVELOPER_TOKEN: WRONG_TOKEN });
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(
      /^FAIL {2}api +Domo refused the developer token: it is wrong, expired or revoked/m,
    );
    expect(result.stdout).not.toContain(WRONG_TOKEN);
  });

  it("never prints the token, on stdout or stderr", () => {
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const result of results) {
      for (const token of [TOKEN, WRONG_TOKEN]) {
        expect(result.stdout).not.toContain(token);
        expect(result.stderr).not.toContain(token);
      }
    }
  });
});
