import type { LoadedManifests } from "../manifest/load-manifests.js";
import type { ItemHistory } from "./types.js";

/** The journal's history of these entries, read-only; a missing journal is an empty one. */
export async function readHistories(
  journalPath: string,
  domainKey: string,
  manifests: Pick<LoadedManifests, "entries">,
): Promise<Map<string, ItemHistory>> {
  const { journalExists, openJournal } = await import("./open-journal.js");
  if (!journalExists(journalPath)) return new Map();
  const journal = openJournal(journalPath, { readonly: true });
  try {
    return journal.histories(
      domainKey,
      manifests.entries.map((e) => e.datasource),
    );
  } finally {
    journal.close();
  }
}
