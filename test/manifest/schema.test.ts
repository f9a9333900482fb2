import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import {
  DEFAULTABLE_FIELD_NAMES,
  ENTRY_FIELD_NAMES,
  type EntryFieldName,
  ID_PATTERN,
  manifestJsonSchema,
  TOP_FIELD_NAMES,
} from "../../src/manifest/schema.js";
import type { ManifestEntry } from "../../src/manifest/types.js";

const committed = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the manifest schema", () => {
  it("is committed as manifests/manifest.schema.json exactly as generated (regenerate with scripts/generate-schema.mjs)", () => {
    expect(committed("manifests/manifest.schema.json")).toBe(
      `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
    );
  });

  it("lists exactly the fields of the tables, at every level", () => {
    const schema = manifestJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
      definitions: Record<
        string,
        { properties: Record<string, unknown>; required?: string[]; anyOf?: { properties?: object }[] }
      >;
    };
    const defaults = schema.definitions.defaults?.anyOf?.find((branch) => branch.properties)?.properties;
    expect(Object.keys(schema.properties)).toEqual(TOP_FIELD_NAMES);
    expect(schema.required).toEqual(["version", "migrations"]);
    expect(Object.keys(schema.definitions.entry?.properties ?? {})).toEqual(ENTRY_FIELD_NAMES);
    expect(schema.definitions.entry?.required).toEqual(["datasource"]);
    expect(Object.keys(defaults ?? {})).toEqual(DEFAULTABLE_FIELD_NAMES);
    expect(DEFAULTABLE_FIELD_NAMES).not.toContain("datasource");
  });

  it("uses the same id pattern as the runtime check", () => {
    const schema = manifestJsonSchema() as {
      definitions: { entry: { properties: Record<string, { anyOf: { pattern?: string }[] }> } };
    };
    const patternOf = (field: string) =>
      schema.definitions.entry.properties[field]?.anyOf.find((branch) => branch.pattern)?.pattern;
    expect(patternOf("datasource")).toBe(ID_PATTERN.source);
    expect(patternOf("account")).toBe(ID_PATTERN.source);
  });

  it("gives ManifestEntry exactly the table's fields, plus where it was declared", () => {
    expectTypeOf<
      Exclude<keyof ManifestEntry, "file" | "line" | "column" | "index">
    >().toEqualTypeOf<EntryFieldName>();
    expectTypeOf<ManifestEntry["name"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ManifestEntry["table"]>().toEqualTypeOf<string>();
  });
});

describe("manifests/example.yaml", () => {
  const text = committed("manifests/example.yaml");

  it("points editors at the schema on its first line", () => {
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./manifest.schema.json");
  });

  it("is valid, and shows defaults, overrides, names, NULL schema, quoting and numeric-looking text", () => {
    const result = parseManifest(text, "manifests/example.yaml");
    expect(result.issues).toEqual([]);
    expect(result.domain?.value).toBe("acme.domo.com");
    expect(
      result.entries.map(({ datasource, name, account, catalog, schema, table }) => [
        datasource,
        name,
        account,
        catalog,
        schema,
        table,
      ]),
    ).toEqual([
      ["495e28ec-6c07-41fc-99ed-b2dce9a5f569", "Orders (Snowflake)", "12", "ANALYTICS", "PUBLIC", "ORDERS"],
      ["7c1d9a52-3f0b-4d8e-9a61-0b2f5e8c4d17", "Region 42 daily", "12", "ANALYTICS", "PUBLIC", "0042"],
      ["F495e28ec-6c07-41fc-99ed-b2dce9a5f569", "MySQL Table 2", "13", "sales_db", "NULL", "customers"],
      [
        "1b7e4d2a-88c1-4f0e-b6a3-9e2d4c5f7a80",
        "Finance: ledger #2",
        "12",
        "FINANCE",
        "PUBLIC",
        "GL_ENTRIES#2",
      ],
    ]);
  });
});
