import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureInput } from "../../src/sim/fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";

const run = promisify(execFile);

/**
 * The sample cURL commands of Domo's "Federated V1 to V2 Migration APIs" page, header for
 * header, with https://{domo-domain} swapped for the simulator and the token for the fixture's.
 */
const BROWSER_HEADERS = [
  "-H",
  "accept: application/json,*/*;q=0.8",
  "-H",
  "accept-language: en-US,en;q=0.9",
  "-H",
  "cache-control: max-age=0",
];

const DS1 = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";
const DS2 = "F495e28ec-6c07-41fc-99ed-b2dce9a5f569";

/** The instance the documentation's response samples describe. */
const DOCUMENTED: FixtureInput = {
  token: "doc-sample-token",
  seed: 1,
  accounts: [
    { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
    { id: "1", type: "mysql-federated", name: "mysql v2" },
    { id: "12", type: "snowflake-federated", name: "snowflake v2" },
  ],
  datasources: [
    {
      id: DS1,
      name: "MySQL Table 1",
      type: "mysql-federated",
      catalog: "MyCatalogName",
      schema: "MySchemaName",
      table: "MyTableName",
    },
    {
      id: DS2,
      name: "MySQL Table 2",
      type: "mysql-federated",
      catalog: "sales_db",
      schema: "NULL",
      table: "customers",
    },
  ],
};

const TOE = /^[0-9A-Z]{10}-[0-9A-Z]{5}-[0-9A-Z]{5}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(DOCUMENTED);
});
afterAll(async () => {
  await sim.close();
});

/** Runs curl; returns the status, the content type and the parsed body. */
async function curl(args: string[]): Promise<{ status: number; type: string; body: unknown }> {
  const { stdout } = await run("curl", ["-sS", ...args, "-w", "\n%{http_code} %{content_type}"]);
  const newline = stdout.lastIndexOf("\n");
  const [status, type] = stdout.slice(newline + 1).split(" ");
  return { status: Number(status), type: type ?? "", body: JSON.parse(stdout.slice(0, newline)) };
}

function base(): string {
  return `${sim.url}/api/query/migration/federated/v1/to/v2`;
}

describe("the documentation's sample cURL commands", () => {
  it("List Federated Integration Types", async () => {
    const res = await curl([
      `${base()}/types`,
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
    ]);
    expect(res).toEqual({
      status: 200,
      type: expect.stringMatching(/^application\/json/),
      body: ["mysql-federated", "snowflake-federated"],
    });
  });

  it("List Federated V2 Accounts by Integration Type", async () => {
    const res = await curl([
      `${base()}/accounts/mysql-federated`,
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
      { id: "1", type: "mysql-federated", name: "mysql v2" },
    ]);
  });

  it("List Federated V1 Migration Candidate Datasources by Account", async () => {
    const res = await curl([
      `${base()}/candidates/2`,
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: DS1, name: "MySQL Table 1", migrated: false, migrationDate: null },
      { id: DS2, name: "MySQL Table 2", migrated: false, migrationDate: null },
    ]);
  });

  it("Migrate Federated V1 Datasource to V2, then Reverse it", async () => {
    const migrated = await curl([
      `${base()}/${DS1}/accounts/2`,
      "-X",
      "POST",
      "-H",
      "content-type: application/json",
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
      "-d",
      '{"catalog":"MyCatalogName","schema":"MySchemaName","table":"MyTableName"}',
    ]);
    expect(migrated.status).toBe(200);
    expect(migrated.body).toEqual({
      toe: expect.stringMatching(TOE),
      datasourceId: DS1,
      direction: "V1_TO_V2",
      startTime: expect.stringMatching(TIME),
      state: "COMPLETE",
      errorMessage: null,
      endTime: expect.stringMatching(TIME),
    });
    const candidates = await curl([
      `${base()}/candidates/1`,
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
    ]);
    expect(candidates.body).toContainEqual({
      id: DS1,
      name: "MySQL Table 1",
      migrated: true,
      migrationDate: expect.stringMatching(TIME),
    });

    const reversed = await curl([
      `${base()}/${DS1}/reverse`,
      "-X",
      "POST",
      "-H",
      "content-type: application/json",
      ...BROWSER_HEADERS,
      "-H",
      `X-DOMO-Developer-Token: ${sim.token}`,
    ]);
    expect(reversed.status).toBe(200);
    expect(reversed.body).toEqual({
      toe: expect.stringMatching(TOE),
      datasourceId: DS1,
      direction: "V2_TO_V1",
      startTime: expect.stringMatching(TIME),
      state: "COMPLETE",
      errorMessage: null,
      endTime: expect.stringMatching(TIME),
    });
    expect((reversed.body as { toe: string }).toe).not.toBe((migrated.body as { toe: string }).toe);
  });
});
