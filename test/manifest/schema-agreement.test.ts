import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { manifestJsonSchema } from "../../src/manifest/schema.js";

/**
 * The editor's JSON Schema and `fedmigrate validate` must agree wherever a schema can say the
 * rule; the few rules only `validate` checks are listed apart, so that a new disagreement fails.
 */
function schemaValidator() {
  // strict: true turns every strict option on (strictTypes, strictRequired, strictTuples…), so
  // a keyword the schema misuses is an error here rather than a silent no-op in an editor.
  const ajv = new Ajv({ strict: true, allErrors: true });
  return ajv.compile(manifestJsonSchema());
}

const validate = schemaValidator();

/** What the editor sees: YAML 1.2 core, as yaml-language-server reads it. */
function schemaAccepts(text: string): boolean {
  return validate(parse(text, { version: "1.2" })) === true;
}

function validateAccepts(text: string): boolean {
  return parseManifest(text, "m.yaml").issues.length === 0;
}

const entry = (fields: string) =>
  `version: 1\nmigrations:\n  - datasource: ds1\n${fields
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;
const FULL = 'account: "12"\ncatalog: C\nschema: S\ntable: T';

/** [what, manifest, both accept?] */
const AGREE: [string, string, boolean][] = [
  ["a complete entry", entry(FULL), true],
  ["numbers and booleans kept as text", entry("account: 12\ncatalog: true\nschema: 2024\ntable: 0123"), true],
  ["an id written as a non-negative number", entry("account: 1.5\ncatalog: C\nschema: S\ntable: T"), true],
  ["schema null means no schema", entry("account: 12\ncatalog: C\nschema:\ntable: T"), true],
  ["schema NULL", entry("account: 12\ncatalog: C\nschema: NULL\ntable: T"), true],
  [
    "fields from defaults",
    'version: 1\ndefaults:\n  account: "12"\n  catalog: C\n  schema: ~\n  table: T\nmigrations:\n  - datasource: ds1\n',
    true,
  ],
  [
    "some fields from defaults, the rest in the entry",
    "version: 1\ndefaults:\n  account: 12\nmigrations:\n  - datasource: ds1\n    catalog: C\n    schema: S\n    table: T\n",
    true,
  ],
  ["an empty defaults", `version: 1\ndefaults:\nmigrations:\n  - datasource: ds1\n${indent(FULL)}\n`, true],
  ["domain and journal", `version: 1\ndomain: acme.domo.com\njournal: 2024\n${entry(FULL).slice(11)}`, true],
  ["a negative account", entry("account: -12\ncatalog: C\nschema: S\ntable: T"), false],
  ["a negative datasource", `version: 1\nmigrations:\n  - datasource: -1\n${indent(FULL)}`, false],
  ["an id with a slash", entry("account: a/b\ncatalog: C\nschema: S\ntable: T"), false],
  ["an id with a space", entry('account: "a b"\ncatalog: C\nschema: S\ntable: T'), false],
  ["an id starting with a dot", entry("account: ..\ncatalog: C\nschema: S\ntable: T"), false],
  ["a missing table", entry("account: 12\ncatalog: C\nschema: S"), false],
  [
    "a field missing from both defaults and an entry",
    "version: 1\ndefaults:\n  account: 12\n  catalog: C\nmigrations:\n  - datasource: ds1\n    schema: S\n",
    false,
  ],
  ["an empty table", entry('account: 12\ncatalog: C\nschema: S\ntable: ""'), false],
  ["an empty schema string", entry('account: 12\ncatalog: C\nschema: ""\ntable: T'), false],
  ["a null table", entry("account: 12\ncatalog: C\nschema: S\ntable:"), false],
  ["a null name", entry(`${FULL}\nname:`), false],
  ["a table with a line break", entry('account: 12\ncatalog: C\nschema: S\ntable: "a\\nb"'), false],
  [
    "a table with a C1 control character",
    entry('account: 12\ncatalog: C\nschema: S\ntable: "a\\u0085b"'),
    false,
  ],
  ["a table given as a list", entry("account: 12\ncatalog: C\nschema: S\ntable: [a, b]"), false],
  ["an unknown entry key", entry(`${FULL}\ntabel: T`), false],
  ["a token key", entry(`${FULL}\ntoken: abc`), false],
  ["an unknown top-level key", `tokenFile: x\n${entry(FULL)}`, false],
  [
    "datasource in defaults",
    `version: 1\ndefaults:\n  datasource: x\nmigrations:\n  - datasource: ds1\n${indent(FULL)}\n`,
    false,
  ],
  [
    "defaults as a list",
    `version: 1\ndefaults: [a]\nmigrations:\n  - datasource: ds1\n${indent(FULL)}\n`,
    false,
  ],
  ["a quoted version", entry(FULL).replace("version: 1", 'version: "1"'), false],
  ["version 2", entry(FULL).replace("version: 1", "version: 2"), false],
  ["no version", entry(FULL).replace("version: 1\n", ""), false],
  ["no migrations", "version: 1\n", false],
  ["an empty migrations list", "version: 1\nmigrations: []\n", false],
  ["an entry that is not a mapping", "version: 1\nmigrations:\n  - ds1\n", false],
  ["an empty domain", `version: 1\ndomain: ""\n${entry(FULL).slice(11)}`, false],
  ["a journal with a line break", `version: 1\njournal: "a\\nb"\n${entry(FULL).slice(11)}`, false],
  ["a manifest that is a list", "- version: 1\n", false],
];

/** Rules only `validate` checks (README, "The manifest"): the schema accepts these. */
const VALIDATE_ONLY: [string, string][] = [
  [
    "a datasource listed twice",
    `version: 1\nmigrations:\n  - datasource: ds1\n${indent(FULL)}\n  - datasource: DS1\n${indent(FULL)}\n`,
  ],
  ["version written 1.0", entry(FULL).replace("version: 1", "version: 1.0")],
  ["an id written +12 (the value 12, the text +12)", entry("account: +12\ncatalog: C\nschema: S\ntable: T")],
  ["an id written .5", entry("account: .5\ncatalog: C\nschema: S\ntable: T")],
  [
    "a domain that is not a Domo domain",
    `version: 1\ndomain: "https://acme.domo.com/path?q"\n${entry(FULL).slice(11)}`,
  ],
];

function indent(fields: string): string {
  return fields
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

describe("the manifest's JSON Schema and validate", () => {
  it("compiles in Ajv's strict mode", () => {
    expect(() => schemaValidator()).not.toThrow();
  });

  it.each(AGREE)("agree: %s", (_what, text, accepted) => {
    expect({ schema: schemaAccepts(text), validate: validateAccepts(text) }).toEqual({
      schema: accepted,
      validate: accepted,
    });
  });

  it.each(VALIDATE_ONLY)("only validate refuses: %s", (_what, text) => {
    expect({ schema: schemaAccepts(text), validate: validateAccepts(text) }).toEqual({
      schema: true,
      validate: false,
    });
  });

  it("accepts the committed example and demo manifests", async () => {
    const { readFileSync } = await import("node:fs");
    for (const file of ["manifests/example.yaml", "manifests/demo/migrations.yaml"]) {
      const text = readFileSync(file, "utf8");
      expect({ file, schema: schemaAccepts(text), validate: validateAccepts(text) }).toEqual({
        file,
        schema: true,
        validate: true,
      });
    }
  });
});
