import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main, withSuggestions } from "../../src/cli/main.js";
import { openJournal } from "../../src/journal/open-journal.js";
import type { AttemptState } from "../../src/journal/types.js";
import { formatTextLine } from "../../src/logger.js";

class Capture extends Writable {
  text = "";
  isTTY = false;
  columns = 80;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-words-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = {}, terminal = false) {
  const stdout = Object.assign(new Capture(), { isTTY: terminal });
  const stderr = Object.assign(new Capture(), { isTTY: terminal });
  const code = await main(args, { stdout, stderr, env: { NO_COLOR: "1", ...env }, cwd: dir });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A journal with one datasource per (direction, state), in this order. */
function journal(rows: [id: string, direction: "V1_TO_V2" | "V2_TO_V1", state: AttemptState][]): string {
  const file = join(dir, "fedmigrate.db");
  const j = openJournal(file);
  j.startRun({
    id: "r-1",
    command: "migrate",
    domain: "acme.domo.com",
    manifestsHash: null,
    user: "ops",
    host: "h",
    pid: 1,
    ciJobUrl: null,
    startedAt: "2026-11-28T01:00:00.000Z",
    options: "{}",
  });
  for (const [id, direction, state] of rows) {
    const attempt = j.beginAttempt({
      runId: "r-1",
      domain: "acme.domo.com",
      datasourceId: id,
      datasourceName: `Name of ${id}`,
      accountId: "12",
      direction,
      catalog: "C",
      schema: "S",
      tableName: "T",
      attempt: 1,
      startedAt: "2026-11-28T01:00:00.000Z",
    });
    j.completeAttempt(attempt, {
      state: state as Exclude<AttemptState, "IN_FLIGHT">,
      toe: `TOE-${id}`,
      errorMessage: state === "COMPLETE" ? null : `failed: ${id}`,
      httpStatus: 200,
      serverStartTime: null,
      serverEndTime: null,
      endedAt: "2026-11-28T01:00:01.000Z",
      resolvedBy: null,
    });
  }
  j.finishRun("r-1", "FAILED", "2026-11-28T01:01:00.000Z");
  j.close();
  return file;
}

describe("the small things a new user trips on", () => {
  it("bare fedmigrate lists the commands", async () => {
    const { code, stdout } = await run([]);
    expect(code).toBe(0);
    for (const command of ["validate", "plan", "migrate", "rollback", "status", "history", "report"]) {
      expect(stdout).toContain(`fedmigrate ${command}`);
    }
  });

  it("completion --help prints help, not the script", async () => {
    const { code, stdout } = await run(["completion", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Print a shell completion script");
    expect(stdout).not.toContain("###-begin");
  });

  it("an option typo gets 'did you mean' like a command does", async () => {
    const { code, stderr } = await run(["migrate", "m.yaml", "--concurency", "3"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown argument: --concurency (did you mean --concurrency?)");
    expect(withSuggestions("Unknown argument: x", ["concurrency"], ["status", "x"])).toBe(
      "unknown argument: x",
    );
  });

  it("--state ignores case, and names the states for an unknown one", async () => {
    journal([
      ["a", "V1_TO_V2", "COMPLETE"],
      ["b", "V1_TO_V2", "ABORTED"],
    ]);
    const lower = await run(["status", "--state", "aborted"]);
    expect(lower.code).toBe(0);
    expect(lower.stdout).toMatch(/^b +needs attention/m);
    expect(lower.stdout).not.toMatch(/^a /m);
    const bad = await run(["status", "--state", "done"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("IN_FLIGHT, COMPLETE, INCOMPLETE, ABORTED, FAILED");
  });

  it("--log-level silent means nothing on stderr, even for a refusal (the exit code says it)", async () => {
    const { code, stderr } = await run(["status", "--log-level", "silent"]);
    expect(code).toBe(2);
    expect(stderr).toBe("");
  });
});

describe("status", () => {
  it("puts what needs attention first and says where each datasource is; a rollback is never COMPLETE", async () => {
    journal([
      ["on-v2", "V1_TO_V2", "COMPLETE"],
      ["back", "V2_TO_V1", "COMPLETE"],
      ["broken", "V1_TO_V2", "INCOMPLETE"],
      ["stuck", "V2_TO_V1", "ABORTED"],
    ]);
    const { code, stdout } = await run(["status"]);
    expect(code).toBe(0);
    const rows = stdout.split("\n").slice(1, 5);
    expect(rows[0]).toMatch(/^broken +needs attention +migrate INCOMPLETE/);
    expect(rows[1]).toMatch(/^stuck +needs attention +rollback ABORTED/);
    expect(rows[2]).toMatch(/^back +back on V1 +rollback COMPLETE/);
    expect(rows[3]).toMatch(/^on-v2 +on V2 +migrate COMPLETE/);
    expect(stdout).toContain("4 datasources: 2 needs attention, 1 back on V1, 1 on V2.");
    expect(stdout).toMatch(/^Next: /m);
    const json = JSON.parse((await run(["status", "--json"])).stdout) as { items: { now: string }[] };
    expect(json.items.map((i) => i.now)).toEqual([
      "on V2",
      "back on V1",
      "needs attention",
      "needs attention",
    ]);
  });

  it("--manifest FILE reads the journal its journal: names and shows only its datasources", async () => {
    const file = journal([
      ["a", "V1_TO_V2", "COMPLETE"],
      ["b", "V1_TO_V2", "COMPLETE"],
    ]);
    const manifest = join(dir, "m.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      manifest,
      `version: 1\ndomain: acme.domo.com\njournal: ${file}\nmigrations:\n  - datasource: a\n    account: "12"\n    catalog: C\n    schema: S\n    table: T\n`,
    );
    const { code, stdout } = await run(["status", "--manifest", manifest], { FEDMIGRATE_JOURNAL: undefined });
    expect(code).toBe(0);
    expect(stdout).toContain("1 datasource: 1 on V2.");
    const history = await run(["history", "--manifest", manifest]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^r-1 +migrate +FAILED +2 +2 +0/m);
  });
});

describe("log lines", () => {
  it("off a terminal: one plain line per event, level and event first, fields after", () => {
    const line = formatTextLine(
      JSON.stringify({
        level: "error",
        time: "2026-11-28T01:00:00.000Z",
        event: "item.failed",
        datasource: "ds-1",
        toe: "T-1",
        errorMessage: "table not found",
        msg: "ds-1: migration ABORTED",
      }),
    );
    expect(line).toBe(
      '2026-11-28T01:00:00.000Z ERROR item.failed: ds-1: migration ABORTED datasource=ds-1 toe=T-1 errorMessage="table not found"\n',
    );
  });

  it("on a terminal: the time of day, the level coloured, nothing said twice", () => {
    const line = formatTextLine(
      JSON.stringify({
        level: "warn",
        time: "2026-11-28T01:02:03.000Z",
        event: "x",
        datasource: "ds-1",
        msg: "ds-1 is late",
      }),
      { colour: true, short: true },
    );
    expect(line).toBe("01:02:03 \x1b[33mWARN \x1b[39m x: ds-1 is late\n");
  });

  it("--log-format json gives pino JSON lines; text lines otherwise", async () => {
    const text = await run(["status"]);
    expect(text.stderr).toMatch(/^fedmigrate: error: there is no journal at /);
    const json = await run(["status", "--log-format", "json"]);
    expect(JSON.parse(json.stderr.trim())).toMatchObject({ level: "error", event: "run.error" });
    const env = await run(["status"], { FEDMIGRATE_LOG_FORMAT: "json" });
    expect(JSON.parse(env.stderr.trim())).toMatchObject({ level: "error" });
  });
});
