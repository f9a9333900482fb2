import { createHash } from "node:crypto";
import { ENTRY_FIELD_NAMES, type EntryFields } from "./schema.js";

/**
 * sha256 hex over the entries' values (datasource, name, account, catalog, schema, table: the
 * fields of `ENTRY_FIELDS`), in order. Formatting, comments, quoting and where a value came from
 * (an entry or `defaults`) do not change it; any value or the order does. A saved plan records
 * it, so `migrate --plan` can tell the manifests changed since the plan was reviewed.
 */
export function hashManifestEntries(entries: readonly EntryFields[]): string {
  const hash = createHash("sha256");
  // One JSON array per line: unambiguous whatever the values hold, and linear to build.
  for (const entry of entries) {
    hash.update(`${JSON.stringify(ENTRY_FIELD_NAMES.map((name) => entry[name] ?? null))}\n`);
  }
  return hash.digest("hex");
}
