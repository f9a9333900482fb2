import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { DOMParser } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import * as xpathLib from "xpath";
import { main } from "../../src/cli/main.js";
import { renderJunit } from "../../src/report/render-junit.js";
import { countOutcomes, type RunReport } from "../../src/report/run-report.js";
import type { ItemOutcome } from "../../src/run/types.js";
import { fixtureManifest } from "../../src/sim/fixture-manifest.js";
import { generateFixture } from "../../src/sim/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";

/**
 * `--junit FILE` against the schemas CI plugins validate JUnit reports with, checked with libxml2
 * compiled to WebAssembly (xmllint-wasm: no system package needed), and its content read back
 * with XPath (xmldom + xpath). The schemas, in test/fixtures/ with their origin in a comment:
 * - junit.xsd: the Ant/Surefire shape GitLab, Azure Pipelines and the GitHub actions read;
 * - jenkins-xunit-junit-10.xsd: Jenkins' xunit plugin (it rejects `skipped` on <testsuites>);
 * - surefire-test-report-3.0.xsd and surefire-test-report.xsd: Maven Surefire's, current and
 *   earlier (a single <testsuite>, no `timestamp`, `type` on each failure).
 */
const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
const SCHEMAS = {
  "Ant/Surefire (junit.xsd)": "junit.xsd",
  "Jenkins xunit junit-10.xsd": "jenkins-xunit-junit-10.xsd",
  "Maven Surefire 3.0": "surefire-test-report-3.0.xsd",
  "Maven Surefire (earlier)": "surefire-test-report.xsd",
} as const;
type SchemaName = keyof typeof SCHEMAS;
const SCHEMA_NAMES = Object.keys(SCHEMAS) as SchemaName[];

async function validate(xml: string, schema: SchemaName = "Ant/Surefire (junit.xsd)") {
  const file = SCHEMAS[schema];
  const result = await validateXML({
    xml: { fileName: "report.xml", contents: xml },
    schema: { fileName: file, contents: readFileSync(path.join(FIXTURES, file), "utf8") },
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message).join("\n") };
}

/** Parses strictly: any error or warning from the parser fails the test. */
function parse(xml: string): Document {
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      throw new Error(`the JUnit file does not parse (${level}): ${message}`);
    },
  });
  return parser.parseFromString(xml, "text/xml") as unknown as Document;
}

/** The string value of an XPath expression. */
function xpath(xml: string, expression: string): string {
  return String(xpathLib.select(`string(${expression})`, parse(xml) as unknown as Node));
}

