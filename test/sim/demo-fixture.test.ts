import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import type { Fixture } from "../../src/sim/fixture.js";
import { loadFixture } from "../../src/sim/load-fixture.js";
import { API, call, callJson, startTestSimulator, type TestSimulator } from "../helpers/sim.js";

const FIXTURE = resolve("manifests/demo/fixture.yaml");
const MANIFEST = resolve("manifests/demo/migrations.yaml");

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function manifestEntries() {
  const text = readFileSync(MANIFEST, "utf8");
  const result = parseManifest(text, MANIFEST);
  return { text, result };
}

describe("the demo fixture", () => {
  it("is a small, realistic instance over two integration types", async () => {
    const fixture = await loadFixture(FIXTURE);
    expect(fixture.token).toBe("demo-token");
    expect(fixture.datasources).toHaveLength(36);
    expect(fixture.latencyMs).toEqual({ min: 80, max: 250 });
    expect(fixture.faults.rate5xx).toBe(0.05);
    const accountsOf = (type: string) => fixture.accounts.filter((a) => a.type === type).length;
    expect(accountsOf("mysql-federated")).toBe(2);
    expect(accountsOf("snowflake-federated")).toBeGreaterThanOrEqual(1);
    expect(new Set(fixture.datasources.map((ds) => ds.type))).toEqual(
      new Set(["mysql-federated", "snowflake-federated"]),
    );
    expect(fixture.datasources.filter((ds) => ds.fault).map((ds) => [ds.name, ds.fault])).toEqual([
      ["Web Sessions", "incomplete-once"],
      ["Price List", "reset-after-apply-once"],
      ["Inventory Snapshot", "incomplete-always"],
      ["Legacy Forecast", "aborted"],
    ]);
    expect(
      fixture.datasources.filter((ds) => ds.reverseFault).map((ds) => [ds.name, ds.reverseFault]),
    ).toEqual([["Headcount", "incomplete-once"]]);
  });

  it("shows candidates tied to accounts and a type without a V2 account, and never hangs", async () => {
    const fixture = await loadFixture(FIXTURE);
    expect(fixture.types).toEqual(["mysql-federated", "snowflake-federated", "postgresql-federated"]);
    expect(fixture.accounts.some((a) => a.type === "postgresql-federated")).toBe(false);
    const candidateOf = new Map(fixture.datasources.map((ds) => [ds.catalog, ds.candidateOf]));
    expect(candidateOf.get("sales_db")).toEqual(["1"]);
    expect(candidateOf.get("crm")).toEqual(["2"]);
    // npm run demo must stay quick: nothing that waits for the client's timeout or stops the run.
    const slow = ["hang-before-apply-once", "hang-after-apply-once"];
    expect(fixture.datasources.filter((ds) => ds.fault && slow.includes(ds.fault))).toEqual([]);
    expect([fixture.faults.hangAfterApply, fixture.faults.hangBeforeApply]).toEqual([0, 0]);
    expect(fixture.revokeTokenAfter).toBeUndefined();
  });
});

describe("the demo manifest", () => {
  it("is valid, points editors at the schema, and names no domain", () => {
    const { text, result } = manifestEntries();
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../manifest.schema.json");
    expect(result.issues).toEqual([]);
    expect(result.domain).toBeUndefined();
  });

  it("lists every fixture datasource once, right but for one deliberate case mismatch", async () => {
    const fixture: Fixture = await loadFixture(FIXTURE);
    const { result } = manifestEntries();
    expect(result.entries.map((e) => e.datasource).sort()).toEqual(
      fixture.datasources.map((ds) => ds.id).sort(),
    );
    const accountType = new Map(fixture.accounts.map((a) => [a.id, a.type]));
    const differences: string[] = [];
    for (const entry of result.entries) {
      const ds = fixture.datasources.find((d) => d.id === entry.datasource);
      expect(accountType.get(entry.account), entry.name).toBe(ds?.type);
      for (const field of ["catalog", "schema", "table"] as const) {
        if (entry[field] !== ds?.[field])
          differences.push(`${ds?.name}.${field}: ${entry[field]} ≠ ${ds?.[field]}`);
      }
    }
    expect(differences).toEqual(["Orders.table: orders ≠ ORDERS"]);
  });

  it("tells the intended story against the simulator: 33 complete, 2 aborted, 1 incomplete", async () => {
    const fixture = await loadFixture(FIXTURE);
    // Latency and drawn 5xx are for people watching; here only the outcomes matter.
    sim = await startTestSimulator({
      ...fixture,
      latencyMs: { min: 0, max: 0 },
      faults: { ...fixture.faults, rate5xx: 0 },
    });
    const s = sim;
    const { result } = manifestEntries();
    const outcomes: Record<string, string[]> = {};
    const resets: string[] = [];
    for (const entry of result.entries) {
      const post = async (): Promise<{ state: string; errorMessage: string | null }> => {
        const result = await call(
          s.url,
          "POST",
          `${API}/${encodeURIComponent(entry.datasource)}/accounts/${encodeURIComponent(entry.account)}`,
          {
            token: fixture.token,
            body: JSON.stringify({ catalog: entry.catalog, schema: entry.schema, table: entry.table }),
          },
        );
        if (!result.dropped) return JSON.parse(result.text);
        // as the tool does: an answer lost after the change is read back from the candidate list
        const candidates = (await callJson(s.url, "GET", `${API}/candidates/${entry.account}`, {
          token: fixture.token,
        })) as { body: { id: string; migrated: boolean }[] };
        const migrated = candidates.body.find((c) => c.id === entry.datasource)?.migrated;
        resets.push(entry.name ?? entry.datasource);
        return { state: migrated ? "COMPLETE" : "UNKNOWN", errorMessage: null };
      };
      let record = await post();
      // as the tool does: an INCOMPLETE migration is re-attempted once
      if (record.state === "INCOMPLETE") record = await post();
      outcomes[record.state] = [...(outcomes[record.state] ?? []), entry.name ?? entry.datasource];
      if (entry.name === "Orders") {
        expect(record.errorMessage).toContain(
          'table "orders" does not match the datasource\'s table "ORDERS" (case-sensitive)',
        );
      }
    }
    expect(outcomes.COMPLETE).toHaveLength(33);
    expect(outcomes.COMPLETE).toContain("Web Sessions");
    expect(outcomes.ABORTED?.sort()).toEqual(["Legacy Forecast", "Orders"]);
    expect(outcomes.INCOMPLETE).toEqual(["Inventory Snapshot"]);
    expect(resets).toEqual(["Price List"]);
  });
});
