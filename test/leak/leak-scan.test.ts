import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type CliResult, makeWorkspace, runCli, type Workspace } from "../e2e/cli-harness.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { testToken } from "./leak-capture.js";
import { scanForTokens } from "./scan-for-tokens.js";

/**
 * Issue 8, the leak scan. The whole suite's outputs are scanned by the global teardown
 * (global-setup.ts, over what every test hands to leak-capture.ts); this file proves the scanner
 * finds a token wherever it sits, and runs the CLI through the paths where a token is most
 * likely to escape (refused tokens, a token in a manifest or on the command line, failures with
 * every report written), scanning all it leaves behind itself.
 */
const scratch = mkdtempSync(path.join(tmpdir(), "fedmigrate-leak-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("scanForTokens", () => {
  const token = "tok-0123456789abcdef01234567";
  const cases: [string, (dir: string) => void, number][] = [
    ["absent", (dir) => writeFileSync(path.join(dir, "out.txt"), "nothing to see"), 0],
    ["in plain text", (dir) => writeFileSync(path.join(dir, "out.txt"), `header ${token} trailer`), 1],
    [
      "in a JSON log line",
      (dir) => writeFileSync(path.join(dir, "log.jsonl"), JSON.stringify({ msg: `x${token}y` })),
      1,
    ],
    [
      "as UTF-16LE",
      (dir) => writeFileSync(path.join(dir, "wide.bin"), Buffer.from(`a${token}b`, "utf16le")),
      1,
    ],
    [
      "as base64",
      (dir) => writeFileSync(path.join(dir, "b64.txt"), Buffer.from(token).toString("base64")),
      1,
    ],
    [
      "in a nested folder",
      (dir) => {
        const nested = path.join(dir, "a", "b");
        mkdirSync(nested, { recursive: true });
        writeFileSync(path.join(nested, "deep.txt"), token);
      },
      1,
    ],
    [
      "in a SQLite file",
      (dir) => {
        const db = new Database(path.join(dir, "journal.db"));
        db.exec("CREATE TABLE t (v TEXT)");
        db.prepare("INSERT INTO t VALUES (?)").run(`error: ${token}`);
        db.close();
      },
      1,
    ],
  ];

  it.each(cases)("finds the token %s", (_name, plant, found) => {
    const dir = mkdtempSync(path.join(scratch, "scan-"));
    plant(dir);
    const scan = scanForTokens(dir, [token]);
    expect(scan.leaks).toHaveLength(found);
    expect(scan.files).toBeGreaterThan(0);
  });

  it("skips the files it is told to (the token list itself)", () => {
    const dir = mkdtempSync(path.join(scratch, "skip-"));
    writeFileSync(path.join(dir, "tokens.txt"), `${token}\n`);
    expect(scanForTokens(dir, [token], ["tokens.txt"]).leaks).toEqual([]);
    expect(scanForTokens(dir, [token]).leaks).toHaveLength(1);
  });
});

describe("the token never leaves the process", () => {
  let ws: Workspace | undefined;
  afterEach(async () => {
    await ws?.close();
    ws = undefined;
  });

  it("in outputs, logs, reports, JUnit, saved plans and the journal, on the paths where it could", async () => {
    const forbidden = testToken();
    const wrong = testToken();
    const fixture = generateFixture({ count: 6, seed: 41, forbiddenToken: forbidden });
    const first = fixture.datasources[0];
    if (first) first.fault = "aborted";
    ws = await makeWorkspace(fixture);
    const w = ws;
    const out = (name: string) => path.join(w.dir, name);
    // The token file lives outside the workspace: it is the one place the token belongs.
    const tokenFile = path.join(scratch, "token.txt");
    writeFileSync(tokenFile, `${w.env.DOMO_DEVELOPER_TOKEN}\n`);
    const tokenManifest = out("with-token.yaml");
    writeFileSync(tokenManifest, `${readFileSync(w.manifest, "utf8")}token: ${w.env.DOMO_DEVELOPER_TOKEN}\n`);

    const runs: [string, Promise<CliResult>][] = [];
    const run = (name: string, args: string[], env: NodeJS.ProcessEnv = w.env) => {
      runs.push([name, runCli(args, env)]);
      return runs.at(-1)?.[1] as Promise<CliResult>;
    };
    // One at a time: they share the journal.
    await run("plan --out", ["plan", w.manifest, "--out", out("plan.json"), "--log-level", "trace"]);
    await run("migrate with an ABORTED entry", [
      "migrate",
      w.manifest,
      "--report",
      out("report.json"),
      "--junit",
      out("junit.xml"),
      "--log-level",
      "trace",
      "--json",
    ]);
    await run(
      "migrate --token-file",
      ["migrate", w.manifest, "--token-file", tokenFile, "--log-level", "trace"],
      {
        ...w.env,
        DOMO_DEVELOPER_TOKEN: undefined,
      },
    );
    await run("rollback --all", [
      "rollback",
      "--all",
      "--report",
      out("rollback.json"),
      "--log-level",
      "trace",
    ]);
    await run("a refused token (401)", ["migrate", w.manifest, "--log-level", "trace"], {
      ...w.env,
      DOMO_DEVELOPER_TOKEN: wrong,
    });
    await run("a forbidden token (403)", ["migrate", w.manifest, "--json", "--log-level", "trace"], {
      ...w.env,
      DOMO_DEVELOPER_TOKEN: forbidden,
    });
    await run("a token in the manifest", ["validate", tokenManifest]);
    await run("a token on the command line", [
      "migrate",
      w.manifest,
      `--token=${w.env.DOMO_DEVELOPER_TOKEN}`,
    ]);
    await run("status", ["status", "--json"]);
    await run("history", ["history", "--json"]);

    const results = await Promise.all(runs.map(async ([name, result]) => [name, await result] as const));
    // Each path did what it is here for.
    const byName = new Map(results);
    expect(byName.get("a refused token (401)")?.code).toBe(4);
    expect(byName.get("a forbidden token (403)")?.code).toBe(4);
    expect(byName.get("a token in the manifest")?.code).toBe(2);
    expect(byName.get("a token on the command line")?.code).toBe(2);
    expect(byName.get("migrate with an ABORTED entry")?.code).toBe(1);

    const tokens = [w.env.DOMO_DEVELOPER_TOKEN as string, wrong, forbidden];
    for (const [name, result] of results) {
      for (const token of tokens) {
        expect(result.stdout.includes(token), `${name}: the token is on stdout`).toBe(false);
        expect(result.stderr.includes(token), `${name}: the token is on stderr`).toBe(false);
      }
    }
    // Everything written to the workspace: the journal (and its WAL), reports, JUnit, the plan.
    // The manifest with the token in it is the operator's own file, not an output.
    const written = readdirSync(w.dir);
    expect(written).toEqual(
      expect.arrayContaining(["fedmigrate.db", "report.json", "junit.xml", "plan.json"]),
    );
    const scan = scanForTokens(w.dir, tokens, ["with-token.yaml"]);
    expect(scan.leaks).toEqual([]);
    expect(scan.files).toBeGreaterThanOrEqual(5);
    // Not handed to the suite-wide scan: that file holds the token on purpose.
    rmSync(tokenManifest);
  });
});
