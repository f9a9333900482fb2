import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import type { ManifestIssue } from "../../src/manifest/types.js";

const DS = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";

/** A complete one-entry manifest whose entry fields are given as YAML lines. */
function oneEntry(fields: string): string {
  return `version: 1\nmigrations:\n  - datasource: ${DS}\n${fields
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;
}

const COMPLETE = 'account: "12"\ncatalog: ANALYTICS\nschema: PUBLIC\ntable: ORDERS';

function only(issues: ManifestIssue[]): ManifestIssue {
  expect(issues).toHaveLength(1);
  return issues[0] as ManifestIssue;
}

describe("parseManifest: values keep their source text", () => {
  it.each([
    ["table: 0123", "table", "0123"],
    ["table: 1e3", "table", "1e3"],
    ["table: true", "table", "true"],
    ["table: 0x1F", "table", "0x1F"],
    ["table: 1_000", "table", "1_000"],
    ["table: .inf", "table", ".inf"],
    ['table: "0123"', "table", "0123"],
    ["table: 'O''Brien'", "table", "O'Brien"],
    ["table: Orders # a comment", "table", "Orders"],
    ["table: MixedCase", "table", "MixedCase"],
    ['table: "  spaced  "', "table", "  spaced  "],
    ["account: 12", "account", "12"],
    ["account: 012", "account", "012"],
    ['account: "12"', "account", "12"],
    ["catalog: 2024", "catalog", "2024"],
    ["name: 42", "name", "42"],
  ])("%s → %j", (line, field, expected) => {
    const base = COMPLETE.split("\n").filter((l) => !l.startsWith(`${field}:`));
    const result = parseManifest(oneEntry([...base, line].join("\n")), "m.yaml");
    expect(result.issues).toEqual([]);
    expect(result.entries[0]?.[field as "table"]).toBe(expected);
  });

  it.each(["schema: NULL", "schema: null", "schema: Null", "schema: ~", "schema:", "schema: !!null ''"])(
    '%s → "NULL"',
    (line) => {
      const fields = COMPLETE.replace("schema: PUBLIC", line);
      const result = parseManifest(oneEntry(fields), "m.yaml");
      expect(result.issues).toEqual([]);
      expect(result.entries[0]?.schema).toBe("NULL");
    },
  );

  it.each([
    ['schema: "NULL"', "NULL"],
    ['schema: "null"', "null"],
    ["schema: public", "public"],
  ])("%s is sent as written", (line, expected) => {
    const result = parseManifest(oneEntry(COMPLETE.replace("schema: PUBLIC", line)), "m.yaml");
    expect(result.entries[0]?.schema).toBe(expected);
  });

  it("resolves an alias to a scalar to its anchor's text", () => {
    const text = [
      "version: 1",
      "migrations:",
      `  - datasource: ${DS}`,
      "    account: &acct 0012",
      "    catalog: &cat ANALYTICS",
      "    schema: PUBLIC",
      "    table: A",
      "  - datasource: second",
      "    account: *acct",
      "    catalog: *cat",
      "    schema: ~",
      "    table: B",
    ].join("\n");
    const result = parseManifest(text, "m.yaml");
    expect(result.issues).toEqual([]);
    expect(result.entries.map((e) => [e.account, e.catalog, e.schema])).toEqual([
      ["0012", "ANALYTICS", "PUBLIC"],
      ["0012", "ANALYTICS", "NULL"],
    ]);
  });
});

describe("parseManifest: entries and defaults", () => {
  it("applies defaults, lets entries override them, and records where each entry is", () => {
    const text = [
      "version: 1", // 1
      "domain: acme", // 2
      "journal: ./j.db", // 3
      "defaults:", // 4
      '  account: "12"', // 5
      "  catalog: ANALYTICS", // 6
      "  schema: PUBLIC", // 7
      "  name: unnamed", // 8
      "migrations:", // 9
      `  - datasource: ${DS}`, // 10
      "    table: ORDERS", // 11
      "  - table: customers", // 12
      "    datasource: F1", // 13
      "    name: MySQL Table 2", // 14
      "    account: 13", // 15
      "    catalog: sales_db", // 16
      "    schema: NULL", // 17
    ].join("\n");
    const result = parseManifest(text, "dir/m.yaml");
    expect(result.issues).toEqual([]);
    expect(result.domain).toEqual({ value: "acme", line: 2, column: 9 });
    expect(result.journal).toEqual({ value: "./j.db", line: 3, column: 10 });
    expect(result.entries).toEqual([
      {
        datasource: DS,
        name: "unnamed",
        account: "12",
        catalog: "ANALYTICS",
        schema: "PUBLIC",
        table: "ORDERS",
        file: "dir/m.yaml",
        line: 10,
        column: 5,
        index: 0,
      },
      {
        datasource: "F1",
        name: "MySQL Table 2",
        account: "13",
        catalog: "sales_db",
        schema: "NULL",
        table: "customers",
        file: "dir/m.yaml",
        line: 12,
        column: 5,
        index: 1,
      },
    ]);
  });

  it("leaves name undefined when neither the entry nor defaults gives it", () => {
    const result = parseManifest(oneEntry(COMPLETE), "m.yaml");
    expect(result.entries[0]?.name).toBeUndefined();
  });

  it("accepts an empty defaults (every line commented out)", () => {
    const text = `version: 1\ndefaults:\n  # account: "12"\nmigrations:\n  - datasource: ${DS}\n    ${COMPLETE.replaceAll("\n", "\n    ")}\n`;
    const result = parseManifest(text, "m.yaml");
    expect(result.issues).toEqual([]);
    expect(result.entries).toHaveLength(1);
  });

  it("parses CRLF line ends and a BOM", () => {
    const text = `\uFEFF${oneEntry(COMPLETE).replaceAll("\n", "\r\n")}`;
    const result = parseManifest(text, "m.yaml");
    expect(result.issues).toEqual([]);
    expect(result.entries[0]).toMatchObject({ table: "ORDERS", account: "12", line: 3, column: 5 });
  });

  it("reports a CRLF file's errors at the right line", () => {
    const text = oneEntry(COMPLETE.replace("table: ORDERS", "tabel: ORDERS")).replaceAll("\n", "\r\n");
    const issues = parseManifest(text, "m.yaml").issues;
    expect(issues.map((i) => [i.line, i.column, i.field])).toEqual([[7, 5, "tabel"]]);
  });
});

