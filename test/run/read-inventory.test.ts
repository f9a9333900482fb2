import { describe, expect, it } from "vitest";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { Account, Candidate, DomoApi } from "../../src/domo/types.js";
import { UsageError } from "../../src/errors.js";
import { readInventory } from "../../src/run/read-inventory.js";

const ACCOUNTS: Record<string, Account[]> = {
  mysql: [
    { id: "1", type: "mysql", name: "m1" },
    { id: "2", type: "mysql", name: "m2" },
  ],
  snowflake: [{ id: "12", type: "snowflake", name: "s1" }],
};

/** An API port answering at once from ACCOUNTS; `calls` lists what was asked, in order. */
function answeringApi() {
  const calls: string[] = [];
  const api: DomoApi = {
    listTypes: async () => {
      calls.push("types");
      return Object.keys(ACCOUNTS);
    },
    listAccounts: async (type) => {
      calls.push(`accounts ${type}`);
      return ACCOUNTS[type] ?? [];
    },
    listCandidates: async (id) => {
      calls.push(`candidates ${id}`);
      return [{ id: `ds-${id}`, name: `ds-${id}`, migrated: false, migrationDate: null } satisfies Candidate];
    },
    migrate: () => Promise.reject(new Error("not used")),
    reverse: () => Promise.reject(new Error("not used")),
  };
  return { api, calls };
}

const retry = () =>
  createRetryPolicy({ retries: 0, minDelayMs: 0, maxDelayMs: 0, gate: new RateGate({ now: Date.now }) });

describe("readInventory", () => {
  it("walks every type, account and candidate list without filters", async () => {
    const { api } = answeringApi();
    const inventory = await readInventory({ api, retry: retry() });
    expect(inventory.types).toEqual(["mysql", "snowflake"]);
    expect(inventory.walked.map((w) => [w.type, w.accounts.length])).toEqual([
      ["mysql", 2],
      ["snowflake", 1],
    ]);
    expect(inventory.accounts.map((a) => [a.type, a.account.id, a.candidates[0]?.id])).toEqual([
      ["mysql", "1", "ds-1"],
      ["mysql", "2", "ds-2"],
      ["snowflake", "12", "ds-12"],
    ]);
  });

  it("keeps the filtered type and account, reading no other list", async () => {
    const { api, calls } = answeringApi();
    const inventory = await readInventory(
      { api, retry: retry() },
      { types: ["mysql", "snowflake"], onlyTypes: ["mysql"], onlyAccounts: ["2"] },
    );
    expect(inventory.accounts.map((a) => a.account.id)).toEqual(["2"]);
    expect(calls).toEqual(["accounts mysql", "candidates 2"]);
  });

  it("refuses an unknown --account before reading any candidate list, naming those that exist", async () => {
    const { api, calls } = answeringApi();
    const reading = readInventory({ api, retry: retry() }, { onlyAccounts: ["99"] });
    await expect(reading).rejects.toBeInstanceOf(UsageError);
    await expect(reading).rejects.toThrow(
      "--account 99: no such Federated V2 account (this instance lists 1 (m1, mysql), 2 (m2, mysql), 12 (s1, snowflake))",
    );
    expect(calls.filter((c) => c.startsWith("candidates"))).toEqual([]);
  });

  it("leaves an unknown account out when asked to skip it", async () => {
    const { api } = answeringApi();
    const inventory = await readInventory(
      { api, retry: retry() },
      { onlyAccounts: ["12", "99"], unknownAccounts: "skip" },
    );
    expect(inventory.accounts.map((a) => a.account.id)).toEqual(["12"]);
    expect(inventory.walked.flatMap((w) => w.accounts.map((a) => a.id))).toEqual(["1", "2", "12"]);
  });
});
