import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkBehaviour, checkFixture, type FixtureInput, parseFixture } from "../../src/sim/fixture.js";
import { FixtureError } from "../../src/sim/fixture-error.js";
import { loadFixture, parseFixtureYaml } from "../../src/sim/load-fixture.js";

const MINIMAL: FixtureInput = {
  token: "t",
  accounts: [{ id: "12", type: "snowflake-federated" }],
  datasources: [{ id: "ds1", type: "snowflake-federated", catalog: "C", schema: "S", table: "T" }],
};

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseFixture(input);
  } catch (error) {
    if (error instanceof FixtureError) return error.issues.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  return [];
}

describe("parseFixture", () => {
  it("fills in every default", () => {
    expect(parseFixture(MINIMAL)).toEqual({
      token: "t",
      forbiddenToken: undefined,
      seed: 1,
      latencyMs: { min: 0, max: 0 },
      migrateLatencyMs: undefined,
      mode: "normal",
      faults: {
        rate429: 0,
        retryAfterSeconds: 1,
        rate5xx: 0,
        dropBeforeApply: 0,
        dropAfterApply: 0,
        incompleteOnce: 0,
        aborted: 0,
        status5xxAfterApply: 0,
        resetAfterApply: 0,
        hangBeforeApply: 0,
        hangAfterApply: 0,
        unknownState: 0,
        reverseAborted: 0,
        reverseIncompleteOnce: 0,
      },
      rateLimit: undefined,
      revokeTokenAfter: undefined,
      unknownIds: "aborted",
      types: undefined,
      accounts: [{ id: "12", type: "snowflake-federated", name: "snowflake-federated account 12" }],
      datasources: [
        {
          id: "ds1",
          name: "ds1",
          type: "snowflake-federated",
          catalog: "C",
          schema: "S",
          table: "T",
          migrated: false,
          migratedAccount: undefined,
          migrationDate: undefined,
          fault: undefined,
        },
      ],
    });
  });

  it("normalises latency, schema null and rate limit burst, and is idempotent", () => {
    const fixture = parseFixture({
      ...MINIMAL,
      latencyMs: 40,
      migrateLatencyMs: { min: 10, max: 20 },
      rateLimit: { perSecond: 2.5 },
      datasources: [
        { ...MINIMAL.datasources[0], schema: null, migrated: true } as FixtureInput["datasources"][0],
      ],
    });
    expect(fixture.latencyMs).toEqual({ min: 40, max: 40 });
    expect(fixture.migrateLatencyMs).toEqual({ min: 10, max: 20 });
    expect(fixture.rateLimit).toEqual({ perSecond: 2.5, burst: 3 });
    expect(fixture.datasources[0]).toMatchObject({ schema: "NULL", migrated: true, migratedAccount: "12" });
    expect(parseFixture(fixture)).toEqual(fixture);
  });

  it.each([
    ["a non-mapping", 42, "", /must be a mapping/],
    ["no token", { ...MINIMAL, token: undefined }, "token", /is required/],
    ["an empty token", { ...MINIMAL, token: "" }, "token", /must not be empty/],
    ["forbiddenToken = token", { ...MINIMAL, forbiddenToken: "t" }, "forbiddenToken", /must differ/],
    ["a fractional seed", { ...MINIMAL, seed: 1.5 }, "seed", /integer/],
    ["a negative latency", { ...MINIMAL, latencyMs: -1 }, "latencyMs", /non-negative/],
    ["min above max", { ...MINIMAL, latencyMs: { min: 9, max: 3 } }, "latencyMs", /must not exceed/],
    ["a latency typo", { ...MINIMAL, latencyMs: { min: 1, mx: 3 } }, "latencyMs.mx", /did you mean "max"/],
    ["an unknown mode", { ...MINIMAL, mode: "down" }, "mode", /normal, maintenance, ip-blocked/],
    ["a share above 1", { ...MINIMAL, faults: { rate5xx: 5 } }, "faults.rate5xx", /between 0 and 1/],
    ["a fault typo", { ...MINIMAL, faults: { rate492: 0.1 } }, "faults.rate492", /did you mean "rate429"/],
    [
      "a fractional Retry-After",
      { ...MINIMAL, faults: { retryAfterSeconds: 0.5 } },
      "faults.retryAfterSeconds",
      /integer/,
    ],
    ["a zero rate", { ...MINIMAL, rateLimit: { perSecond: 0 } }, "rateLimit.perSecond", /positive/],
    ["an unknown top key", { ...MINIMAL, acounts: [] }, "acounts", /did you mean "accounts"/],
    ["accounts not a list", { ...MINIMAL, accounts: {} }, "accounts", /must be a list/],
    [
      "an account without type",
      { ...MINIMAL, accounts: [{ id: "1" }] },
      "accounts[0].type",
      /must be a string/,
    ],
    [
      "a duplicate account",
      { ...MINIMAL, accounts: [MINIMAL.accounts[0], MINIMAL.accounts[0]] },
      "accounts[1].id",
      /duplicate account id "12" \(first at accounts\[0\]\)/,
    ],
    ["no datasources", { ...MINIMAL, datasources: undefined }, "datasources", /is required/],
    [
      "a numeric table",
      { ...MINIMAL, datasources: [{ ...MINIMAL.datasources[0], table: 123 }] },
      "datasources[0].table",
      /must be a string, is the number 123/,
    ],
    [
      "a control character",
      { ...MINIMAL, datasources: [{ ...MINIMAL.datasources[0], table: "a\nb" }] },
      "datasources[0].table",
      /control characters/,
    ],
    [
      "an unknown fault",
      { ...MINIMAL, datasources: [{ ...MINIMAL.datasources[0], fault: "flaky" }] },
      "datasources[0].fault",
      /incomplete-once, incomplete-always/,
    ],
    [
      "a string for migrated",
      { ...MINIMAL, datasources: [{ ...MINIMAL.datasources[0], migrated: "yes" }] },
      "datasources[0].migrated",
      /true or false/,
    ],
    [
      "migratedAccount of another type",
      {
        ...MINIMAL,
        accounts: [...MINIMAL.accounts, { id: "2", type: "mysql-federated" }],
        datasources: [{ ...MINIMAL.datasources[0], migrated: true, migratedAccount: "2" }],
      },
      "datasources[0].migratedAccount",
      /is of type "mysql-federated"/,
    ],
    [
      "migrated without an account of its type",
      {
        ...MINIMAL,
        datasources: [{ ...MINIMAL.datasources[0], type: "postgres-federated", migrated: true }],
      },
      "datasources[0].migrated",
      /no account of type "postgres-federated"/,
    ],
    [
      "a bad migrationDate",
      {
        ...MINIMAL,
        datasources: [{ ...MINIMAL.datasources[0], migrated: true, migrationDate: "yesterday" }],
      },
      "datasources[0].migrationDate",
      /ISO date/,
    ],
    [
      "a duplicate datasource",
      { ...MINIMAL, datasources: [MINIMAL.datasources[0], MINIMAL.datasources[0]] },
      "datasources[1].id",
      /duplicate datasource id "ds1"/,
    ],
  ])("rejects %s, naming the field", (_what, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it("collects every issue, not only the first, into one error message", () => {
    const check = checkFixture({ token: 3, mode: "x", accounts: [{}], datasources: [{ id: "a" }] });
    expect(check.ok).toBe(false);
    const error = (() => {
      try {
        parseFixture({ token: 3, mode: "x", accounts: [{}], datasources: [{ id: "a" }] }, "my-fixture.yaml");
      } catch (e) {
        return e as FixtureError;
      }
      throw new Error("no error");
    })();
    expect(error).toBeInstanceOf(FixtureError);
    expect(error.code).toBe("USAGE");
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "token",
      "mode",
      "accounts[0].id",
      "accounts[0].type",
      "datasources[0].type",
      "datasources[0].catalog",
      "datasources[0].schema",
      "datasources[0].table",
    ]);
    expect(error.message).toMatch(
      /^invalid simulator fixture my-fixture\.yaml \(8 issues\):\n {2}token: must be a string/,
    );
  });
  it("reports a check across fields together with a wrong field elsewhere", () => {
    const issues = issuesOf({
      ...MINIMAL,
      token: 3,
      accounts: [MINIMAL.accounts[0], MINIMAL.accounts[0]],
      datasources: [{ ...MINIMAL.datasources[0], table: 5, candidateOf: ["99"] }],
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      "token",
      "datasources[0].table",
      "accounts[1].id",
      "datasources[0].candidateOf[0]",
    ]);
  });
});