/** [title, manifest text, expected issue (subset), message pattern, hint pattern] */
const ISSUE_CASES: [string, string, Partial<ManifestIssue>, RegExp, RegExp | undefined][] = [
  [
    "unknown key with a typo",
    oneEntry(COMPLETE.replace("table:", "tabel:")),
    { line: 7, column: 5, field: "tabel", entry: `1 (${DS})` },
    /unknown key `tabel`/,
    /did you mean `table`\?/,
  ],
  [
    "unknown key with an adjacent swap",
    oneEntry(COMPLETE.replace("catalog:", "catalgo:")),
    { line: 5, field: "catalgo" },
    /unknown key/,
    /did you mean `catalog`\?/,
  ],
  [
    "unknown key without a likely meaning",
    oneEntry(`${COMPLETE}\nwarehouse: X`),
    { line: 8, field: "warehouse" },
    /unknown key `warehouse`/,
    /known keys here: datasource, name, account, catalog, schema, table/,
  ],
  [
    "a top-level key in an entry",
    oneEntry(`${COMPLETE}\ndomain: acme`),
    { line: 8, field: "domain" },
    /unknown key `domain`/,
    /belongs at the top level/,
  ],
  [
    "an entry key at the top level",
    `table: X\n${oneEntry(COMPLETE)}`,
    { line: 1, field: "table", entry: undefined },
    /unknown key `table`/,
    /belongs in an entry under `migrations`, or in `defaults`/,
  ],
  [
    "a top-level typo",
    oneEntry(COMPLETE).replace("migrations:", "migration:"),
    { line: 2, field: "migration" },
    /unknown key `migration`/,
    /did you mean `migrations`\?/,
  ],
  [
    "a typo in defaults",
    `version: 1\ndefaults:\n  acount: "12"\n${oneEntry(COMPLETE).replace("version: 1\n", "")}`,
    { line: 3, field: "defaults.acount", entry: undefined },
    /unknown key `acount`/,
    /did you mean `account`\?/,
  ],
  [
    "a datasource in defaults",
    `version: 1\ndefaults:\n  datasource: x\n${oneEntry(COMPLETE).replace("version: 1\n", "")}`,
    { line: 3, column: 3, field: "defaults.datasource" },
    /cannot have a default/,
    /each entry names its own/,
  ],
  [
    "a missing field",
    oneEntry(COMPLETE.replace("\ntable: ORDERS", "")),
    { line: 3, column: 5, field: "table", entry: `1 (${DS})` },
    /missing `table`/,
    /add `table:` to this entry or to `defaults`/,
  ],
  [
    "a missing datasource",
    `version: 1\nmigrations:\n  - ${COMPLETE.replaceAll("\n", "\n    ")}\n`,
    { line: 3, column: 5, field: "datasource", entry: "1" },
    /missing `datasource`/,
    /every entry names the V1 datasource id/,
  ],
  [
    "an id with a slash",
    oneEntry(COMPLETE).replace(DS, "a/b"),
    { line: 3, column: 17, field: "datasource", entry: "1" },
    /"a\/b" is not a valid id/,
    /letters, digits/,
  ],
  [
    "an id that is ..",
    oneEntry(COMPLETE).replace(DS, ".."),
    { field: "datasource" },
    /"\.\." is not a valid id/,
    /starting with a letter or digit/,
  ],
  [
    "an account with a space",
    oneEntry(COMPLETE.replace('account: "12"', 'account: "1 2"')),
    { line: 4, field: "account" },
    /"1 2" is not a valid id/,
    undefined,
  ],
  [
    "a null table",
    oneEntry(COMPLETE.replace("table: ORDERS", "table: ~")),
    { line: 7, field: "table" },
    /no value/,
    /give the table/,
  ],
  [
    "an empty quoted table",
    oneEntry(COMPLETE.replace("table: ORDERS", 'table: ""')),
    { line: 7, field: "table" },
    /empty value/,
    undefined,
  ],
  [
    "an empty quoted schema",
    oneEntry(COMPLETE.replace("schema: PUBLIC", "schema: ''")),
    { line: 6, field: "schema" },
    /empty value/,
    /schema: NULL/,
  ],
  [
    "a null account",
    oneEntry(COMPLETE.replace('account: "12"', "account:")),
    { line: 4, field: "account" },
    /no value/,
    undefined,
  ],
  [
    "a newline in a table name",
    oneEntry(COMPLETE.replace("table: ORDERS", 'table: "ORD\\nERS"')),
    { line: 7, field: "table" },
    /line break \(U\+000A\)/,
    /on one line/,
  ],
  [
    "a block scalar's trailing newline",
    oneEntry(COMPLETE.replace("table: ORDERS", "table: |\n  ORDERS")),
    { line: 7, field: "table" },
    /line break/,
    undefined,
  ],
  [
    "a tab in a catalog name",
    oneEntry(COMPLETE.replace("catalog: ANALYTICS", 'catalog: "A\\tB"')),
    { line: 5, field: "catalog" },
    /control character \(U\+0009\)/,
    undefined,
  ],
  [
    "a list where a value belongs",
    oneEntry(COMPLETE.replace("table: ORDERS", "table: [A, B]")),
    { line: 7, field: "table" },
    /expected a single value, found a list/,
    undefined,
  ],
  [
    "a mapping where a value belongs",
    oneEntry(COMPLETE.replace("catalog: ANALYTICS", "catalog:\n  name: ANALYTICS")),
    { line: 6, field: "catalog" },
    /expected a single value, found a mapping/,
    undefined,
  ],
  [
    "a duplicate key",
    oneEntry(`${COMPLETE}\ntable: OTHER`),
    { line: 8, column: 5, field: "table" },
    /`table` is given twice \(first at line 7\)/,
    /keep one/,
  ],
  [
    "version 2",
    oneEntry(COMPLETE).replace("version: 1", "version: 2"),
    { line: 1, column: 10, field: "version" },
    /version must be 1, found 2/,
    /reads version 1/,
  ],
  [
    "a quoted version",
    oneEntry(COMPLETE).replace("version: 1", 'version: "1"'),
    { line: 1, field: "version" },
    /found the string "1"/,
    /without quotes/,
  ],
  [
    "a missing version",
    oneEntry(COMPLETE).replace("version: 1\n", ""),
    { line: 1, column: 1, field: undefined },
    /missing `version`/,
    /version: 1/,
  ],
  ["a missing migrations", "version: 1\n", { line: 1 }, /missing `migrations`/, undefined],
  [
    "an empty migrations",
    "version: 1\nmigrations:\n",
    { line: 2, field: "migrations" },
    /lists no entries/,
    undefined,
  ],
  [
    "an empty migrations list",
    "version: 1\nmigrations: []\n",
    { line: 2, field: "migrations" },
    /lists no entries/,
    undefined,
  ],
  [
    "migrations as a mapping",
    `version: 1\nmigrations:\n  datasource: ${DS}\n`,
    { line: 3, field: "migrations" },
    /must be a list of entries, found a mapping/,
    /- datasource/,
  ],
  [
    "an entry that is a scalar",
    `version: 1\nmigrations:\n  - ${DS}\n`,
    { line: 3, column: 5, entry: "1" },
    /an entry must be a mapping/,
    undefined,
  ],
  ["a lone dash", `${oneEntry(COMPLETE)}  -\n`, { line: 8, entry: "2" }, /empty entry/, /lone `-`/],
  [
    "defaults as a list",
    `version: 1\ndefaults: [a]\n${oneEntry(COMPLETE).replace("version: 1\n", "")}`,
    { line: 2, field: "defaults" },
    /must be a mapping of entry fields, found a list/,
    undefined,
  ],
  ["an empty file", "", { line: 1, column: 1 }, /the manifest is empty/, /version: 1/],
  ["a comment-only file", "# nothing yet\n", { line: 1 }, /the manifest is empty/, undefined],
  ["a list at the top", "- a\n- b\n", { line: 1 }, /must be a mapping, found a list/, undefined],
  [
    "a YAML syntax error",
    oneEntry(COMPLETE.replace("table: ORDERS", 'table: "ORDERS')),
    { line: 8, field: undefined },
    /YAML syntax: Missing closing "quote/,
    /close the quote/,
  ],
  [
    "a tab indent",
    "version: 1\nmigrations:\n\t- datasource: x\n",
    { line: 3, column: 1 },
    /YAML syntax: Tabs are not allowed/,
    /spaces/,
  ],
  [
    "two documents",
    `${oneEntry(COMPLETE)}---\nversion: 1\n`,
    { line: 8 },
    /YAML syntax/,
    /one YAML document/,
  ],
  [
    "a non-scalar key",
    oneEntry(`${COMPLETE}\n? [a, b]\n: x`),
    { line: 8, column: 7 },
    /a key must be a plain name/,
    undefined,
  ],
  [
    "an invalid domain",
    oneEntry(COMPLETE).replace("version: 1", "version: 1\ndomain: http://acme.example.com"),
    { line: 2, column: 9, field: "domain" },
    /refusing http:\/\/acme\.example\.com: the developer token would travel in clear/,
    /https/,
  ],
  [
    "an empty journal",
    oneEntry(COMPLETE).replace("version: 1", "version: 1\njournal:"),
    { line: 2, field: "journal" },
    /no value/,
    undefined,
  ],
  [
    "an alias without an anchor",
    oneEntry(COMPLETE.replace("table: ORDERS", "table: *nothing")),
    { line: 7, column: 12 },
    /the alias \*nothing has no anchor/,
    undefined,
  ],
  [
    "an alias inside its own anchor",
    oneEntry(COMPLETE).replace("version: 1", "version: 1\nx: &loop [a, *loop]"),
    { line: 2 },
    /inside the node it refers to/,
    undefined,
  ],
];