function count(xml: string, expression: string): number {
  return Number(xpathLib.select(`count(${expression})`, parse(xml) as unknown as Node));
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

describe("the JUnit schemas themselves", () => {
  // A validator that accepts anything proves nothing: these must be refused.
  it.each<[string, SchemaName, string]>([
    [
      "a test case without a name",
      "Ant/Surefire (junit.xsd)",
      '<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>',
    ],
    [
      "a suite without counts",
      "Ant/Surefire (junit.xsd)",
      '<testsuites><testsuite name="s"><testcase name="t"/></testsuite></testsuites>',
    ],
    [
      "a time that is not seconds",
      "Ant/Surefire (junit.xsd)",
      '<testsuite name="s" tests="1" failures="0" errors="0" time="1e3"><testcase name="t"/></testsuite>',
    ],
    [
      "an unknown element",
      "Ant/Surefire (junit.xsd)",
      '<testsuite name="s" tests="1" failures="0" errors="0"><testcase name="t"><oops/></testcase></testsuite>',
    ],
    [
      "`skipped` on <testsuites> (what fedmigrate wrote before)",
      "Jenkins xunit junit-10.xsd",
      '<testsuites tests="1" failures="0" errors="0" skipped="0"><testsuite name="s" tests="1"><testcase name="t"/></testsuite></testsuites>',
    ],
    [
      "`timestamp` on the suite",
      "Maven Surefire 3.0",
      '<testsuite name="s" tests="1" failures="0" errors="0" skipped="0" timestamp="2026-11-28T01:35:00"><testcase name="t" time="0.1"/></testsuite>',
    ],
    [
      "a failure without a type",
      "Maven Surefire 3.0",
      '<testsuite name="s" tests="1" failures="1" errors="0" skipped="0"><testcase name="t" time="0.1"><failure message="m"/></testcase></testsuite>',
    ],
  ])("rejects %s (%s)", async (_name, schema, xml) => {
    expect((await validate(xml, schema)).valid).toBe(false);
  });

  it.each(SCHEMA_NAMES)("%s accepts the common shape fedmigrate writes", async (schema) => {
    const xml =
      '<testsuite name="s" tests="2" failures="1" errors="0" skipped="0" time="0.250"><properties><property name="k" value="v"/></properties><testcase name="a" classname="c" time="0.100"/><testcase name="b" classname="c" time="0.150"><failure message="m" type="T">details</failure><system-out>out</system-out></testcase></testsuite>';
    expect(await validate(xml, schema)).toEqual({ valid: true, errors: "" });
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
    resolvedBy: null,
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
      // As the executor words it: the reason quotes the errorMessage.
      reason: "migration ABORTED: table orders not found in ANALYTICS.PUBLIC (names are case-sensitive)",
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
  const file = renderJunit(report(items));

  it.each(SCHEMA_NAMES)("validates against %s", async (schema) => {
    expect(await validate(file, schema)).toEqual({ valid: true, errors: "" });
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
    // Once: the reason ("migration ABORTED: …") already quotes it.
    expect(shown.split(message.split("\n")[0] as string)).toHaveLength(2);
    const details = xpath(file, `${testcase}/system-out`);
    expect(details).toContain(`state: ${state}`);
    expect(details).toContain(`toe: ${toe}`);
    expect(details).toContain(`errorMessage: ${message}`);
  });

  it("says why a skipped or held entry was skipped", () => {
    expect(xpath(file, "//testcase[@name='ds-skipped']/skipped/@message")).toBe(
      "skipped: already migrated (COMPLETE)",
    );
    expect(xpath(file, "//testcase[@name='ds-held']/skipped/@message")).toBe("held: rolled back; held");
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

  it("carries the error that stopped the run as properties, still valid", async () => {
    const error = {
      code: "JOURNAL",
      message: "The disk holding the journal <x> is full.",
      hint: "Free some space.",
    };
    const stopped = renderJunit({ ...report(items), error });
    for (const schema of SCHEMA_NAMES) expect((await validate(stopped, schema)).valid).toBe(true);
    expect(xpath(stopped, "//property[@name='errorCode']/@value")).toBe("JOURNAL");
    expect(xpath(stopped, "//property[@name='errorMessage']/@value")).toBe(error.message);
    expect(xpath(stopped, "//property[@name='errorHint']/@value")).toBe(error.hint);
  });
});

describe("renderJunit with hostile text (issue 15)", () => {
  // What a server may echo back, and what a manifest may name: a CDATA end, markup that would
  // add a test case, terminal escapes, a character XML cannot hold.
  const breakout = ']]></failure></testcase><testcase name="planted"><failure message="x" type="T"/>';
  const hostile = [
    item({
      datasource: "ds-cdata",
      outcome: "aborted",
      state: "ABORTED",
      toe: `TOE-]]>-\x1b]8;;https://evil.example\x1b\\`,
      errorMessage: `boom ${breakout} \x1b[2J\u202e done \ud800`,
      reason: `Domo aborted the migration: boom ${breakout}`,
      table: `ORDERS]]><testcase name="planted-too"/>`,
      attempts: 1,
    }),
    item({
      datasource: "ds-skip",
      outcome: "skipped",
      action: "skip",
      reason: `already migrated ]]> <x/>`,
      name: "a\x00b\x07c",
    }),
  ];
  const xml = renderJunit({
    ...report(hostile),
    error: { code: "API", message: `stop ]]> ${breakout}`, hint: null },
  });

  it("has no CDATA section, and parses", () => {
    expect(xml).not.toContain("<![CDATA[");
    expect(() => parse(xml)).not.toThrow();
  });

  it.each(SCHEMA_NAMES)("still validates against %s", async (schema) => {
    expect(await validate(xml, schema)).toEqual({ valid: true, errors: "" });
  });

  it("gains no element: one test case per entry, one failure", () => {
    expect(count(xml, "//testcase")).toBe(2);
    expect(count(xml, "//failure")).toBe(1);
    expect(count(xml, "//testcase[@name='planted' or @name='planted-too']")).toBe(0);
  });

  it("keeps the hostile text as text, with control characters shown as escapes", () => {
    const failure = xpath(xml, "//testcase[@name='ds-cdata']/failure");
    expect(failure).toContain(`errorMessage: boom ${breakout} \\x1b[2J\\u202e done`);
    expect(failure).toContain("target: ANALYTICS.PUBLIC.ORDERS]]><testcase");
    expect(xpath(xml, "//testcase[@name='ds-cdata']/failure/@message")).toContain("toe TOE-]]>-\\x1b]8;;");
    expect(xpath(xml, "//property[@name='errorMessage']/@value")).toBe(`stop ]]> ${breakout}`);
    expect(xpath(xml, "//testcase[starts-with(@name, 'ds-skip')]/@name")).toBe("ds-skip (a\\x00b\\x07c)");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: none may be left.
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]/);
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

    const xml = readFileSync(junit, "utf8");
    for (const schema of SCHEMA_NAMES)
      expect(await validate(xml, schema)).toEqual({ valid: true, errors: "" });
    expect(count(xml, "//testcase")).toBe(6);
    expect(count(xml, "//testcase[failure]")).toBe(2);
    for (const failed of run.items.filter((i) => i.outcome !== "complete")) {
      const testcase = `//testcase[starts-with(@name, '${failed.datasource}')]`;
      expect(xpath(xml, `${testcase}/failure/@type`)).toBe(failed.state);
      const details = xpath(xml, `${testcase}/system-out`);
      expect(failed.toe).toBeTruthy();
      expect(details).toContain(`toe: ${failed.toe}`);
      expect(details).toContain(`errorMessage: ${failed.errorMessage}`);
    }
    // The token never reaches a report.
    expect(readFileSync(junit, "utf8")).not.toContain(sim.token);
  });
});
