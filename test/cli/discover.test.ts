import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/cli/main.js";
import type { Fixture } from "../../src/sim/fixture.js";
import { loadFixture } from "../../src/sim/load-fixture.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { testToken } from "../leak/leak-capture.js";

const DEMO = fileURLToPath(new URL("../../manifests/demo/fixture.yaml", import.meta.url));
/** Distinctive, so that a scan of the output for it cannot match anything else. */
const TOKEN = testToken();

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything every run printed: the token must appear in none of it. */
const printed: string[] = [];

async function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { terminal?: boolean } = {},
): Promise<Result> {
  const stdout = new Capture();
  const stderr = Object.assign(new Capture(), { isTTY: options.terminal ?? false });
  // stderr's events are read as JSON lines, as a log collector asks for them.
  const code = await main(args, {
    stdout,
    stderr,
    env: options.terminal ? env : { FEDMIGRATE_LOG_FORMAT: "json", ...env },
    cwd,
  });
  printed.push(stdout.text, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

interface SkeletonEntry {
  datasource: string;
  name?: string;
  account: string;
  catalog: null;
  table: null;
}

function entriesOf(yamlText: string): SkeletonEntry[] {
  const doc = parse(yamlText) as { version: number; domain: string; migrations: SkeletonEntry[] | null };
  expect(doc.version).toBe(1);
  return doc.migrations ?? [];
}

/**
 * The demo fixture without latency (its 5% of 5xx stay: discover retries them), and with every
 * datasource a candidate of every account of its type and /types from the accounts: these tests
 * are about candidates listed by several accounts.
 */
async function demoFixture(): Promise<Fixture> {
  const fixture = await loadFixture(DEMO);
  return {
    ...fixture,
    token: TOKEN,
    latencyMs: { min: 0, max: 0 },
    types: undefined,
    datasources: fixture.datasources.map((ds) => ({ ...ds, candidateOf: undefined })),
  };
}

function envFor(sim: TestSimulator): NodeJS.ProcessEnv {
  return { DOMO_DOMAIN: sim.url, DOMO_DEVELOPER_TOKEN: TOKEN, FEDMIGRATE_RETRY_MIN_MS: "0" };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-discover-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("fedmigrate discover against the demo fixture", () => {
  let sim: TestSimulator;
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await demoFixture();
    sim = await startTestSimulator(fixture);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("prints a skeleton listing every unmigrated candidate once, under the first account of its type", async () => {
    const { code, stdout, stderr } = await run(["discover"], envFor(sim), dir);
    expect(code).toBe(0);
    const entries = entriesOf(stdout);
    const ids = entries.map((e) => e.datasource);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(fixture.datasources.map((d) => d.id)));
    const firstAccountOfType = new Map<string, string>();
    for (const account of fixture.accounts) {
      if (!firstAccountOfType.has(account.type)) firstAccountOfType.set(account.type, account.id);
    }
    for (const entry of entries) {
      const ds = fixture.datasources.find((d) => d.id === entry.datasource);
      expect(entry.account).toBe(firstAccountOfType.get(ds?.type ?? ""));
      expect(entry.name).toBe(ds?.name);
      expect(entry.catalog).toBeNull();
      expect(entry.table).toBeNull();
      expect(entry).not.toHaveProperty("schema");
    }
    // Every mysql entry also names the second mysql account, where the operator may move it.
    expect(stdout).toContain('account: "1" # also listed by account "2" (mysql v2 agent)');
    expect(stdout).toMatch(
      /# Account "2": mysql v2 agent \(mysql-federated\): 0 datasources; 20 listed above/,
    );
    expect(stdout).toContain(`domain: "${sim.url}"`);
    expect(stdout.split("\n")[0]).toBe(`# fedmigrate manifest skeleton for ${sim.url}`);
    // The summary is a log event on stderr; stdout holds the YAML alone.
    const done = stderr
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { event?: string; entries?: number })
      .find((line) => line.event === "discover.done");
    expect(done?.entries).toBe(fixture.datasources.length);
  });

  it("writes a skeleton that validate rejects only for catalog, schema and table of each entry", async () => {
    const { code } = await run(["discover", "--out", "skeleton.yaml"], envFor(sim), dir);
    expect(code).toBe(0);
    const check = await run(["validate", "skeleton.yaml", "--json"], {}, dir);
    expect(check.code).toBe(2);
    const report = JSON.parse(check.stdout) as { issues: { entry: string; field: string }[] };
    expect(new Set(report.issues.map((i) => i.field))).toEqual(new Set(["catalog", "schema", "table"]));
    const byEntry = new Map<string, string[]>();
    for (const issue of report.issues)
      byEntry.set(issue.entry, [...(byEntry.get(issue.entry) ?? []), issue.field]);
    expect(byEntry.size).toBe(fixture.datasources.length);
    for (const fields of byEntry.values()) expect(fields.sort()).toEqual(["catalog", "schema", "table"]);
  });

  it("validates once the operator fills in what only they know", async () => {
    await run(["discover", "--out", "skeleton.yaml"], envFor(sim), dir);
    const truth = new Map(fixture.datasources.map((d) => [d.id, d]));
    let current: string | undefined;
    const filled = readFileSync(join(dir, "skeleton.yaml"), "utf8")
      .split("\n")
      .map((line) => {
        const id = /^ {2}- datasource: (\S+)/.exec(line)?.[1];
        if (id) current = id;
        const ds = current === undefined ? undefined : truth.get(current);
        if (!ds) return line;
        if (line.startsWith("    catalog:")) return `    catalog: ${ds.catalog}`;
        if (line.startsWith("    # schema:")) return `    schema: ${ds.schema}`;
        if (line.startsWith("    table:")) return `    table: ${ds.table}`;
        return line;
      })
      .join("\n");
    writeFileSync(join(dir, "filled.yaml"), filled);
    const check = await run(["validate", "filled.yaml", "--json"], {}, dir);
    expect(JSON.parse(check.stdout)).toMatchObject({ success: true, entries: fixture.datasources.length });
    expect(check.code).toBe(0);
  });

  it("--out refuses to overwrite an existing file without --force, before calling anything", async () => {
    const target = join(dir, "wave.yaml");
    writeFileSync(target, "# my filled-in manifest\n");
    const before = sim.requestLog().length;
    const refused = await run(["discover", "--out", "wave.yaml"], envFor(sim), dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--out wave.yaml already exists");
    expect(refused.stderr).toContain("--force");
    expect(refused.stdout).toBe("");
    expect(readFileSync(target, "utf8")).toBe("# my filled-in manifest\n");
    expect(sim.requestLog().length).toBe(before);

    const forced = await run(["discover", "--out", "wave.yaml", "--force"], envFor(sim), dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe("");
    expect(entriesOf(readFileSync(target, "utf8"))).toHaveLength(fixture.datasources.length);
  });

  it("on a terminal, says in plain words on stderr what it wrote and what comes next", async () => {
    const { code, stdout, stderr } = await run(["discover", "--out", "wave.yaml"], envFor(sim), dir, {
      terminal: true,
    });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    // (A retry of the fixture's drawn 5xx may add a warning line: the summary is there whatever.)
    expect(stderr).toContain(
      `fedmigrate: wrote 36 datasources to fill in to wave.yaml (of 36; 0 already migrated left out); fill in catalog, schema and table, then run: fedmigrate validate wave.yaml\n`,
    );
  });

  it("--out into a missing directory is a clear exit 2", async () => {
    const { code, stderr } = await run(["discover", "--out", "nowhere/wave.yaml"], envFor(sim), dir);
    expect(code).toBe(2);
    expect(stderr).toContain("cannot write the skeleton");
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });

  it("--type keeps one integration type and reads no candidate list of the others", async () => {
    const before = sim.requestLog().length;
    const { code, stdout } = await run(["discover", "--type", "snowflake-federated"], envFor(sim), dir);
    expect(code).toBe(0);
    const snowflake = fixture.datasources.filter((d) => d.type === "snowflake-federated").map((d) => d.id);
    expect(new Set(entriesOf(stdout).map((e) => e.datasource))).toEqual(new Set(snowflake));
    const calls = sim.requestLog().slice(before);
    expect(
      calls
        .filter((c) => c.route === "candidates")
        .map((c) => c.accountId)
        .sort(),
    ).toEqual(["12", "13"]);
    expect(calls.some((c) => c.path.endsWith("/accounts/mysql-federated"))).toBe(false);
    expect(calls.every((c) => c.method === "GET")).toBe(true);
    expect(stdout).toContain("fedmigrate discover --type snowflake-federated");
  });

  it("--account keeps one account, its candidates under it even when an earlier account lists them", async () => {
    const { code, stdout } = await run(["discover", "--account", "2"], envFor(sim), dir);
    expect(code).toBe(0);
    const entries = entriesOf(stdout);
    const mysql = fixture.datasources.filter((d) => d.type === "mysql-federated").map((d) => d.id);
    expect(new Set(entries.map((e) => e.datasource))).toEqual(new Set(mysql));
    expect(new Set(entries.map((e) => e.account))).toEqual(new Set(["2"]));
  });

  it.each([
    {
      args: ["--type", "postgres-federated"],
      says: "--type postgres-federated: no such integration type on this instance (it lists mysql-federated, snowflake-federated)",
    },
    {
      args: ["--account", "99"],
      says: "--account 99: no such Federated V2 account (this instance lists 1 (mysql v2, mysql-federated), 2 (mysql v2 agent, mysql-federated), 12 (Snowflake V2 Analytics, snowflake-federated), 13 (Snowflake V2 Finance, snowflake-federated))",
    },
    {
      args: ["--type", "mysql-federated", "--account", "12"],
      says: "--account 12: no such Federated V2 account of type mysql-federated (this instance lists 1 (mysql v2, mysql-federated), 2 (mysql v2 agent, mysql-federated))",
    },
  ])("an unknown filter $args is exit 2, listing what exists", async ({ args, says }) => {
    const before = sim.requestLog().length;
    const { code, stdout, stderr } = await run(["discover", ...args], envFor(sim), dir);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(says);
    expect(
      sim
        .requestLog()
        .slice(before)
        .filter((c) => c.route === "candidates"),
    ).toEqual([]);
  });

  it("--json prints the discovered structure instead of the YAML", async () => {
    const { code, stdout } = await run(["discover", "--json"], envFor(sim), dir);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      success: boolean;
      domain: string;
      types: {
        type: string;
        accounts: { id: string; candidates: { id: string; manifestAccount: string }[] }[];
      }[];
      counts: { entries: number; datasources: number };
    };
    expect(doc.success).toBe(true);
    expect(doc.domain).toBe(sim.url);
    expect(doc.types.map((t) => t.type)).toEqual(["mysql-federated", "snowflake-federated"]);
    expect(doc.types[0]?.accounts.map((a) => a.id)).toEqual(["1", "2"]);
    const second = doc.types[0]?.accounts[1];
    expect(second?.candidates).toHaveLength(20);
    expect(new Set(second?.candidates.map((c) => c.manifestAccount))).toEqual(new Set(["1"]));
    expect(doc.counts).toMatchObject({ entries: 36, datasources: 36 });
  });

  it("--json with --out still writes the skeleton to the file", async () => {
    const { code, stdout } = await run(["discover", "--json", "--out", "wave.yaml"], envFor(sim), dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ success: true, out: join(dir, "wave.yaml") });
    expect(entriesOf(readFileSync(join(dir, "wave.yaml"), "utf8"))).toHaveLength(36);
  });
});

describe("fedmigrate discover and migrated datasources", () => {
  let sim: TestSimulator;
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = generateFixture({ count: 12, seed: 5, token: TOKEN, migratedShare: 0.5 });
    sim = await startTestSimulator(fixture);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("leaves migrated candidates out, and says how many", async () => {
    const migrated = fixture.datasources.filter((d) => d.migrated).map((d) => d.id);
    expect(migrated.length).toBeGreaterThan(0);
    expect(migrated.length).toBeLessThan(fixture.datasources.length);
    const { code, stdout } = await run(["discover"], envFor(sim), dir);
    expect(code).toBe(0);
    const ids = entriesOf(stdout).map((e) => e.datasource);
    expect(new Set(ids)).toEqual(new Set(fixture.datasources.filter((d) => !d.migrated).map((d) => d.id)));
    expect(stdout).toContain(
      `# ${migrated.length} datasources already migrated are left out (discover --include-migrated lists them).`,
    );
  });

  it("--include-migrated lists them too, each marked with its migration date", async () => {
    const { code, stdout } = await run(["discover", "--include-migrated"], envFor(sim), dir);
    expect(code).toBe(0);
    expect(new Set(entriesOf(stdout).map((e) => e.datasource))).toEqual(
      new Set(fixture.datasources.map((d) => d.id)),
    );
    for (const ds of fixture.datasources) {
      const line = stdout.split("\n").find((l) => l.startsWith(`  - datasource: ${ds.id}`));
      if (ds.migrated)
        expect(line).toMatch(/ # already migrated on \d{4}-\d\d-\d\dT[^:]+:\d\d:\d\d.*: plan skips it$/);
      else expect(line).toBe(`  - datasource: ${ds.id}`);
    }
  });

  it("exits 4 with plain words when the token is refused", async () => {
    const { code, stdout, stderr } = await run(
      ["discover"],
      { ...envFor(sim), DOMO_DEVELOPER_TOKEN: "not-the-token-1234" },
      dir,
    );
    expect(code).toBe(4);
    expect(stdout).toBe("");
    expect(stderr).toContain("401");
    expect(stderr).toMatch(/wrong, expired or revoked/);
  });
});

describe("fedmigrate discover configuration", () => {
  it.each([
    { env: { DOMO_DEVELOPER_TOKEN: TOKEN }, says: "no Domo domain given" },
    { env: { DOMO_DOMAIN: "http://127.0.0.1:9" }, says: "no Domo developer token given" },
    { env: { DOMO_DOMAIN: "http://example.com", DOMO_DEVELOPER_TOKEN: TOKEN }, says: "travel in clear" },
  ])("exits 2 before calling anything: $says", async ({ env, says }) => {
    const { code, stdout, stderr } = await run(["discover"], env, dir);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(says);
  });
});

afterAll(() => {
  // Over every run of this file: stdout and stderr, successes and failures alike.
  expect(printed.length).toBeGreaterThan(0);
  for (const text of printed) expect(text).not.toContain(TOKEN);
});
