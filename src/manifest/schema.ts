/**
 * The one source of truth for the manifest's fields (SPEC section 3). The runtime check
 * (`parse-manifest.ts`), the TypeScript types (`types.ts`) and the editor JSON Schema
 * (`manifests/manifest.schema.json`, via `manifestJsonSchema`) are all produced from these tables,
 * so a field added here reaches all three.
 */

/** The only manifest version this fedmigrate reads. */
export const MANIFEST_VERSION = 1;

/**
 * What `datasource` and `account` ids must look like: they become URL path segments, so no `/`,
 * no leading dot (`..`), no spaces.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Control characters (C0 with line breaks and tabs, DEL, C1): never part of a real catalog/schema/table name. */
export const CONTROL_CHARACTER = /\p{Cc}/u;

/** `CONTROL_CHARACTER`'s complement for the JSON Schema, whose patterns have no `\p{…}`. */
const NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$";

/** What `schema` is sent as when the manifest gives a YAML null: Domo's word for "no schema". */
const NULL_SCHEMA = "NULL";

/**
 * How a field's YAML value is read.
 * - `id`: the scalar's source text, matching `ID_PATTERN`.
 * - `identifier`: the scalar's source text, sent exactly as written; not empty, no control characters.
 * - `label`: free text for people, same rules as `identifier`.
 * - `text`: a top-level string setting (domain, journal path), same rules as `identifier`.
 * - `version`: the number 1.
 * - `defaults`: a mapping of entry fields that may have a default.
 * - `entries`: the list of entries.
 */
export type FieldKind = "id" | "identifier" | "label" | "text" | "version" | "defaults" | "entries";

/** One field of a manifest entry. */
export interface EntryFieldSpec {
  readonly kind: Extract<FieldKind, "id" | "identifier" | "label">;
  /** Must every entry have it once defaults apply? */
  readonly required: boolean;
  /** May `defaults` give it? */
  readonly defaultable: boolean;
  /** What a YAML null means for this field; without it, a null is an error. */
  readonly nullMeans?: string;
  readonly description: string;
}

/** One top-level field of a manifest. */
export interface TopFieldSpec {
  readonly kind: Exclude<FieldKind, EntryFieldSpec["kind"]>;
  readonly required: boolean;
  readonly description: string;
}

/** The fields of one entry under `migrations`, in the order they are documented and hashed. */
export const ENTRY_FIELDS = {
  datasource: {
    kind: "id",
    required: true,
    defaultable: false,
    description: "The Federated V1 datasource id to migrate (as `GET /candidates` lists it).",
  },
  name: {
    kind: "label",
    required: false,
    defaultable: true,
    description: "Optional: a name for people and reports; never sent to Domo.",
  },
  account: {
    kind: "id",
    required: true,
    defaultable: true,
    description:
      'The Federated V2 account id to migrate to. Unquoted numbers keep their text: `account: 12` is "12".',
  },
  catalog: {
    kind: "identifier",
    required: true,
    defaultable: true,
    description: "The catalog (database) the datasource reads; case-sensitive, sent exactly as written.",
  },
  schema: {
    kind: "identifier",
    required: true,
    defaultable: true,
    nullMeans: NULL_SCHEMA,
    description:
      'The schema the datasource reads; case-sensitive. `NULL`, `null`, `~` or an empty value mean a database without schemas (sent as "NULL").',
  },
  table: {
    kind: "identifier",
    required: true,
    defaultable: true,
    description:
      'The table the datasource reads; case-sensitive. Unquoted scalars keep their text: `0123` is "0123".',
  },
} as const satisfies Record<string, EntryFieldSpec>;

/** The top-level fields of a manifest. */
export const TOP_FIELDS = {
  version: {
    kind: "version",
    required: true,
    description: "The manifest format version; must be 1.",
  },
  domain: {
    kind: "text",
    required: false,
    description:
      "Optional: the Domo instance (acme, acme.domo.com or https://acme.domo.com). --domain and DOMO_DOMAIN take precedence.",
  },
  journal: {
    kind: "text",
    required: false,
    description:
      "Optional: the journal file, relative to this manifest's directory. --journal and FEDMIGRATE_JOURNAL take precedence.",
  },
  defaults: {
    kind: "defaults",
    required: false,
    description: "Optional: values for any entry field except `datasource`; an entry's own value wins.",
  },
  migrations: {
    kind: "entries",
    required: true,
    description: "The datasources to migrate, one entry each.",
  },
} as const satisfies Record<string, TopFieldSpec>;

/** The name of an entry field. */
export type EntryFieldName = keyof typeof ENTRY_FIELDS;

/** The name of a top-level field. */
export type TopFieldName = keyof typeof TOP_FIELDS;

/** The entry fields `defaults` may give. */
export type DefaultableFieldName = {
  [K in EntryFieldName]: (typeof ENTRY_FIELDS)[K]["defaultable"] extends true ? K : never;
}[EntryFieldName];

/**
 * An entry's values once defaults apply, derived from `ENTRY_FIELDS`: required fields are strings,
 * optional ones `string | undefined`.
 */
export type EntryFields = {
  [K in EntryFieldName]: (typeof ENTRY_FIELDS)[K]["required"] extends true ? string : string | undefined;
};

/** The entry field names, in table order (the order of the hash and of the JSON Schema). */
export const ENTRY_FIELD_NAMES = Object.keys(ENTRY_FIELDS) as EntryFieldName[];

