import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openJournal } from "../../src/journal/open-journal.js";
import type { AttemptState, NewRun } from "../../src/journal/types.js";
import { testToken } from "../leak/leak-capture.js";
import { at } from "./report-fixtures.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
let journalPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-report-"));
  journalPath = join(dir, "fedmigrate.db");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = { FEDMIGRATE_JOURNAL: journalPath }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env, cwd: dir });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Writes runs through the journal API, as migrate and rollback do. */
function writeJournal(
  runs: { id: string; command: string; startMs: number; items: [id: string, state: AttemptState][] }[],
): void {
  const journal = openJournal(journalPath);
  try {
    for (const r of runs) {
      const newRun: NewRun = {
        id: r.id,
        command: r.command,
        domain: "acme.domo.com",
        manifestsHash: "hash-1",
        user: "ops",
        host: "batch-1",
        pid: 1,
        ciJobUrl: null,
        startedAt: at(r.startMs),
        options: null,
      };
      journal.startRun(newRun);
      for (const [index, [datasourceId, state]] of r.items.entries()) {
        const attemptId = journal.beginAttempt({
          runId: r.id,
          domain: "acme.domo.com",
          datasourceId,
          datasourceName: datasourceId === "evil" ? "<script>alert(1)</script>" : `Table ${datasourceId}`,
          accountId: "12",
          direction: r.command === "rollback" ? "V2_TO_V1" : "V1_TO_V2",
          catalog: "C",
          schema: "S",
          tableName: "T",
          attempt: 1,
          startedAt: at(r.startMs + 100 + index * 10),
        });
        if (state !== "IN_FLIGHT") {
          journal.completeAttempt(attemptId, {
            state,
            toe: `TOE-${datasourceId}`,
            errorMessage: state === "COMPLETE" ? null : `${datasourceId} | ${state}`,
            httpStatus: 200,
            serverStartTime: null,
            serverEndTime: null,
            endedAt: at(r.startMs + 500 + index * 10),
            resolvedBy: null,
          });
        }
      }
      journal.finishRun(
        r.id,
        r.items.some(([, s]) => s !== "COMPLETE") ? "FAILED" : "SUCCEEDED",
        at(r.startMs + 1000),
      );
    }
  } finally {
    journal.close();
  }
}

const RUNS = [
  {
    id: "r-1-migrate",
    command: "migrate",
    startMs: 0,
    items: [
      ["a", "COMPLETE"],
      ["evil", "ABORTED"],
      ["c", "INCOMPLETE"],
    ],
  },
  { id: "r-2-rollback", command: "rollback", startMs: 10_000, items: [["a", "COMPLETE"]] },
  {
    id: "r-3-migrate",
    command: "migrate",
    startMs: 20_000,
    items: [
      ["a", "COMPLETE"],
      ["b", "COMPLETE"],
    ],
  },
] as Parameters<typeof writeJournal>[0];

function read(file: string): string {
  return readFileSync(join(dir, file), "utf8");
}

