import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { renderJunit } from "../../src/report/render-junit.js";
import { countOutcomes, type RunReport } from "../../src/report/run-report.js";
import type { ItemOutcome } from "../../src/run/types.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";

/**
 * `--junit FILE` against the JUnit XML schema CI servers read (test/fixtures/junit.xsd, checked
 * with libxml2's xmllint: `apt-get install libxml2-utils`), and its content read back with XPath.
 */

const XSD = path.resolve(import.meta.dirname, "../fixtures/junit.xsd");

function xmllint(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("xmllint", args, { encoding: "utf8" });
  if (result.error) {
    throw new Error(
      `xmllint is needed for this test (Debian: apt-get install libxml2-utils): ${result.error.message}`,
    );
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit 3 is xmllint's "does not validate"; anything else but 0 (a schema that does not compile,
 * a document that is not XML) is a broken test, not an invalid report. */
function validate(file: string): { valid: boolean; errors: string } {
  const result = xmllint(["--noout", "--schema", XSD, file]);
  if (result.code !== 0 && result.code !== 3)
    throw new Error(`xmllint exited ${result.code}: ${result.stderr}`);
  return { valid: result.code === 0, errors: result.stderr };
}

/** The string value of an XPath expression over `file`. */
function xpath(file: string, expression: string): string {
  // xmllint ends what it prints with a newline of its own.
  return xmllint(["--xpath", `string(${expression})`, file]).stdout.replace(/\n$/, "");
}

function count(file: string, expression: string): number {
  return Number(xmllint(["--xpath", `count(${expression})`, file]).stdout);
}

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-junit-"));
});
afterAll(() => {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
});

describe("the JUnit schema itself", () => {
  // A validator that accepts anything proves nothing: these must be refused.
  it.each([
    [
      "a test case without a name",
      '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>',
    ],
    [
      "a suite without counts",
      '<testsuites><testsuite name="s"><testcase name="t"/></testsuite></testsuites>',
    ],
    [
      "a time that is not seconds",
      '<testsuite name="s" tests="1" failures="0" errors="0" time="1e3"><testcase name="t"/></testsuite>',
    ],
    [
      "an unknown element",
      '<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="t"><oops/></testcase></testsuite>',
    ],
  ])("rejects %s", (_name, xml) => {
    const file = path.join(dir, "bad.xml");
    writeFileSync(file, xml);
    expect(validate(file).valid).toBe(false);
  });

  it("accepts the Ant/Surefire shape", () => {
    const file = path.join(dir, "good.xml");
    writeFileSync(
      file,
      '<testsuites><testsuite name="s" tests="2" failures="1" errors="0" skipped="0" time="0.25" timestamp="2026-11-28T01:35:00"><properties><property name="k" value="v"/></properties><testcase classname="c" name="a" time="0.1"/><testcase classname="c" name="b" time="0.15"><failure message="m" type="T">details</failure><system-out>out</system-out></testcase></testsuite></testsuites>',
    );
    expect(validate(file)).toEqual({ valid: true, errors: expect.any(String) });
  });
});

function item(overrides: Partial<ItemOutcome> & Pick<ItemOutcome, "datasource" | "outcome">): ItemOutcome {
  return {
    name: null,
    account: "12",
    direction: "V1_TO_V2",
    catalog: "ANALYTICS",
    schema: "PUBLIC",
    table: "ORDERS",
    action: "migrate",
    reason: "never attempted",
    state: null,
    toe: null,
    errorMessage: null,
    httpStatus: null,
    attempts: 0,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    ...overrides,
  };
}

function report(items: ItemOutcome[]): RunReport {
  const counts = countOutcomes(items);
  return {
    reportVersion: 1,
    success: false,
    command: "migrate",
    dryRun: false,
    runId: "r-20261128T013500Z-3f9a1c",
    domain: "acme.domo.com",
    startedAt: "2026-11-28T01:35:00.000Z",
    endedAt: "2026-11-28T01:36:02.500Z",
    durationMs: 62_500,
    manifestsHash: "ab".repeat(32),
    stopReason: null,
    exitCode: 1,
    counts,
    items,
  };
}

