import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { SimMode } from "../../src/sim/fixture.js";
import { startRewriteProxy } from "../chaos/rewrite-proxy.js";
import { testToken } from "../leak/leak-capture.js";
import { type CliResult, makeWorkspace, runCli, spawnCli, type Workspace } from "./cli-harness.js";

/**
 * SPEC section 5: "`--json` output and `--report` files have the same shape whether the run
 * succeeded or failed, with an explicit `success` field and one record per entry". A run stopped
 * by a run-level failure (a refused token, the API unreachable or blocked before the first POST,
 * the journal locked, an interruption) still writes its `--json` document, its `--report` and its
 * `--junit` file: `success: false`, the run-level `error`, one record per entry, the entries never
 * attempted marked `not-started` with the reason; and the exit code is the failure's.
 */
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

interface Item {
  datasource: string;
  outcome: string;
  reason: string;
  attempts: number;
  action: string;
}
interface Report {
  success: boolean;
  exitCode: number;
  runId: string | null;
  stopReason: string | null;
  error: { code: string; message: string; hint: string | null } | null;
  counts: Record<string, number>;
  items: Item[];
}

const outputArgs = (w: Workspace) => [
  "--json",
  "--report",
  path.join(w.dir, "report.json"),
  "--junit",
  path.join(w.dir, "junit.xml"),
];

/**
 * The three outputs of a run: stdout is the report, the `--report` file the same document, and
 * the JUnit file one test case per record, a failure for each failing one.
 */
function outputsOf(w: Workspace, result: CliResult): Report {
  const report = JSON.parse(result.stdout) as Report;
  expect(JSON.parse(readFileSync(path.join(w.dir, "report.json"), "utf8"))).toEqual(report);
  const junit = readFileSync(path.join(w.dir, "junit.xml"), "utf8");
  expect(junit.match(/<testcase /g) ?? []).toHaveLength(report.items.length);
  const failing = report.items.filter((i) => !["complete", "skipped", "held"].includes(i.outcome));
  expect(junit.match(/<failure /g) ?? []).toHaveLength(failing.length);
  expect(junit).toMatch(/<property name="success" value="false"\/>/);
  expect(report.exitCode).toBe(result.code);
  expect(report.success).toBe(false);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  return report;
}

/** The run-level error as stderr says it (one JSON line, CI=true). */
function stderrError(result: CliResult): { code?: string; msg?: string } | undefined {
  return result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { event?: string; code?: string; msg?: string })
    .find((line) => line.event === "run.error");
}

const posts = (w: Workspace) => w.sim.requestLog().filter((entry) => entry.method === "POST").length;

function runStatus(w: Workspace, runId: string): string | undefined {
  const db = new Database(w.journal, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT status FROM runs WHERE id = ?").get(runId) as { status: string } | undefined)
      ?.status;
  } finally {
    db.close();
  }
}