describe("fedmigrate report", () => {
  it("writes the HTML page and the Markdown of the run given by --run", async () => {
    writeJournal(RUNS);
    const result = await run(["report", "--run", "r-1-migrate", "--html", "run.html", "--md", "run.md"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Wrote the report of migrate run r-1-migrate (FAILED; 3 entries, 2 not COMPLETE) to run.html and run.md.\n",
    );
    const html = read("run.html");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Migration run <span class="m">r-1-migrate</span>');
    expect(html.match(/<tr data-s=/g)).toHaveLength(3);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    const md = read("run.md");
    expect(md).toContain("# fedmigrate migrate run r-1-migrate: FAILED");
    expect(md).toContain(
      "| evil | &lt;script&gt;alert(1)&lt;/script&gt; | ABORTED | TOE-evil | evil \\| ABORTED |",
    );
  });

  it.each([
    { args: ["--last"], runId: "r-3-migrate" },
    { args: [], runId: "r-3-migrate" },
    { args: ["--last", "--command", "rollback"], runId: "r-2-rollback" },
    { args: ["--command", "migrate"], runId: "r-3-migrate" },
  ])("$args picks $runId", async ({ args, runId }) => {
    writeJournal(RUNS);
    const result = await run(["report", ...args, "--md", "run.md", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, runId, html: null, md: "run.md" });
    expect(read("run.md")).toContain(`run ${runId}:`);
  });

  it("reports a rollback run in the reverse direction", async () => {
    writeJournal(RUNS);
    expect((await run(["report", "--run", "r-2-rollback", "--html", "r.html"])).code).toBe(0);
    expect(read("r.html")).toContain("reversals, Federated V2 → V1");
  });

  it("gives the counts in --json", async () => {
    writeJournal(RUNS);
    const result = await run(["report", "--run", "r-1-migrate", "--html", "r.html", "--json"]);
    expect(JSON.parse(result.stdout)).toEqual({
      success: true,
      runId: "r-1-migrate",
      command: "migrate",
      status: "FAILED",
      entries: 3,
      failures: 2,
      counts: { COMPLETE: 1, INCOMPLETE: 1, ABORTED: 1, FAILED: 0, IN_FLIGHT: 0 },
      html: "r.html",
      md: null,
    });
  });

  it("reads the journal named by --journal over FEDMIGRATE_JOURNAL, and never writes to it", async () => {
    writeJournal(RUNS);
    const before = readFileSync(journalPath);
    const result = await run(["report", "--journal", journalPath, "--last", "--md", "x.md"], {
      FEDMIGRATE_JOURNAL: join(dir, "elsewhere.db"),
    });
    expect(result.code).toBe(0);
    expect(readFileSync(journalPath).equals(before)).toBe(true);
    expect(existsSync(join(dir, "elsewhere.db"))).toBe(false);
  });

  it("ignores a domain or token in the environment that it does not need", async () => {
    writeJournal(RUNS);
    const token = testToken();
    const result = await run(["report", "--last", "--md", "x.md"], {
      FEDMIGRATE_JOURNAL: journalPath,
      DOMO_DOMAIN: "http://not-loopback.example",
      DOMO_DEVELOPER_TOKEN: token,
    });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr + read("x.md")).not.toContain(token);
  });

  it.each([
    {
      name: "an unknown run id",
      args: ["--run", "r-nope", "--html", "x.html"],
      message: /there is no run r-nope in the journal .*fedmigrate\.db/,
      hint: /'fedmigrate history' lists the runs/,
    },
    {
      name: "no output file",
      args: ["--last"],
      message: /give --html FILE, --md FILE, or both/,
      hint: /report --last --html run.html/,
    },
    {
      name: "--run with --last",
      args: ["--run", "r-1-migrate", "--last", "--md", "x.md"],
      message: /mutually exclusive/,
    },
    {
      name: "--run with --command",
      args: ["--run", "r-1-migrate", "--command", "migrate", "--md", "x.md"],
      message: /mutually exclusive/,
    },
    {
      name: "an unknown --command",
      args: ["--command", "plan", "--md", "x.md"],
      message: /Choices: "migrate", "rollback"/,
    },
    { name: "an empty --html", args: ["--last", "--html", ""], message: /--html needs a file name/ },
  ])("exits 2 on $name", async ({ args, message, hint }) => {
    writeJournal(RUNS);
    const result = await run(["report", ...args, "--log-format", "json"]);
    expect(result.code).toBe(2);
    // With --log-format json, stderr is JSON lines.
    const said = JSON.parse(result.stderr.split("\n")[0] as string) as { msg: string; hint?: string };
    expect(said.msg).toMatch(message);
    if (hint) expect(said.hint).toMatch(hint);
    expect(existsSync(join(dir, "x.html")) || existsSync(join(dir, "x.md"))).toBe(false);
  });

  it("writes the Markdown to stdout with --md - (and the HTML with --html -), no file named '-'", async () => {
    writeJournal(RUNS);
    const md = await run(["report", "--last", "--md", "-"]);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# /);
    expect(md.stdout).not.toContain("Wrote the report");
    const html = await run(["report", "--last", "--html", "-"]);
    expect(html.stdout).toMatch(/^<!doctype html>/i);
    expect(existsSync(join(dir, "-"))).toBe(false);
    const both = await run(["report", "--last", "--html", "-", "--md", "-"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("both write to stdout");
  });

  it("--manifest FILE reads the journal its journal: names, as migrate does", async () => {
    // Not ./fedmigrate.db, the default: only the manifest says where it is.
    journalPath = join(dir, "elsewhere.db");
    writeJournal(RUNS);
    const manifest = join(dir, "m.yaml");
    writeFileSync(
      manifest,
      `version: 1\njournal: ${journalPath}\nmigrations:\n  - datasource: ds-1\n    account: "1"\n    catalog: C\n    schema: S\n    table: T\n`,
    );
    const result = await run(["report", "--last", "--md", "-", "--manifest", manifest], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# /);
    const without = await run(["report", "--last", "--md", "-"], {});
    expect(without.code).toBe(2);
  });

  it("exits 2 when the journal has no run of that command", async () => {
    writeJournal([RUNS[0] as (typeof RUNS)[number]]);
    const result = await run(["report", "--last", "--command", "rollback", "--md", "x.md"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/there is no rollback run in the journal/);
  });

  it("exits 2 when there is no journal, and creates none", async () => {
    const result = await run(["report", "--last", "--html", "x.html"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/there is no journal at .*fedmigrate\.db: nothing has run with it yet/);
    expect(existsSync(journalPath)).toBe(false);
  });

  it("exits 2 when the output cannot be written, naming the file", async () => {
    writeJournal(RUNS);
    const result = await run(["report", "--last", "--html", join(dir, "missing", "x.html")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot write the HTML report to ${join(dir, "missing", "x.html")}`);
  });

  it("exits 1 on a file that is not a journal", async () => {
    writeFileSync(journalPath, "not a database, just text that is long enough to not be empty".repeat(20));
    const result = await run(["report", "--last", "--html", "x.html"]);
    expect(result.code).toBe(1);
    expect(existsSync(join(dir, "x.html"))).toBe(false);
  });
});
