import { afterEach, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { type GenerateFixtureOptions, generateFixture } from "../helpers/generate-fixture.js";
import { API, callJson, startTestSimulator, type TestSimulator } from "../helpers/sim.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("generateFixture", () => {
  it("makes count datasources over the types, with accountsPerType accounts each", () => {
    const fixture = generateFixture({
      count: 2_000,
      types: ["mysql-federated", "snowflake-federated", "postgres-federated"],
      accountsPerType: 2,
    });
    expect(fixture.datasources).toHaveLength(2_000);
    expect(fixture.accounts.map((a) => [a.id, a.type])).toEqual([
      ["10", "mysql-federated"],
      ["11", "mysql-federated"],
      ["12", "snowflake-federated"],
      ["13", "snowflake-federated"],
      ["14", "postgres-federated"],
      ["15", "postgres-federated"],
    ]);
    expect(new Set(fixture.datasources.map((ds) => ds.id)).size).toBe(2_000);
    expect(fixture.datasources.every((ds) => UUID.test(ds.id))).toBe(true);
    expect(fixture.datasources.filter((ds) => ds.type === "postgres-federated")).toHaveLength(666);
    expect(fixture.datasources[0]).toMatchObject({
      type: "mysql-federated",
      catalog: "sales_db",
      schema: "NULL",
      table: "orders_0001",
    });
    expect(fixture.datasources[1]).toMatchObject({
      type: "snowflake-federated",
      catalog: "ANALYTICS",
      schema: "PUBLIC",
      table: "CUSTOMERS_0002",
    });
    expect(fixture.token).toBe("sim-token");
  });

  it("is deterministic for a seed, and differs between seeds", () => {
    const options: GenerateFixtureOptions = {
      count: 50,
      seed: 3,
      datasourceFaults: { aborted: 0.2 },
      migratedShare: 0.1,
    };
    expect(generateFixture(options)).toEqual(generateFixture(options));
    expect(generateFixture({ ...options, seed: 4 }).datasources[0]?.id).not.toBe(
      generateFixture(options).datasources[0]?.id,
    );
  });

  it("gives about the asked share of datasources each fault, and migrates about migratedShare", () => {
    const fixture = generateFixture({
      count: 2_000,
      datasourceFaults: { "incomplete-once": 0.1, aborted: 0.05, "drop-after-apply-once": 0.05 },
      migratedShare: 0.2,
    });
    const count = (fault: string) => fixture.datasources.filter((ds) => ds.fault === fault).length;
    expect(count("incomplete-once")).toBeGreaterThan(150);
    expect(count("incomplete-once")).toBeLessThan(250);
    expect(count("aborted")).toBeGreaterThan(60);
    expect(count("aborted")).toBeLessThan(140);
    expect(count("incomplete-always")).toBe(0);
    const migrated = fixture.datasources.filter((ds) => ds.migrated);
    expect(migrated.length).toBeGreaterThan(330);
    expect(migrated.length).toBeLessThan(470);
    expect(migrated.every((ds) => ds.migratedAccount !== undefined)).toBe(true);
  });

  it("passes the behaviour options through, checked", () => {
    const fixture = generateFixture({
      count: 1,
      token: "bench",
      latencyMs: 50,
      faults: { rate429: 0.01 },
      rateLimit: { perSecond: 1_000 },
      mode: "maintenance",
    });
    expect(fixture).toMatchObject({
      token: "bench",
      latencyMs: { min: 50, max: 50 },
      faults: { rate429: 0.01, rate5xx: 0 },
      rateLimit: { perSecond: 1_000, burst: 1_000 },
      mode: "maintenance",
    });
    expect(() => generateFixture({ count: 1, faults: { rate429: 2 } })).toThrow(/faults\.rate429/);
  });

  it.each([
    [{ count: -1 }, /count/],
    [{ count: 1.5 }, /count/],
    [{ count: 1, types: [] }, /types/],
    [{ count: 1, accountsPerType: 0 }, /accountsPerType/],
    [{ count: 1, datasourceFaults: { aborted: 0.7, "incomplete-once": 0.7 } }, /add up to at most 1/],
  ])("refuses %j", (options, message) => {
    expect(() => generateFixture(options as GenerateFixtureOptions)).toThrow(message);
  });
});

describe("fixtureManifest", () => {
  it("writes a valid manifest that migrates every datasource, spread over the accounts of its type", async () => {
    const fixture = generateFixture({
      count: 30,
      accountsPerType: 2,
      types: ["mysql-federated", "snowflake-federated", "odd-federated"],
    });
    const text = fixtureManifest(fixture, { domain: "http://127.0.0.1:1" });
    const parsed = parseManifest(text, "generated.yaml");
    expect(parsed.issues).toEqual([]);
    expect(parsed.domain?.value).toBe("http://127.0.0.1:1");
    expect(parsed.entries).toHaveLength(30);
    expect(new Set(parsed.entries.map((e) => e.account))).toEqual(
      new Set(["10", "11", "12", "13", "14", "15"]),
    );

    sim = await startTestSimulator(fixture);
    const s = sim;
    const states = [];
    for (const entry of parsed.entries) {
      const res = await callJson(s.url, "POST", `${API}/${entry.datasource}/accounts/${entry.account}`, {
        token: fixture.token,
        body: JSON.stringify({ catalog: entry.catalog, schema: entry.schema, table: entry.table }),
      });
      states.push((res.body as { state: string }).state);
    }
    expect(states.every((state) => state === "COMPLETE")).toBe(true);
    expect(s.stats().migrations).toBe(30);
  });

  it("leaves out datasources of a type without accounts", () => {
    const fixture = generateFixture({ count: 4 });
    const orphan = { ...fixture, accounts: fixture.accounts.filter((a) => a.type === "mysql-federated") };
    expect(parseManifest(fixtureManifest(orphan), "m.yaml").entries).toHaveLength(2);
  });
});
