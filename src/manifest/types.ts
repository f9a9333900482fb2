import type { EntryFields } from "./schema.js";

/**
 * One datasource to migrate, with defaults applied. Its value fields come from `ENTRY_FIELDS`
 * in `schema.ts` (datasource, name, account, catalog, schema, table); identifiers hold the text
 * exactly as written in the manifest, and `schema` is "NULL" for a database without schemas.
 */
export interface ManifestEntry extends EntryFields {
  /** The manifest file the entry was declared in, as the operator named it. */
  file: string;
  /** 1-based line and column of the entry's first key. */
  line: number;
  column: number;
  /** 0-based index within its file's `migrations` list. */
  index: number;
}

/** One problem found in a manifest. Every field names where, so the operator can go straight there. */
export interface ManifestIssue {
  /** The manifest file, as the operator named it. */
  file: string;
  /** 1-based line and column; both 0 when the problem is the whole file (missing, unreadable). */
  line: number;
  column: number;
  /** The entry: its 1-based position in `migrations` and, when known, its datasource id: `3 (495e…)`. */
  entry: string | undefined;
  /** The field, dotted under `defaults` (`defaults.account`). */
  field: string | undefined;
  message: string;
  /** What to do about it. */
  hint: string | undefined;
}

/** What one manifest file holds, for `validate`'s one-line summaries. */
export interface ManifestFileSummary {
  /** The file, as the operator named it (a directory's files are joined to it). */
  path: string;
  /** Valid entries. */
  entries: number;
  /** The distinct account ids of its entries, sorted. */
  accounts: string[];
  domain: string | undefined;
  /** The `journal` key, resolved against the manifest's directory (absolute). */
  journal: string | undefined;
}

/** Every manifest of a command, checked and combined. */
export interface LoadedManifests {
  files: ManifestFileSummary[];
  /** All files' entries, in order. */
  entries: ManifestEntry[];
  /** From the manifests; two files naming different domains is an issue. */
  domain: string | undefined;
  /** From the manifests (absolute, resolved against the manifest's directory); a conflict is an issue. */
  journal: string | undefined;
  /** sha256 hex over the canonical entries (datasource, account, catalog, schema, table, name) in order — stable across formatting/comment changes */
  hash: string;
}

/** A top-level value with where it was written. */
export interface LocatedValue {
  value: string;
  line: number;
  column: number;
}

/** What `parseManifest` makes of one file's text: its valid entries and every issue found. */
export interface ParseResult {
  file: string;
  /** The entries without issues, in order. The file is valid only when `issues` is empty. */
  entries: ManifestEntry[];
  domain: LocatedValue | undefined;
  /** The `journal` key as written (relative paths are resolved by `loadManifests`). */
  journal: LocatedValue | undefined;
  issues: ManifestIssue[];
}