describe("migrate stopped before its first POST still writes its report, JUnit and --json", () => {
  const cases: [string, number, string, RegExp, (w: Workspace) => NodeJS.ProcessEnv][] = [
    [
      "401 on the first GET (a refused token)",
      4,
      "AUTH",
      /401/,
      (w) => ({ ...w.env, DOMO_DEVELOPER_TOKEN: testToken() }),
    ],
    [
      "503 on every GET, after the retries",
      1,
      "API",
      /503/,
      (w) => {
        w.sim.sim.update({ mode: "maintenance" satisfies SimMode });
        return w.env;
      },
    ],
    [
      "303 to the IP allow-list page",
      1,
      "SETUP",
      /303|allow-list|whitelist/i,
      (w) => {
        w.sim.sim.update({ mode: "ip-blocked" satisfies SimMode });
        return w.env;
      },
    ],
  ];

  it.each(cases)("%s: exit %i (%s), every entry not attempted", async (_name, exit, code, says, setUp) => {
    ws = await makeWorkspace({ count: 7, seed: 51 });
    const w = ws;
    const summary = path.join(w.dir, "step-summary.md");
    const env = { ...setUp(w), GITHUB_STEP_SUMMARY: summary };
    const result = await runCli(["migrate", w.manifest, "--retries", "1", ...outputArgs(w)], env);
    expect(result.code).toBe(exit);
    expect(posts(w)).toBe(0);
    const report = outputsOf(w, result);
    expect(report.error).toMatchObject({ code });
    expect(report.error?.message).toMatch(says);
    expect(report.items.map((i) => i.datasource).sort()).toEqual(
      w.fixture.datasources.map((d) => d.id).sort(),
    );
    for (const item of report.items) {
      expect(item).toMatchObject({ outcome: "not-started", attempts: 0, action: "none" });
      expect(item.reason).toMatch(new RegExp(`^not attempted: the run stopped first \\(${code}: `));
    }
    expect(report.counts["not-started"]).toBe(7);
    // The run is in the journal as failed, and the error is said on stderr too.
    expect(report.runId).toMatch(/^r-/);
    expect(runStatus(w, report.runId as string)).toBe("FAILED");
    expect(stderrError(result)).toMatchObject({ code });
    // The CI step summary says why, under the run's heading.
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toContain(`# fedmigrate migrate run ${report.runId}: FAILED`);
    expect(markdown).toContain(`> **Stopped (${code}):**`);
  });

  it("without --json: one line on stdout, the error on stderr, the files written alike", async () => {
    ws = await makeWorkspace({ count: 5, seed: 52 });
    const w = ws;
    const result = await runCli(["migrate", w.manifest, "--report", path.join(w.dir, "report.json")], {
      ...w.env,
      DOMO_DEVELOPER_TOKEN: testToken(),
    });
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/did not start: nothing was sent, 5 entries not attempted \(exit 4\)/);
    expect(stderrError(result)?.code).toBe("AUTH");
    const report = JSON.parse(readFileSync(path.join(w.dir, "report.json"), "utf8")) as Report;
    expect(report).toMatchObject({ success: false, exitCode: 4, error: { code: "AUTH" } });
    expect(report.items).toHaveLength(5);
  });

  it("the journal locked by another run: exit 3, the report names the holder, nothing attempted", async () => {
    ws = await makeWorkspace({ count: 6, seed: 53 });
    const w = ws;
    // The first run holds the lock while its first GET is held at the simulator.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      const stop = w.sim.sim.onRequestStart(() => {
        stop();
        resolve();
      });
    });
    release = w.sim.sim.hold();
    const first = spawnCli(["migrate", w.manifest], w.env);
    await held;
    try {
      const summary = path.join(w.dir, "step-summary.md");
      const second = await runCli(["migrate", w.manifest, ...outputArgs(w)], {
        ...w.env,
        GITHUB_STEP_SUMMARY: summary,
      });
      expect(second.code).toBe(3);
      // A run that could not start has a step summary too: why, and its entries, none sent.
      const markdown = readFileSync(summary, "utf8");
      expect(markdown).toContain("did not start");
      expect(markdown).toContain("> **Stopped (JOURNAL\\_LOCKED):**");
      expect(markdown).toContain("## Not sent (6: 6 not-started)");
      const report = outputsOf(w, second);
      expect(report.error?.code).toBe("JOURNAL_LOCKED");
      expect(report.error?.message).toContain(String(first.child.pid));
      expect(report.runId).toBeNull();
      expect(report.items).toHaveLength(6);
      expect(report.items.every((i) => i.outcome === "not-started")).toBe(true);
    } finally {
      release();
    }
    expect((await first.done).code).toBe(0);
  });

  it("interrupted (SIGINT) mid-run: exit 130, what ran is recorded, the rest not started", async () => {
    ws = await makeWorkspace({ count: 24, seed: 54, latencyMs: 30 });
    const w = ws;
    const { child, done } = spawnCli(["migrate", w.manifest, "--concurrency", "2", ...outputArgs(w)], w.env);
    await w.sim.waitFor((s) => s.migrations >= 2 && s.inFlight >= 1);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(130);
    const report = outputsOf(w, result);
    expect(report).toMatchObject({ stopReason: "interrupted", error: { code: "INTERRUPTED" } });
    expect(report.items).toHaveLength(24);
    const complete = report.items.filter((i) => i.outcome === "complete");
    const notStarted = report.items.filter((i) => i.outcome === "not-started");
    expect(complete.length).toBeGreaterThanOrEqual(2);
    expect(notStarted.length).toBeGreaterThan(0);
    expect(complete.length + notStarted.length).toBe(24);
    for (const item of notStarted) expect(item.reason).toBe("not started: the run was interrupted");
    expect(w.attempts().filter((row) => row.state === "IN_FLIGHT")).toEqual([]);
  });
});

describe("migrate stopped by a refused token after some POSTs", () => {
  it("401 on the third POST: exit 4, the report says why, the rest not started", async () => {
    ws = await makeWorkspace({ count: 6, seed: 56 });
    const w = ws;
    // The token is revoked in the middle of the run: from the third POST on, 401.
    let postsSeen = 0;
    const proxy = await startRewriteProxy(
      w.sim.url,
      () => false,
      (method) =>
        method === "POST" && ++postsSeen >= 3
          ? { status: 401, contentType: "text/plain", body: "Unauthorized" }
          : undefined,
    );
    try {
      const env = { ...w.env, DOMO_DOMAIN: proxy.url };
      const result = await runCli(["migrate", w.manifest, "--concurrency", "1", ...outputArgs(w)], env);
      expect(result.code).toBe(4);
      expect(posts(w)).toBe(2);
      const report = outputsOf(w, result);
      expect(report.stopReason).toBe("auth");
      expect(report.error?.code).toBe("AUTH");
      expect(report.error?.message).toMatch(/^Domo refused the token: no new requests were sent \(.*401/);
      const outcomes = report.items.map((i) => i.outcome);
      expect(outcomes.filter((o) => o === "complete")).toHaveLength(2);
      expect(outcomes.filter((o) => o === "failed")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "not-started")).toHaveLength(3);
      expect(stderrError(result)?.code).toBe("AUTH");
    } finally {
      await proxy.close();
    }
  });
});

describe("rollback stopped before its first POST still writes its report", () => {
  it("401 on the first GET: exit 4, every migration in scope listed, not attempted", async () => {
    ws = await makeWorkspace({ count: 5, seed: 55 });
    const w = ws;
    expect((await runCli(["migrate", w.manifest], w.env)).code).toBe(0);
    const result = await runCli(["rollback", "--all", "--retries", "1", ...outputArgs(w)], {
      ...w.env,
      DOMO_DEVELOPER_TOKEN: testToken(),
    });
    expect(result.code).toBe(4);
    expect(w.sim.requestLog().filter((e) => e.route === "reverse")).toEqual([]);
    const report = outputsOf(w, result);
    expect(report.error?.code).toBe("AUTH");
    expect(report.items.map((i) => i.datasource).sort()).toEqual(
      w.fixture.datasources.map((d) => d.id).sort(),
    );
    for (const item of report.items) {
      expect(item).toMatchObject({ outcome: "not-started", action: "reverse", attempts: 0 });
      expect(item.reason).toMatch(/^not attempted: the run stopped first \(AUTH: /);
    }
  });
});
