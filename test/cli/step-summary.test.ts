import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/context.js";
import { main } from "../../src/cli/main.js";
import { appendStepSummary, renderNotSent } from "../../src/cli/step-summary.js";
import type { RunReport } from "../../src/report/run-report.js";
import type { ItemOutcome } from "../../src/run/types.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function io(env: NodeJS.ProcessEnv, cwd: string): CliIo & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), env, cwd };
}

let dir: string;
let sim: TestSimulator | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-summary-"));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A real failed run, in process: 4 datasources, one answered ABORTED, plus a manifest entry that
 * is not a candidate of its account (blocked, so never sent).
 */
async function failedRun(
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ report: RunReport; journal: string; aborted: string; ghost: string }> {
  const fixture = generateFixture({ count: 4, seed: 7 });
  const aborted = fixture.datasources[1];
  if (!aborted) throw new Error("fixture too small");
  aborted.fault = "aborted";
  sim = await startTestSimulator(fixture);
  const ghost = "00000000-ghost-0000-0000-000000000000";
  const account = fixture.accounts[0]?.id ?? "10";
  const manifest = path.join(dir, "migrations.yaml");
  writeFileSync(
    manifest,
    `${fixtureManifest(sim.sim.fixture())}  - datasource: "${ghost}"\n    name: "Ghost | *not* there"\n    account: "${account}"\n    catalog: C\n    schema: S\n    table: T\n`,
  );
  const journal = path.join(dir, "fedmigrate.db");
  const env = {
    DOMO_DOMAIN: sim.url,
    DOMO_DEVELOPER_TOKEN: sim.token,
    FEDMIGRATE_JOURNAL: journal,
    FEDMIGRATE_RETRY_MIN_MS: "0",
    CI: "true",
    ...extraEnv,
  };
  const cli = io(env, dir);
  const code = await main(["migrate", manifest, "--json", "--log-level", "silent"], cli);
  expect(code).toBe(1);
  return { report: JSON.parse(cli.stdout.text) as RunReport, journal, aborted: aborted.id, ghost };
}

describe("fedmigrate migrate in GitHub Actions", () => {
  it("appends the run's summary to GITHUB_STEP_SUMMARY by itself", async () => {
    const summary = path.join(dir, "step_summary.md");
    writeFileSync(summary, "");
    const run = await failedRun({ GITHUB_STEP_SUMMARY: summary });
    const text = readFileSync(summary, "utf8");
    expect(text).toContain(`# fedmigrate migrate run ${run.report.runId}: FAILED`);
    expect(text).toContain(`| ${run.aborted} |`);
    expect(text).toContain(`| ${run.ghost} |`);
  });
});

