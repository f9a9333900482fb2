import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isMap, isPair, isScalar, isSeq, parseDocument, type Scalar } from "yaml";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { readSimpleYaml } from "../../src/manifest/read-simple-yaml.js";

const DS = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";

/** Values for `table:` that the fast reader reads itself. */
const SIMPLE_VALUES = [
  "ORDERS",
  "0123",
  "1e3",
  "true",
  ".inf",
  "~",
  "null",
  "NULL",
  "Null",
  "",
  "   ",
  "# only a comment",
  "   # only a comment",
  "ORDERS # comment",
  "ORDERS   ",
  "GL_ENTRIES#2",
  "a:b",
  "O'Brien",
  "x]",
  "a, b",
  "two words",
  "~abc",
  "(x)",
  "$x",
  "/path",
  '"0123"',
  '"a: b # c"',
  '""',
  '"x"  # comment',
  "'single'",
  "''",
  "'say \"hi\"'",
  "a/b",
  "é-unicode-名前",
  "名前",
  "a #b",
  "a#b",
  "Ω",
];

/** Values the fast reader leaves to `yaml` (and so which must still parse the same). */
const YAML_ONLY_VALUES = [
  "[a, b]",
  "{a: 1}",
  '"esc\\"aped"',
  '"tab\\there"',
  "'it''s'",
  "|\n      block",
  ">\n      folded",
  "&anchor v",
  "!!str 5",
  "- x",
  "? x",
  "a: b",
  "x:",
  ":x",
  "-x",
  "%x",
  "@x",
  "`x`",
  '"unterminated',
  "'unterminated",
  '"x" trailing',
  "multi\n      line",
  "a\tb",
  "*nothing",
];

/** Entry-list layouts, as `migrations:` then items. */
const LAYOUTS: [string, (fields: string[]) => string][] = [
  ["indented 2", (fields) => `migrations:\n  - ${fields.join("\n    ")}\n`],
  ["compact", (fields) => `migrations:\n- ${fields.join("\n  ")}\n`],
  ["indented 4, extra space", (fields) => `migrations:\n    -   ${fields.join("\n        ")}\n`],
];

function manifest(table: string, layout: (fields: string[]) => string, crlf: boolean): string {
  const fields = [
    `datasource: ${DS}`,
    'account: "12"',
    "catalog: ANALYTICS",
    "schema: PUBLIC",
    `table: ${table}`,
  ];
  const text = `# a comment first\n\nversion: 1\ndefaults:\n  name: default name\n${layout(fields)}`;
  return crlf ? text.replaceAll("\n", "\r\n") : text;
}

/** Whole-file variations beyond one value. */
const DOCUMENTS: [string, string][] = [
  ["example.yaml", readFileSync(new URL("../../manifests/example.yaml", import.meta.url), "utf8")],
  [
    "three bad entries",
    readFileSync(new URL("../fixtures/manifests/three-bad-entries.yaml", import.meta.url), "utf8"),
  ],
  ["no final newline", `version: 1\nmigrations:\n  - datasource: a\n    table: t`],
  ["empty", ""],
  ["comments only", "# nothing\n  # still nothing\n"],
  ["a top-level scalar", "hello\n"],
  ["a top-level list", "- a\n"],
  ["indented first line", "  version: 1\n  migrations:\n"],
  ["version variants", "version: 01\nmigrations:\n"],
  ["version 1.0", "version: 1.0\n"],
  ["version quoted", 'version: "1"\n'],
  ["version 0x1", "version: 0x1\n"],
  ["version empty", "version:\nmigrations:\n"],
  ["null key", "version: 1\nnull: x\n"],
  ["quoted key", 'version: 1\n"table": x\n'],
  ["duplicate keys", "version: 1\nversion: 1\nmigrations:\n  - datasource: a\n    datasource: b\n"],
  [
    "token keys",
    "version: 1\ntoken: x\ndefaults:\n  api_token: y\nmigrations:\n  - datasource: a\n    TOKEN: z\n",
  ],
  ["typos", "version: 1\nmigration:\n  - datasorce: a\n    tabel: t\n"],
  ["defaults empty", "version: 1\ndefaults:\nmigrations:\n  - datasource: a\n"],
  ["defaults nested deeper", "version: 1\ndefaults:\n  account:\n    x: 1\n"],
  ["defaults as a list", "version: 1\ndefaults:\n  - a\n"],
  ["migrations empty", "version: 1\nmigrations:\n"],
  ["migrations a mapping", "version: 1\nmigrations:\n  datasource: a\n"],
  ["a lone dash", "version: 1\nmigrations:\n  -\n  - datasource: a\n"],
  ["a scalar item", "version: 1\nmigrations:\n  - a\n"],
  ["an item with a nested list", "version: 1\nmigrations:\n  - datasource: a\n    table:\n    - x\n"],
  ["an item with a nested map", "version: 1\nmigrations:\n  - datasource: a\n    table:\n      x: 1\n"],
  ["a deeper continuation", "version: 1\ndomain: acme\n   more\n"],
  ["a comment at an odd indent", "version: 1\nmigrations:\n  - datasource: a\n # odd\n    table: t\n"],
  ["a key after a compact list", "version: 1\nmigrations:\n- datasource: a\n  table: t\ndomain: acme\n"],
  ["a key at the list's indent", "version: 1\nmigrations:\n  - datasource: a\n  domain: acme\n"],
  ["a misaligned item key", "version: 1\nmigrations:\n  - datasource: a\n     table: t\n"],
  ["two documents", "version: 1\n---\nversion: 1\n"],
  ["a directive", "%YAML 1.2\n---\nversion: 1\n"],
  ["a lone CR", "version: 1\rmigrations:\n"],
  ["a BOM", "\uFEFFversion: 1\nmigrations:\n  - datasource: a\n"],
  ["a tab indent", "version: 1\nmigrations:\n\t- datasource: a\n"],
  ["duplicate datasources", "version: 1\nmigrations:\n  - datasource: ABC\n  - datasource: abc\n"],
  ["the domain", "version: 1\ndomain: http://acme.example.com\n"],
  ["aliases", "version: 1\ndomain: &d acme\njournal: *d\n"],
  ["many entries", generated(500)],
];