describe("renderJunit", () => {
  const items: ItemOutcome[] = [
    item({
      datasource: "ds-complete",
      name: "Orders",
      outcome: "complete",
      state: "COMPLETE",
      toe: "TOE-1",
      attempts: 1,
      durationMs: 2100,
    }),
    item({
      datasource: "ds-aborted",
      name: 'Sales <Q1> & "Q2"',
      outcome: "aborted",
      state: "ABORTED",
      toe: "TOE-2",
      errorMessage: "table orders not found in ANALYTICS.PUBLIC (names are case-sensitive)",
      reason: "Domo aborted the migration",
      attempts: 1,
      durationMs: 800,
    }),
    item({
      datasource: "ds-incomplete",
      outcome: "incomplete",
      state: "INCOMPLETE",
      toe: "TOE-3",
      errorMessage: "query failed after the switch\nline two",
      attempts: 2,
      durationMs: 4000,
    }),
    item({
      datasource: "ds-failed",
      outcome: "failed",
      state: "FAILED",
      httpStatus: 503,
      errorMessage: "HTTP 503: Service Unavailable",
      attempts: 6,
    }),
    item({
      datasource: "ds-blocked",
      outcome: "blocked",
      action: "blocked",
      reason: "account 99 is unknown to the server",
    }),
    item({
      datasource: "ds-skipped",
      outcome: "skipped",
      action: "skip",
      reason: "already migrated (COMPLETE)",
    }),
    item({ datasource: "ds-held", outcome: "held", action: "held", reason: "rolled back; held" }),
    item({ datasource: "ds-not-started", outcome: "not-started", reason: "the run stopped before it" }),
  ];
  let file: string;
  beforeAll(() => {
    file = path.join(dir, "render.xml");
    writeFileSync(file, renderJunit(report(items)));
  });

  it("validates against the JUnit schema", () => {
    const result = validate(file);
    expect(result.errors).not.toMatch(/error/i);
    expect(result.valid).toBe(true);
  });

  it("has one test case per entry, and counts that match", () => {
    expect(count(file, "//testcase")).toBe(items.length);
    expect(xpath(file, "//testsuite/@tests")).toBe(String(items.length));
    expect(Number(xpath(file, "//testsuite/@failures"))).toBe(5);
    expect(Number(xpath(file, "//testsuite/@skipped"))).toBe(2);
    expect(count(file, "//testcase[failure]")).toBe(5);
    expect(count(file, "//testcase[skipped]")).toBe(2);
  });

  it.each([
    [
      "ds-aborted",
      "ABORTED",
      "TOE-2",
      "table orders not found in ANALYTICS.PUBLIC (names are case-sensitive)",
    ],
    ["ds-incomplete", "INCOMPLETE", "TOE-3", "query failed after the switch\nline two"],
    ["ds-failed", "FAILED", "-", "HTTP 503: Service Unavailable"],
  ])("a failed %s carries its state, toe and errorMessage", (id, state, toe, message) => {
    const testcase = `//testcase[starts-with(@name, '${id}')]`;
    expect(xpath(file, `${testcase}/failure/@type`)).toBe(state);
    // Some CI servers (Jenkins' test list, GitLab's) show only the message attribute: it must
    // carry what Domo support asks for, on one line.
    const shown = xpath(file, `${testcase}/failure/@message`);
    if (toe !== "-") expect(shown).toContain(`toe ${toe}`);
    expect(shown).toContain(message.split("\n")[0]);
    expect(shown).not.toContain("\n");
    expect(xpath(file, `${testcase}/failure`)).toContain(`errorMessage: ${message}`);
    const details = xpath(file, `${testcase}/system-out`);
    expect(details).toContain(`state: ${state}`);
    expect(details).toContain(`toe: ${toe}`);
    expect(details).toContain(`errorMessage: ${message}`);
  });

  it("keeps markup in names as text", () => {
    expect(xpath(file, "//testcase[starts-with(@name, 'ds-aborted')]/@name")).toBe(
      'ds-aborted (Sales <Q1> & "Q2")',
    );
  });

  it("records a blocked entry as a failure with its reason, and the run's id as a property", () => {
    expect(xpath(file, "//testcase[@name='ds-blocked']/failure/@message")).toContain("account 99 is unknown");
    expect(xpath(file, "//property[@name='runId']/@value")).toBe("r-20261128T013500Z-3f9a1c");
    expect(count(file, "//property[@name='errorCode']")).toBe(0);
  });

  it("carries the error that stopped the run as properties, still valid", () => {
    const stopped = path.join(dir, "stopped.xml");
    const error = {
      code: "JOURNAL",
      message: "The disk holding the journal <x> is full.",
      hint: "Free some space.",
    };
    writeFileSync(stopped, renderJunit({ ...report(items), error }));
    expect(validate(stopped).valid).toBe(true);
    expect(xpath(stopped, "//property[@name='errorCode']/@value")).toBe("JOURNAL");
    expect(xpath(stopped, "//property[@name='errorMessage']/@value")).toBe(error.message);
    expect(xpath(stopped, "//property[@name='errorHint']/@value")).toBe(error.hint);
  });
});

describe("fedmigrate migrate --junit FILE", () => {
  let sim: TestSimulator;
  beforeAll(async () => {
    const fixture = generateFixture({ count: 6, seed: 11 });
    const [first, second] = fixture.datasources;
    if (!first || !second) throw new Error("fixture too small");
    first.fault = "aborted";
    second.fault = "incomplete-always";
    sim = await startTestSimulator(fixture);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("writes a valid report of a failed run, its failures with state, toe and errorMessage", async () => {
    const manifest = path.join(dir, "migrations.yaml");
    writeFileSync(manifest, fixtureManifest(sim.sim.fixture()));
    const junit = path.join(dir, "junit.xml");
    const stdout = new Capture();
    const code = await main(["migrate", manifest, "--junit", junit, "--json", "--log-level", "silent"], {
      stdout,
      stderr: new Capture(),
      env: {
        DOMO_DOMAIN: sim.url,
        DOMO_DEVELOPER_TOKEN: sim.token,
        FEDMIGRATE_JOURNAL: path.join(dir, "run.db"),
        FEDMIGRATE_RETRY_MIN_MS: "0",
        CI: "true",
      },
      cwd: dir,
    });
    expect(code).toBe(1);
    const run = JSON.parse(stdout.text) as RunReport;

    expect(validate(junit).valid).toBe(true);
    expect(count(junit, "//testcase")).toBe(6);
    expect(count(junit, "//testcase[failure]")).toBe(2);
    for (const failed of run.items.filter((i) => i.outcome !== "complete")) {
      const testcase = `//testcase[starts-with(@name, '${failed.datasource}')]`;
      expect(xpath(junit, `${testcase}/failure/@type`)).toBe(failed.state);
      const details = xpath(junit, `${testcase}/system-out`);
      expect(failed.toe).toBeTruthy();
      expect(details).toContain(`toe: ${failed.toe}`);
      expect(details).toContain(`errorMessage: ${failed.errorMessage}`);
    }
    // The token never reaches a report.
    expect(readFileSync(junit, "utf8")).not.toContain(sim.token);
  });
});