describe("appendStepSummary", () => {
  it("appends a failed run's Markdown to GITHUB_STEP_SUMMARY: failures with toe, then what was not sent", async () => {
    const run = await failedRun();
    const summary = path.join(dir, "step_summary.md");
    writeFileSync(summary, "## An earlier step\n");

    const written = await appendStepSummary({
      report: run.report,
      journalPath: run.journal,
      io: io({ GITHUB_STEP_SUMMARY: summary }, dir),
    });

    expect(written).toBe(summary);
    const text = readFileSync(summary, "utf8");
    // Appended, not overwritten: other steps write to the same file.
    expect(text.startsWith("## An earlier step\n\n# fedmigrate migrate run ")).toBe(true);
    expect(text).toContain(`run ${run.report.runId}`);

    const failure = run.report.items.find((i) => i.datasource === run.aborted);
    expect(failure?.toe).toBeTruthy();
    expect(failure?.errorMessage).toBeTruthy();
    const failureRow = text.split("\n").find((line) => line.startsWith(`| ${run.aborted} |`));
    expect(failureRow).toContain("| ABORTED |");
    expect(failureRow).toContain(failure?.toe as string);
    expect(text).toMatch(/\| ABORTED \| 1 \|/);
    expect(text).toMatch(/\| COMPLETE \| 3 \|/);

    // The blocked entry is in no journal row: the summary lists it, its name escaped for a table.
    expect(text).toContain("## Not sent (1: 1 blocked)");
    const ghostRow = text.split("\n").find((line) => line.startsWith(`| ${run.ghost} |`));
    expect(ghostRow).toContain("Ghost \\| \\*not\\* there");
    expect(ghostRow).toContain("| blocked |");
  });

  it("writes nothing outside GitHub Actions, or for a dry run", async () => {
    const run = await failedRun();
    expect(
      await appendStepSummary({ report: run.report, journalPath: run.journal, io: io({}, dir) }),
    ).toBeNull();

    const summary = path.join(dir, "step_summary.md");
    writeFileSync(summary, "");
    const dry = { ...run.report, runId: null, dryRun: true };
    const written = await appendStepSummary({
      report: dry,
      journalPath: run.journal,
      io: io({ GITHUB_STEP_SUMMARY: summary }, dir),
    });
    expect(written).toBeNull();
    expect(readFileSync(summary, "utf8")).toBe("");
  });

  it("says why a run stopped, and writes a summary even for a run that could not start", async () => {
    const run = await failedRun();
    const summary = path.join(dir, "step_summary.md");
    writeFileSync(summary, "");
    const error = {
      code: "JOURNAL",
      message: "The disk holding the journal is full.",
      hint: "Free | some *space*.",
    };
    // Stopped mid-run: the journal's Markdown, with the reason under its heading.
    await appendStepSummary({
      report: { ...run.report, error },
      journalPath: run.journal,
      io: io({ GITHUB_STEP_SUMMARY: summary }, dir),
    });
    const midRun = readFileSync(summary, "utf8").split("\n");
    expect(midRun[1]).toBe(`# fedmigrate migrate run ${run.report.runId}: FAILED`);
    expect(midRun[2]).toBe("");
    expect(midRun[3]).toBe(
      "> **Stopped (JOURNAL):** The disk holding the journal is full. Free \\| some \\*space\\*.",
    );

    // Never started (no run id, the journal never opened): the error and every entry not sent.
    writeFileSync(summary, "");
    const notStarted = run.report.items.map((i) => ({
      ...i,
      outcome: "not-started" as const,
      reason: "not attempted",
    }));
    const written = await appendStepSummary({
      report: { ...run.report, runId: null, error, items: notStarted },
      journalPath: path.join(dir, "no-such-journal.db"),
      io: io({ GITHUB_STEP_SUMMARY: summary }, dir),
    });
    expect(written).toBe(summary);
    const text = readFileSync(summary, "utf8");
    expect(text).toContain(`# fedmigrate migrate on ${run.report.domain}: did not start`);
    expect(text).toContain("> **Stopped (JOURNAL):** The disk holding the journal is full.");
    expect(text).toContain(`## Not sent (${notStarted.length}: ${notStarted.length} not-started)`);
  });

  it("warns and carries on when the summary cannot be written", async () => {
    const run = await failedRun();
    // a directory: appending fails
    const cli = io({ GITHUB_STEP_SUMMARY: dir, FEDMIGRATE_LOG_FORMAT: "json" }, dir);
    const written = await appendStepSummary({ report: run.report, journalPath: run.journal, io: cli });
    expect(written).toBeNull();
    const line = JSON.parse(cli.stderr.text.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "warn", event: "step-summary.failed", runId: run.report.runId });
    expect(String(line.msg)).toContain("GITHUB_STEP_SUMMARY");
  });
});

function item(outcome: ItemOutcome["outcome"], id: string, reason = `because ${id}`): ItemOutcome {
  return {
    datasource: id,
    name: null,
    account: "1",
    direction: "V1_TO_V2",
    catalog: "C",
    schema: "S",
    table: "T",
    action: outcome === "blocked" ? "blocked" : "skip",
    outcome,
    reason,
    state: null,
    toe: null,
    errorMessage: null,
    httpStatus: null,
    attempts: 0,
    resolvedBy: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
  };
}

describe("renderNotSent", () => {
  it("is empty when every entry was sent", () => {
    expect(renderNotSent([item("complete", "a"), item("aborted", "b")])).toBe("");
  });

  it("lists blocked first, then not started, held and skipped", () => {
    const text = renderNotSent([
      item("skipped", "s1"),
      item("held", "h1"),
      item("blocked", "b1"),
      item("complete", "c1"),
      item("not-started", "n1"),
    ]);
    expect(text).toContain("## Not sent (4: 1 blocked, 1 not-started, 1 held, 1 skipped)");
    const order = text
      .split("\n")
      .filter((l) => l.startsWith("| ") && !l.startsWith("| datasource") && !l.startsWith("| ---"))
      .map((l) => l.split(" | ")[0]?.slice(2));
    expect(order).toEqual(["b1", "n1", "h1", "s1"]);
  });

  it("stops at 200 rows and says how many more", () => {
    const many = Array.from({ length: 230 }, (_, n) => item("skipped", `ds-${n}`));
    const text = renderNotSent(many);
    expect(text.split("\n").filter((l) => l.startsWith("| ds-"))).toHaveLength(200);
    expect(text).toContain("…and 30 more");
  });
});
