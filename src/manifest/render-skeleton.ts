import type { Account, Candidate } from "../domo/types.js";
import { plural } from "../report/plural.js";

/** One V2 account and the candidates it lists, as `discover` read them. */
export interface SkeletonSource {
  /** The integration type the account was listed under. */
  type: string;
  account: Account;
  candidates: readonly Candidate[];
}

/** One datasource of the skeleton, written under the first account that lists it. */
export interface SkeletonEntry {
  datasource: string;
  name: string;
  /** The account it is written under: the first that lists it, in the server's order. */
  account: Account;
  type: string;
  /** Migrated according to any of the lists that name it. */
  migrated: boolean;
  migrationDate: string | null;
  /** The other accounts that list it: the operator may choose one of them instead. */
  alsoListedBy: Account[];
}

/** One account's part of the skeleton. */
export interface SkeletonGroup {
  type: string;
  account: Account;
  entries: SkeletonEntry[];
  /** Its candidates written under an earlier account instead. */
  listedEarlier: number;
  /** Its migrated candidates left out (without `includeMigrated`). */
  migratedLeftOut: number;
}

/** What the skeleton holds, before it is rendered. */
export interface Skeleton {
  groups: SkeletonGroup[];
  counts: {
    accounts: number;
    /** Distinct datasources over all lists. */
    datasources: number;
    /** Entries written. */
    entries: number;
    /** Distinct migrated datasources left out. */
    migratedLeftOut: number;
    /** Entries written that are already migrated (with `includeMigrated`). */
    migratedIncluded: number;
  };
}

/** What the skeleton's header says about where it came from. Never the token. */
export interface SkeletonHeader {
  /** fedmigrate's version. */
  version: string;
  /** ISO time of the discovery. */
  generatedAt: string;
  /** The domain as the manifest should name it (`acme.domo.com`, `http://127.0.0.1:8787`). */
  domain: string;
  /** The command that wrote it, for people (`fedmigrate discover --type mysql-federated`). */
  command: string;
}

/**
 * Decides the skeleton's entries from the candidate lists: one entry per datasource, under the
 * first account that lists it (the others are named, since the operator may prefer one), and
 * migrated datasources left out unless `includeMigrated`. Pure.
 */
export function buildSkeleton(
  sources: readonly SkeletonSource[],
  options: { includeMigrated: boolean },
): Skeleton {
  // Every list naming a datasource, so its first account and its migrated state consider them all.
  const seen = new Map<string, { first: SkeletonSource; all: SkeletonSource[]; candidates: Candidate[] }>();
  for (const source of sources) {
    for (const candidate of source.candidates) {
      const known = seen.get(candidate.id);
      if (known === undefined) {
        seen.set(candidate.id, { first: source, all: [source], candidates: [candidate] });
      } else {
        if (!known.all.includes(source)) known.all.push(source);
        known.candidates.push(candidate);
      }
    }
  }

  const migratedLeftOut = new Set<string>();
  let migratedIncluded = 0;
  const groups = sources.map((source): SkeletonGroup => {
    const group: SkeletonGroup = {
      type: source.type,
      account: source.account,
      entries: [],
      listedEarlier: 0,
      migratedLeftOut: 0,
    };
    const written = new Set<string>();
    for (const candidate of source.candidates) {
      const known = seen.get(candidate.id);
      // A list naming the same datasource twice is written once.
      if (known === undefined || written.has(candidate.id)) continue;
      written.add(candidate.id);
      const migratedIn = known.candidates.find((c) => c.migrated);
      if (migratedIn && !options.includeMigrated) {
        group.migratedLeftOut += 1;
        migratedLeftOut.add(candidate.id);
        continue;
      }
      if (known.first !== source) {
        group.listedEarlier += 1;
        continue;
      }
      if (migratedIn) migratedIncluded += 1;
      group.entries.push({
        datasource: candidate.id,
        name: known.candidates.find((c) => c.name.trim() !== "")?.name ?? candidate.name,
        account: source.account,
        type: source.type,
        migrated: migratedIn !== undefined,
        migrationDate: migratedIn?.migrationDate ?? null,
        alsoListedBy: known.all.filter((s) => s !== source).map((s) => s.account),
      });
    }
    return group;
  });

  return {
    groups,
    counts: {
      accounts: sources.length,
      datasources: seen.size,
      entries: groups.reduce((sum, group) => sum + group.entries.length, 0),
      migratedLeftOut: migratedLeftOut.size,
      migratedIncluded,
    },
  };
}

const TODO = {
  catalog: "# TODO: the catalog/database it reads (case-sensitive)",
  schema: "# TODO: the schema (case-sensitive), or NULL if the database has none; then uncomment",
  table: "# TODO: the table it reads (case-sensitive)",
};

/**
 * Renders a skeleton as manifest YAML (SPEC section 3) that `validate` rejects only for the
 * fields left to fill: `catalog` and `table` are present and empty, `schema` is commented out.
 *
 * Why `schema` is commented out rather than empty: in a manifest an empty `schema:` means "no
 * schema" (sent as NULL), so an empty line would pass validation as a guess nobody made, and a
 * Snowflake datasource would be sent NULL. Commented out, it is a missing required field that
 * `validate` names for every entry until the operator writes the schema or NULL (here or under
 * `defaults`). The header says so.
 */