describe("parseManifest: every rule's issue", () => {
  it.each(ISSUE_CASES)("%s", (_title, text, expected, message, hint) => {
    const issue = only(parseManifest(text, "m.yaml").issues);
    expect(issue).toMatchObject({ file: "m.yaml", ...expected });
    expect(issue.message).toMatch(message);
    if (hint !== undefined) expect(issue.hint).toMatch(hint);
  });

  it.each([
    ["top level", `token: abc123secret\n${oneEntry(COMPLETE)}`, 1, "token", undefined],
    [
      "defaults",
      `version: 1\ndefaults:\n  developer_token: abc123secret\n${oneEntry(COMPLETE).replace("version: 1\n", "")}`,
      3,
      "defaults.developer_token",
      undefined,
    ],
    ["an entry", oneEntry(`${COMPLETE}\nToken: abc123secret`), 8, "Token", `1 (${DS})`],
  ])("refuses a token key at %s, without quoting it", (_where, text, line, field, entry) => {
    const issue = only(parseManifest(text, "m.yaml").issues);
    expect(issue).toMatchObject({ line, field, entry });
    expect(issue.message).toMatch(/token must never be in a manifest/);
    expect(issue.hint).toMatch(/DOMO_DEVELOPER_TOKEN.*--token-file/);
    expect(JSON.stringify(issue)).not.toContain("abc123secret");
  });

  it("escapes control characters of a key, so that printing an issue cannot drive the terminal", () => {
    const issue = only(parseManifest(oneEntry(`${COMPLETE}\n"tab\\u001b[31mle": x`), "m.yaml").issues);
    expect(issue.message).toBe("unknown key `tab\\u001b[31mle`");
    expect(issue.field).toBe("tab\\u001b[31mle");
  });

  it("does not quote the source line of a syntax error (it may hold a secret)", () => {
    const issue = only(parseManifest('version: 1\nsecret: "abc123secret\n', "m.yaml").issues);
    expect(JSON.stringify(issue)).not.toContain("abc123secret");
  });

  it("reports every bad entry of a file, with its line, and keeps the good ones", () => {
    const text = readFileSync(
      new URL("../fixtures/manifests/three-bad-entries.yaml", import.meta.url),
      "utf8",
    );
    const result = parseManifest(text, "three-bad-entries.yaml");
    expect(result.issues.map((i) => [i.line, i.entry, i.field])).toEqual([
      [9, `1 (${DS})`, "tabel"],
      [12, "3", "datasource"],
      [15, "4 (1b7e4d2a-88c1-4f0e-b6a3-9e2d4c5f7a80)", "table"],
    ]);
    expect(result.entries.map((e) => e.datasource)).toEqual(["7c1d9a52-3f0b-4d8e-9a61-0b2f5e8c4d17"]);
  });

  it("names both places of a datasource listed twice in one file, ignoring case", () => {
    const text = [
      "version: 1",
      "defaults: { account: a, catalog: c, schema: s, table: t }",
      "migrations:",
      "  - datasource: ABC",
      "  - datasource: other",
      "  - datasource: abc",
    ].join("\n");
    const result = parseManifest(text, "m.yaml");
    const issue = only(result.issues);
    expect(issue).toMatchObject({ line: 6, column: 17, field: "datasource", entry: "3 (abc)" });
    expect(issue.message).toBe(
      "datasource abc is listed twice: entry 1 at m.yaml:4:17 (as ABC: ids differing only in case are one datasource) and entry 3 at m.yaml:6:17",
    );
    expect(result.entries.map((e) => e.datasource)).toEqual(["ABC", "other"]);
  });

  it("reports a broken default once, not once per entry", () => {
    const entries = Array.from({ length: 5 }, (_, i) => `  - datasource: d${i}\n    table: t`).join("\n");
    const text = `version: 1\ndefaults:\n  account: a/b\n  catalog: c\n  schema: s\nmigrations:\n${entries}\n`;
    const result = parseManifest(text, "m.yaml");
    expect(only(result.issues)).toMatchObject({ line: 3, field: "defaults.account" });
    expect(result.entries).toEqual([]);
  });

  it("refuses an alias bomb quickly, with a clear message", () => {
    const text = readFileSync(new URL("../fixtures/manifests/alias-bomb.yaml", import.meta.url), "utf8");
    const issue = only(parseManifest(text, "alias-bomb.yaml").issues);
    expect(issue.message).toMatch(/alias bomb/);
    expect(issue.message).toMatch(/to \d\.\d+e\+9 YAML nodes/);
  });

  it("reads a quadratic alias fan-out as a bomb too", () => {
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}: v`).join(", ");
    const aliases = Array.from({ length: 300 }, () => "  - *big").join("\n");
    const text = `version: 1\nx: &big { ${keys} }\nmigrations:\n${aliases}\n`;
    expect(only(parseManifest(text, "m.yaml").issues).message).toMatch(/alias bomb/);
  });

  it("survives pathological nesting with an issue, not a crash", () => {
    const text = `version: 1\nx: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`;
    const result = parseManifest(text, "m.yaml");
    expect(result.issues.length).toBeGreaterThan(0);
  });
});
