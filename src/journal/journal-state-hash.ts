import { createHash } from "node:crypto";

/** What `stateHash` summarises of one domain's attempts. */
export interface JournalStateFacts {
  /** The highest attempt id of the domain; 0 when it has none. */
  maxId: number;
  /** The ids of the domain's rows still IN_FLIGHT, ascending. */
  inFlightIds: readonly number[];
}

/**
 * The journal-state hash of `plan --out`. Attempts are only appended (the max id grows; ids are
 * never reused) or completed from IN_FLIGHT (an id leaves the in-flight set for good), so any
 * change to the domain's attempts changes these facts. A domain without rows hashes like a
 * journal that does not exist, so a plan saved before the journal file existed still matches a
 * journal created empty since.
 */
export function journalStateHash(domain: string, facts: JournalStateFacts): string {
  const text = JSON.stringify(["fedmigrate-journal-state/1", domain, facts.maxId, facts.inFlightIds]);
  return createHash("sha256").update(text).digest("hex");
}

/** `journalStateHash` of a domain with no attempts (or no journal file at all). */
export function emptyJournalStateHash(domain: string): string {
  return journalStateHash(domain, { maxId: 0, inFlightIds: [] });
}
