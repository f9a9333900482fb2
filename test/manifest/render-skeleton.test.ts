import { describe, expect, it } from "vitest";
import type { Account, Candidate } from "../../src/domo/types.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import {
  buildSkeleton,
  renderSkeleton,
  type SkeletonHeader,
  type SkeletonSource,
} from "../../src/manifest/render-skeleton.js";

const HEADER: SkeletonHeader = {
  version: "9.9.9",
  generatedAt: "2026-01-02T03:04:05.000Z",
  domain: "acme.domo.com",
  command: "fedmigrate discover",
};

function account(id: string, type = "mysql-federated", name = `account ${id}`): Account {
  return { id, type, name };
}

function candidate(id: string, extra: Partial<Candidate> = {}): Candidate {
  return { id, name: `name of ${id}`, migrated: false, migrationDate: null, ...extra };
}

function source(acc: Account, candidates: Candidate[]): SkeletonSource {
  return { type: acc.type, account: acc, candidates };
}

/** Fills what the skeleton leaves open, line by line, as an operator would. */
function fill(yaml: string): string {
  return yaml
    .split("\n")
    .map((line) =>
      line
        .replace(/^ {4}catalog: #.*$/, "    catalog: db")
        .replace(/^ {4}# schema: #.*$/, "    schema: NULL")
        .replace(/^ {4}table: #.*$/, "    table: t"),
    )
    .join("\n");
}

describe("buildSkeleton", () => {
  const a1 = account("1");
  const a2 = account("2");
  const s12 = account("12", "snowflake-federated");

  it.each([
    {
      title: "a candidate listed by two accounts is written once, under the first, naming the other",
      sources: [source(a1, [candidate("x"), candidate("y")]), source(a2, [candidate("y"), candidate("z")])],
      includeMigrated: false,
      want: [
        {
          account: "1",
          entries: [
            ["x", []],
            ["y", ["2"]],
          ],
          listedEarlier: 0,
          migratedLeftOut: 0,
        },
        { account: "2", entries: [["z", []]], listedEarlier: 1, migratedLeftOut: 0 },
      ],
      counts: { accounts: 2, datasources: 3, entries: 3, migratedLeftOut: 0, migratedIncluded: 0 },
    },
    {
      title: "migrated candidates are left out, counted once across lists",
      sources: [
        source(a1, [
          candidate("m", { migrated: true, migrationDate: "2024-04-15T19:48:02Z" }),
          candidate("u"),
        ]),
        source(a2, [candidate("m", { migrated: true })]),
      ],
      includeMigrated: false,
      want: [
        { account: "1", entries: [["u", []]], listedEarlier: 0, migratedLeftOut: 1 },
        { account: "2", entries: [], listedEarlier: 0, migratedLeftOut: 1 },
      ],
      counts: { accounts: 2, datasources: 2, entries: 1, migratedLeftOut: 1, migratedIncluded: 0 },
    },
    {
      title: "a datasource migrated according to a later list counts as migrated",
      sources: [source(a1, [candidate("m")]), source(a2, [candidate("m", { migrated: true })])],
      includeMigrated: false,
      want: [
        { account: "1", entries: [], listedEarlier: 0, migratedLeftOut: 1 },
        { account: "2", entries: [], listedEarlier: 0, migratedLeftOut: 1 },
      ],
      counts: { accounts: 2, datasources: 1, entries: 0, migratedLeftOut: 1, migratedIncluded: 0 },
    },
    {
      title: "with includeMigrated they are written, once",
      sources: [source(a1, [candidate("m", { migrated: true })]), source(s12, [candidate("s")])],
      includeMigrated: true,
      want: [
        { account: "1", entries: [["m", []]], listedEarlier: 0, migratedLeftOut: 0 },
        { account: "12", entries: [["s", []]], listedEarlier: 0, migratedLeftOut: 0 },
      ],
      counts: { accounts: 2, datasources: 2, entries: 2, migratedLeftOut: 0, migratedIncluded: 1 },
    },
    {
      title: "a list naming a datasource twice yields one entry",
      sources: [source(a1, [candidate("d"), candidate("d")])],
      includeMigrated: false,
      want: [{ account: "1", entries: [["d", []]], listedEarlier: 0, migratedLeftOut: 0 }],
      counts: { accounts: 1, datasources: 1, entries: 1, migratedLeftOut: 0, migratedIncluded: 0 },
    },
  ])("$title", ({ sources, includeMigrated, want, counts }) => {
    const skeleton = buildSkeleton(sources, { includeMigrated });
    expect(
      skeleton.groups.map((g) => ({
        account: g.account.id,
        entries: g.entries.map((e) => [e.datasource, e.alsoListedBy.map((a) => a.id)]),
        listedEarlier: g.listedEarlier,
        migratedLeftOut: g.migratedLeftOut,
      })),
    ).toEqual(want);
    expect(skeleton.counts).toEqual(counts);
  });
});

describe("renderSkeleton", () => {
  it("fails validation only for catalog, schema and table, with both YAML readers", () => {
    const skeleton = buildSkeleton(
      [source(account("1"), [candidate("a"), candidate("b")]), source(account("2"), [candidate("b")])],
      { includeMigrated: false },
    );
    const yaml = renderSkeleton(skeleton, HEADER);
    for (const simpleYaml of [true, false]) {
      const parsed = parseManifest(yaml, "skeleton.yaml", { simpleYaml });
      expect(parsed.issues.map((i) => `${i.entry} ${i.field}`)).toEqual([
        "1 (a) schema",
        "1 (a) catalog",
        "1 (a) table",
        "2 (b) schema",
        "2 (b) catalog",
        "2 (b) table",
      ]);
      expect(parsed.domain?.value).toBe("acme.domo.com");
    }
  });

  it("says in the header why schema is commented out, and never leaves `schema:` empty", () => {
    const yaml = renderSkeleton(
      buildSkeleton([source(account("1"), [candidate("a")])], { includeMigrated: false }),
      HEADER,
    );
    expect(yaml).toContain("an empty `schema:` means NULL");
    expect(yaml).toMatch(/^ {4}# schema: # TODO/m);
    expect(yaml).not.toMatch(/^\s*schema:/m);
    expect(yaml).toContain("# Written by fedmigrate 9.9.9 on 2026-01-02T03:04:05.000Z: fedmigrate discover");
  });

  // Whatever Domo calls things, the skeleton stays valid YAML that reads back exactly.
  it.each([
    { id: "495e28ec-6c07-41fc-99ed-b2dce9a5f569", name: "MySQL Table 1", accountId: "12" },
    { id: "null", name: 'He said "hi" \\ bye', accountId: "007" },
    { id: "true", name: "a: b # not a comment", accountId: "null" },
    { id: "0123", name: "- dash {braces} [list] &anchor *alias !tag %pct @at `tick`", accountId: "1e3" },
    { id: "1e3", name: "'single' quotes", accountId: "a:b" },
    { id: "a:b", name: "ünïcødé 名前 🚀", accountId: "x.y_z-1" },
    { id: "x.y_z-1", name: "~", accountId: "1" },
  ])("round-trips datasource $id, name $name, account $accountId", ({ id, name, accountId }) => {
    const acc = account(accountId, "t", `weird\nname # "${name}"`);
    const yaml = renderSkeleton(
      buildSkeleton([source(acc, [candidate(id, { name })])], { includeMigrated: false }),
      HEADER,
    );
    for (const simpleYaml of [true, false]) {
      const parsed = parseManifest(fill(yaml), "filled.yaml", { simpleYaml });
      expect(parsed.issues).toEqual([]);
      expect(parsed.entries.map((e) => [e.datasource, e.name, e.account, e.schema])).toEqual([
        [id, name, accountId, "NULL"],
      ]);
    }
  });

  it.each([
    { name: "line\nbreak", written: "line break" },
    { name: "tab\there", written: "tab here" },
    { name: "bell\u0007 and NEL\u0085 end", written: "bell and NEL end" },
    { name: "para\u2029graph", written: "para graph" },
    { name: "\u200bzero width", written: "\u200bzero width" },
    { name: "\ufeffBOM", written: "BOM" },
  ])("writes a name with characters the manifest refuses or YAML misreads: $written", ({ name, written }) => {
    const yaml = renderSkeleton(
      buildSkeleton([source(account("1"), [candidate("d", { name })])], { includeMigrated: false }),
      HEADER,
    );
    const parsed = parseManifest(fill(yaml), "filled.yaml");
    expect(parsed.issues).toEqual([]);
    expect(parsed.entries[0]?.name).toBe(written);
  });

  it("omits a name that is empty once cleaned", () => {
    const yaml = renderSkeleton(
      buildSkeleton([source(account("1"), [candidate("d", { name: "\n\t" })])], { includeMigrated: false }),
      HEADER,
    );
    expect(yaml).not.toMatch(/^ {4}name:/m);
    const parsed = parseManifest(fill(yaml), "filled.yaml");
    expect(parsed.issues).toEqual([]);
    expect(parsed.entries[0]?.name).toBeUndefined();
  });

  it("marks an included migrated entry with its date, which plan skips", () => {
    const yaml = renderSkeleton(
      buildSkeleton(
        [
          source(account("1"), [
            candidate("m", { migrated: true, migrationDate: "2024-04-15T19:48:02.410+00:00" }),
          ]),
        ],
        { includeMigrated: true },
      ),
      HEADER,
    );
    expect(yaml).toContain(
      "  - datasource: m # already migrated on 2024-04-15T19:48:02.410+00:00: plan skips it\n",
    );
    expect(yaml).toContain("# 1 entry already migrated is marked so: plan and migrate skip them.");
  });

  it("writes an empty list, commented, when nothing is left to migrate", () => {
    const skeleton = buildSkeleton([source(account("1"), [candidate("m", { migrated: true })])], {
      includeMigrated: false,
    });
    const yaml = renderSkeleton(skeleton, HEADER);
    expect(yaml).toContain(
      '# Account "1": account 1 (mysql-federated): 0 datasources; 1 already migrated, left out\n',
    );
    expect(yaml).toContain("migrations: [] #");
    const parsed = parseManifest(yaml, "empty.yaml");
    expect(parsed.issues.map((i) => i.message)).toEqual(["`migrations` lists no entries"]);
  });
});