/** A longer manifest mixing the layouts of real ones, with a few problems in it. */
function generated(count: number): string {
  const lines = [
    "version: 1",
    "defaults:",
    '  account: "12"',
    "  catalog: ANALYTICS",
    "  schema: PUBLIC",
    "migrations:",
  ];
  for (let i = 0; i < count; i++) {
    lines.push(`  - datasource: ${i.toString(16).padStart(8, "0")}-6c07-41fc-99ed-b2dce9a5f569`);
    if (i % 2 === 0) lines.push(`    name: "Table #${i}"`);
    lines.push(
      i % 97 === 0
        ? `    tabel: T_${i}`
        : `    table: ${i % 5 === 0 ? String(i).padStart(6, "0") : `T_${i}`}`,
    );
    if (i % 3 === 0) lines.push(`    account: ${13 + (i % 4)}   # override`, "    schema: NULL");
    if (i % 50 === 0) lines.push("    # a comment line", "");
  }
  lines.push(
    `  - datasource: ${(7).toString(16).padStart(8, "0")}-6c07-41fc-99ed-b2dce9a5f569`,
    "    table: DUP",
  );
  return `${lines.join("\n")}\n`;
}

describe("readSimpleYaml", () => {
  it.each(SIMPLE_VALUES)("reads `table: %s` itself", (value) => {
    expect(readSimpleYaml(manifest(value, LAYOUTS[0]?.[1] ?? String, false))).toBeDefined();
  });

  it.each(YAML_ONLY_VALUES)("leaves `table: %s` to yaml", (value) => {
    expect(readSimpleYaml(manifest(value, LAYOUTS[0]?.[1] ?? String, false))).toBeUndefined();
  });

  it.each(LAYOUTS)("reads the %s layout, LF and CRLF", (_name, layout) => {
    expect(readSimpleYaml(manifest("T", layout, false))).toBeDefined();
    expect(readSimpleYaml(manifest("T", layout, true))).toBeDefined();
  });

  it("reads the example manifest itself", () => {
    expect(readSimpleYaml(DOCUMENTS[0]?.[1] ?? "")).toBeDefined();
  });
});

describe("parseManifest gives the same result with either reader", () => {
  const cases: [string, string][] = [];
  for (const value of [...SIMPLE_VALUES, ...YAML_ONLY_VALUES]) {
    for (const [layoutName, layout] of LAYOUTS) {
      for (const crlf of [false, true]) {
        cases.push([
          `table: ${JSON.stringify(value)}, ${layoutName}${crlf ? ", CRLF" : ""}`,
          manifest(value, layout, crlf),
        ]);
      }
    }
  }
  cases.push(...DOCUMENTS);

  it.each(cases)("%s", (_name, text) => {
    const fast = parseManifest(text, "m.yaml");
    const slow = parseManifest(text, "m.yaml", { simpleYaml: false });
    expect(fast).toEqual(slow);
  });

  it("is not vacuous: the fast reader takes most of these cases", () => {
    const taken = cases.filter(([, text]) => readSimpleYaml(text) !== undefined).length;
    expect(taken).toBeGreaterThan(cases.length / 2);
  });
});

describe("readSimpleYaml's nodes", () => {
  /** Every scalar of a tree, depth first: its source text (the fast reader keeps it as the value) and where it starts and ends. */
  function scalars(node: unknown, out: unknown[][] = []): unknown[][] {
    if (isScalar(node)) out.push([node.source ?? String(node.value), node.range?.[0], node.range?.[1]]);
    else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          scalars(item.key, out);
          scalars(item.value, out);
        } else scalars(item, out);
      }
    }
    return out;
  }

  it("start and end where yaml's do, their range read back as an array", () => {
    const text = manifest("T_1", LAYOUTS[0]?.[1] ?? String, false);
    const fast = scalars(readSimpleYaml(text)?.root);
    const slow = scalars(parseDocument(text, { version: "1.2" }).contents);
    expect(fast.length).toBeGreaterThan(5);
    expect(fast).toEqual(slow);
  });

  it("let a scalar's range be set, as yaml's clone does", () => {
    const root = readSimpleYaml("version: 1\n")?.root;
    const [pair] = root?.items ?? [];
    const key = pair?.key as Scalar;
    key.range = [3, 4, 5];
    expect(key.range).toEqual([3, 4, 5]);
    expect((key.clone() as Scalar).range).toEqual([3, 4, 5]);
  });
});