describe("checkBehaviour", () => {
  const current = parseFixture(MINIMAL).faults;

  it("keeps the fault shares not given, and a null turns a setting off", () => {
    const check = checkBehaviour(
      { faults: { rate429: 0.5 }, rateLimit: null, migrateLatencyMs: 7, mode: "maintenance" },
      { ...current, aborted: 0.25 },
    );
    expect(check).toEqual({
      ok: true,
      behaviour: {
        faults: { ...current, aborted: 0.25, rate429: 0.5 },
        rateLimit: undefined,
        migrateLatencyMs: { min: 7, max: 7 },
        mode: "maintenance",
      },
    });
    expect(check.ok && "rateLimit" in check.behaviour).toBe(true);
    expect(check.ok && "revokeTokenAfter" in check.behaviour).toBe(false);
  });

  it("refuses a fixture-only key and a wrong share, naming each", () => {
    const check = checkBehaviour({ token: "x", faults: { rate5xx: 2 } }, current);
    expect(check).toEqual({
      ok: false,
      issues: [
        { path: ["token"], message: expect.stringMatching(/^unknown key; known keys: latencyMs, /) },
        { path: ["faults", "rate5xx"], message: "must be a share between 0 and 1, is the number 2" },
      ],
    });
  });
});

describe("parseFixtureYaml", () => {
  it("keeps identifiers' source text and reads schema NULL as no schema", () => {
    const fixture = parseFixtureYaml(
      [
        "token: 0042",
        "seed: 42",
        "latencyMs: { min: 1, max: 2 }",
        "accounts:",
        "  - { id: 12, type: mysql-federated, name: 7 }",
        "datasources:",
        "  - { id: 1e3, type: mysql-federated, catalog: 0123, schema: NULL, table: true, migrated: false }",
        "  - { id: b, type: mysql-federated, catalog: c, schema: ~, table: t }",
        "  - { id: c, type: mysql-federated, catalog: c, schema: , table: t }",
        "  - { id: d, type: mysql-federated, catalog: c, schema: 'NULL', table: '0123' }",
      ].join("\n"),
      "inline.yaml",
    );
    expect(fixture.token).toBe("0042");
    expect(fixture.seed).toBe(42);
    expect(fixture.accounts[0]).toEqual({ id: "12", type: "mysql-federated", name: "7" });
    expect(fixture.datasources.map(({ id, catalog, schema, table }) => [id, catalog, schema, table])).toEqual(
      [
        ["1e3", "0123", "NULL", "true"],
        ["b", "c", "NULL", "t"],
        ["c", "c", "NULL", "t"],
        ["d", "c", "NULL", "0123"],
      ],
    );
  });

  it('reads the new keys, keeping identifier lists\' source text (candidateOf: [12] is account "12")', () => {
    const fixture = parseFixtureYaml(
      [
        "token: t",
        "revokeTokenAfter: 10",
        "unknownIds: not-found",
        "types: [mysql-federated, 2024]",
        "faults: { status5xxAfterApply: 0.1, resetAfterApply: 0.2, hangBeforeApply: 0.3, hangAfterApply: 0.4,",
        "          unknownState: 0.5, reverseAborted: 0.6, reverseIncompleteOnce: 0.7 }",
        "accounts:",
        "  - { id: 12, type: mysql-federated }",
        "  - { id: 13, type: mysql-federated }",
        "datasources:",
        "  - { id: a, type: mysql-federated, catalog: c, schema: ~, table: t, candidateOf: [13],",
        "      fault: hang-after-apply-once, reverseFault: incomplete-once }",
      ].join("\n"),
      "inline.yaml",
    );
    expect(fixture).toMatchObject({
      revokeTokenAfter: 10,
      unknownIds: "not-found",
      types: ["mysql-federated", "2024"],
      faults: {
        status5xxAfterApply: 0.1,
        resetAfterApply: 0.2,
        hangBeforeApply: 0.3,
        hangAfterApply: 0.4,
        unknownState: 0.5,
        reverseAborted: 0.6,
        reverseIncompleteOnce: 0.7,
      },
    });
    expect(fixture.datasources[0]).toMatchObject({
      candidateOf: ["13"],
      fault: "hang-after-apply-once",
      reverseFault: "incomplete-once",
    });
  });

  it.each([
    ["revokeTokenAfter: -1", "revokeTokenAfter: must be a non-negative integer"],
    ["unknownIds: 404", "unknownIds: must be one of aborted, not-found"],
    ["types: mysql-federated", "types: must be a list of integration types"],
    ["faults: { hangAfterApply: 2 }", "faults.hangAfterApply: must be a share between 0 and 1"],
  ])("refuses %s, with its line", (line, message) => {
    const text = ["token: t", line, "accounts: []", "datasources: []"].join("\n");
    expect(() => parseFixtureYaml(text, "bad.yaml")).toThrow(message);
    expect(() => parseFixtureYaml(text, "bad.yaml")).toThrow(/ 2:\d+: /);
  });

  it("reports each issue with its path, line and column", () => {
    const text = [
      "token: t", //
      "faults:",
      "  rate5xx: 2",
      "accounts:",
      "  - { id: '12', type: x }",
      "datasources:",
      "  - id: a",
      "    type: x",
      "    catalog: c",
      "    schema: s",
      "    tabel: t",
    ].join("\n");
    let error: FixtureError | undefined;
    try {
      parseFixtureYaml(text, "broken.yaml");
    } catch (e) {
      error = e as FixtureError;
    }
    expect(error?.issues).toEqual([
      {
        path: "faults.rate5xx",
        message: "must be a share between 0 and 1, is the number 2",
        line: 3,
        column: 12,
      },
      {
        path: "datasources[0].tabel",
        message: expect.stringMatching(/did you mean "table"/),
        line: 11,
        column: 12,
      },
      { path: "datasources[0].table", message: "must be a string, is missing", line: 7, column: 5 },
    ]);
    expect(error?.message).toContain("  3:12: faults.rate5xx: must be a share");
  });

  it.each([
    [
      "a YAML syntax error",
      "token: [unclosed\naccounts: []\n",
      /Flow sequence|flow collection|unclosed|Missing/i,
    ],
    ["a duplicate key", "token: a\ntoken: b\naccounts: []\ndatasources: []\n", /unique|duplicate/i],
  ])("reports %s with its line", (_what, text, message) => {
    let error: FixtureError | undefined;
    try {
      parseFixtureYaml(text, "bad.yaml");
    } catch (e) {
      error = e as FixtureError;
    }
    expect(error).toBeInstanceOf(FixtureError);
    expect(error?.issues[0]).toMatchObject({
      message: expect.stringMatching(message),
      line: expect.any(Number),
    });
  });

  it("refuses an alias bomb with an error, not a hang", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(
        `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    expect(() => parseFixtureYaml(lines.join("\n"), "bomb.yaml")).toThrow(/alias/i);
  });
});

describe("loadFixture", () => {
  it("reads a file, and names a missing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fedmigrate-fixture-"));
    try {
      const path = join(dir, "f.yaml");
      writeFileSync(path, "token: t\naccounts: []\ndatasources: []\n");
      expect((await loadFixture(path)).token).toBe("t");
      await expect(loadFixture(join(dir, "missing.yaml"))).rejects.toThrow(
        /cannot read the simulator fixture .*missing\.yaml: ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