/** The entry field names `defaults` may give, in table order. */
export const DEFAULTABLE_FIELD_NAMES = ENTRY_FIELD_NAMES.filter(
  (name) => ENTRY_FIELDS[name].defaultable,
) as DefaultableFieldName[];

/** The top-level field names, in table order. */
export const TOP_FIELD_NAMES = Object.keys(TOP_FIELDS) as TopFieldName[];

type JsonSchema = Record<string, unknown>;

/**
 * A value as an editor sees it. Unquoted YAML scalars that look like numbers or booleans are read
 * by fedmigrate as their text, so they are allowed too; an id written as a number must still be
 * one `ID_PATTERN` accepts, which for a number's value means not negative (`account: -12`).
 */
function scalarSchema(spec: EntryFieldSpec): JsonSchema[] {
  const pattern = spec.kind === "id" ? ID_PATTERN.source : NO_CONTROL_CHARACTERS;
  const alternatives: JsonSchema[] = [
    { type: "string", minLength: 1, pattern },
    spec.kind === "id" ? { type: "number", minimum: 0 } : { type: "number" },
    { type: "boolean" },
  ];
  if (spec.nullMeans !== undefined) alternatives.push({ type: "null" });
  return alternatives;
}

function entryFieldSchema(spec: EntryFieldSpec): JsonSchema {
  return { description: spec.description, anyOf: scalarSchema(spec) };
}

function entryFieldsSchema(names: readonly EntryFieldName[]): JsonSchema {
  return Object.fromEntries(names.map((name) => [name, entryFieldSchema(ENTRY_FIELDS[name])]));
}

/** The required entry fields `defaults` may give: each entry needs them unless `defaults` has them. */
const REQUIRED_DEFAULTABLE = DEFAULTABLE_FIELD_NAMES.filter((name) => ENTRY_FIELDS[name].required);

/**
 * "Once defaults apply, every entry has the required fields", as JSON Schema can say it: for each
 * required field, unless `defaults` gives it, every entry must.
 */
function requiredAfterDefaults(): JsonSchema[] {
  return REQUIRED_DEFAULTABLE.map((name) => ({
    if: {
      type: "object",
      required: ["defaults"],
      properties: { defaults: { type: "object", required: [name], properties: { [name]: true } } },
    },
    else: {
      type: "object",
      properties: {
        migrations: {
          type: "array",
          items: { type: "object", required: [name], properties: { [name]: true } },
        },
      },
    },
  }));
}

function topFieldSchema(name: TopFieldName): JsonSchema {
  const spec: TopFieldSpec = TOP_FIELDS[name];
  switch (spec.kind) {
    case "version":
      return { description: spec.description, const: MANIFEST_VERSION };
    case "text":
      return {
        description: spec.description,
        anyOf: [
          { type: "string", minLength: 1, pattern: NO_CONTROL_CHARACTERS },
          // Read as their text, like entry values: `journal: 2024` is the file "2024".
          { type: "number" },
          { type: "boolean" },
        ],
      };
    case "defaults":
      return { description: spec.description, $ref: "#/definitions/defaults" };
    case "entries":
      return {
        description: spec.description,
        type: "array",
        minItems: 1,
        items: { $ref: "#/definitions/entry" },
      };
  }
}

/**
 * The manifest's JSON Schema (draft-07, which editors' YAML language servers support best),
 * generated from the field tables. `manifests/manifest.schema.json` is this, written by
 * `scripts/generate-schema.mjs`; a test keeps the two equal.
 *
 * It loads in Ajv's strict mode and agrees with `fedmigrate validate` wherever a schema can say
 * the rule (test/manifest/schema-agreement.test.ts). The rules it cannot say are left to
 * `validate`: a datasource listed twice (in a file, case-insensitively, or across files), the
 * domain's rules, duplicate YAML keys, aliases, and what an unquoted scalar's source text must be
 * (`version: 1.0`, `account: +12` or `.5` have a number's value the schema accepts).
 */
export function manifestJsonSchema(): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "fedmigrate manifest",
    description:
      "Which Domo Federated V1 datasources move to which Federated V2 account, and which catalog/schema/table each reads. The developer token never goes here: use DOMO_DEVELOPER_TOKEN or --token-file.",
    type: "object",
    additionalProperties: false,
    required: TOP_FIELD_NAMES.filter((name) => TOP_FIELDS[name].required),
    properties: Object.fromEntries(TOP_FIELD_NAMES.map((name) => [name, topFieldSchema(name)])),
    allOf: requiredAfterDefaults(),
    definitions: {
      defaults: {
        description: TOP_FIELDS.defaults.description,
        anyOf: [
          // An empty `defaults:` (every line commented out) is harmless.
          { type: "null" },
          {
            type: "object",
            additionalProperties: false,
            properties: entryFieldsSchema(DEFAULTABLE_FIELD_NAMES),
          },
        ],
      },
      entry: {
        description:
          "One datasource to migrate. Once `defaults` apply it needs account, catalog, schema and table.",
        type: "object",
        additionalProperties: false,
        required: ENTRY_FIELD_NAMES.filter((name) => !ENTRY_FIELDS[name].defaultable),
        properties: entryFieldsSchema(ENTRY_FIELD_NAMES),
      },
    },
  };
}