export function renderSkeleton(skeleton: Skeleton, header: SkeletonHeader): string {
  const { counts } = skeleton;
  const types = [...new Set(skeleton.groups.map((group) => group.type))];
  const lines: string[] = [
    `# fedmigrate manifest skeleton for ${comment(header.domain)}`,
    `# Written by fedmigrate ${comment(header.version)} on ${comment(header.generatedAt)}: ${comment(header.command)}`,
    `# ${plural(counts.entries, "datasource")} to fill in, from ${plural(counts.accounts, "account")} of ${plural(types.length, "type")}${types.length > 0 ? ` (${comment(types.join(", "))})` : ""}.`,
  ];
  if (counts.migratedLeftOut > 0) {
    lines.push(
      `# ${plural(counts.migratedLeftOut, "datasource")} already migrated ${counts.migratedLeftOut === 1 ? "is" : "are"} left out (discover --include-migrated lists them).`,
    );
  }
  if (counts.migratedIncluded > 0) {
    lines.push(
      `# ${plural(counts.migratedIncluded, "entry", "entries")} already migrated ${counts.migratedIncluded === 1 ? "is" : "are"} marked so: plan and migrate skip them.`,
    );
  }
  lines.push(
    "#",
    "# NOT READY TO RUN. Domo's candidate list does not say which table a datasource reads; only you",
    "# know. For every entry, write exactly as the database spells them (case-sensitive):",
    "#   catalog  the catalog/database it reads",
    "#   schema   the schema, or NULL for a database without schemas (MySQL, for one). Its line is",
    "#            commented out on purpose: an empty `schema:` means NULL, so uncomment it only once",
    "#            you know the value. Until then `validate` reports the schema as missing.",
    "#   table    the table it reads",
    "# A value shared by many entries can go once under `defaults:`; then delete it from those entries.",
    "# Each entry's account is the first V2 account that lists it; a comment names any other.",
    "# Then: fedmigrate validate <this file>, and fedmigrate plan <this file>.",
    "version: 1",
    `domain: ${quote(header.domain)}`,
    "# defaults:",
    "#   catalog: ANALYTICS",
    "#   schema: PUBLIC",
  );

  if (counts.entries === 0) {
    for (const group of skeleton.groups) lines.push(groupComment(group));
    lines.push("migrations: [] # nothing to migrate here; validate rejects an empty list");
    return `${lines.join("\n")}\n`;
  }

  lines.push("migrations:");
  skeleton.groups.forEach((group, index) => {
    if (index > 0) lines.push("");
    lines.push(`  ${groupComment(group)}`);
    for (const entry of group.entries) lines.push(...entryLines(entry));
  });
  return `${lines.join("\n")}\n`;
}

function groupComment(group: SkeletonGroup): string {
  const who = `# Account ${quote(group.account.id)}: ${comment(group.account.name)} (${comment(group.type)})`;
  const notes: string[] = [plural(group.entries.length, "datasource")];
  if (group.listedEarlier > 0) {
    notes.push(
      `${group.listedEarlier} listed above under an earlier account (change an entry's account to move it here)`,
    );
  }
  if (group.migratedLeftOut > 0) notes.push(`${group.migratedLeftOut} already migrated, left out`);
  return `${who}: ${notes.join("; ")}`;
}

function entryLines(entry: SkeletonEntry): string[] {
  const migrated = entry.migrated
    ? ` # already migrated${entry.migrationDate ? ` on ${comment(entry.migrationDate)}` : ""}: plan skips it`
    : "";
  const lines = [`  - datasource: ${scalar(entry.datasource)}${migrated}`];
  const name = cleanName(entry.name);
  if (name !== "") lines.push(`    name: ${quote(name)}`);
  const others =
    entry.alsoListedBy.length > 0
      ? ` # also listed by ${entry.alsoListedBy
          .map((account) => `account ${quote(account.id)} (${comment(account.name)})`)
          .join(", ")}`
      : "";
  lines.push(
    `    account: ${quote(entry.account.id)}${others}`,
    `    catalog: ${TODO.catalog}`,
    `    # schema: ${TODO.schema}`,
    `    table: ${TODO.table}`,
  );
  return lines;
}

/** YAML words that a plain scalar would turn into something other than the id's text. */
const YAML_WORDS = /^(?:null|~|true|false|yes|no|on|off|y|n)$/i;

/** An id as a plain scalar when that reads back as the same text, else double-quoted. */
function scalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) && !YAML_WORDS.test(value) ? value : quote(value);
}

/**
 * A YAML double-quoted scalar. JSON's escapes are YAML's; the characters YAML reads as line
 * breaks or refuses (NEL, LS, PS, BOM, U+FFFE/U+FFFF) are escaped too.
 */
function quote(value: string): string {
  return JSON.stringify(value).replace(
    /[\u0085\u2028\u2029\ufeff\ufffe\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A name for people: control characters (which the manifest refuses) become spaces; a BOM,
 * which YAML readers drop, goes.
 */
function cleanName(name: string): string {
  return name
    .replace(/\ufeff/g, "")
    .replace(/[\p{Cc}\u2028\u2029]+/gu, " ")
    .replace(/ {2,}/g, " ")
    .trim();
}

/** Server text inside a comment: one line, whatever it holds. */
function comment(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, " ");
}
