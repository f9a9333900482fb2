/** The shapes of a simulator fixture (see `fixture.ts` for the format and its checks). */

/** How the whole instance answers. */
export type SimMode = "normal" | "maintenance" | "ip-blocked";

export const SIM_MODES: readonly SimMode[] = ["normal", "maintenance", "ip-blocked"];

/**
 * Deterministic per-datasource faults of migrate POSTs (reverse POSTs have `ReverseFault`). The
 * `-once` ones hit the first migrate POST of that datasource that reaches the fault's stage, and
 * never again.
 * - `incomplete-once`: the first applied migrate ends INCOMPLETE; a later one completes.
 * - `incomplete-always`: every migrate ends INCOMPLETE.
 * - `aborted`: every migrate is ABORTED (nothing changes).
 * - `drop-after-apply-once`: the first migrate that applies is applied, then its connection dropped.
 * - `drop-before-apply-once`: the first migrate's connection is dropped before anything changes.
 * - `status-503-once`: the first migrate is answered 503 (nothing changes).
 * - `status-500-after-apply-once` (502, 503, 504 alike): the first migrate that applies is
 *   applied, then answered with that status (a gateway that lost the answer).
 * - `reset-after-apply-once`: the first migrate that applies is applied, then its connection reset (RST).
 * - `hang-before-apply-once`: the first migrate is never answered and changes nothing; the
 *   client's timeout ends it.
 * - `hang-after-apply-once`: the first migrate that applies is applied, then never answered.
 * - `unknown-state-once`: the first migrate that applies is applied, then answered 200 with a
 *   record whose `state` is `PENDING`, a state Domo does not document.
 */
export type DatasourceFault =
  | "incomplete-once"
  | "incomplete-always"
  | "aborted"
  | "drop-after-apply-once"
  | "drop-before-apply-once"
  | "status-503-once"
  | "status-500-after-apply-once"
  | "status-502-after-apply-once"
  | "status-503-after-apply-once"
  | "status-504-after-apply-once"
  | "reset-after-apply-once"
  | "hang-before-apply-once"
  | "hang-after-apply-once"
  | "unknown-state-once";

export const DATASOURCE_FAULTS: readonly DatasourceFault[] = [
  "incomplete-once",
  "incomplete-always",
  "aborted",
  "drop-after-apply-once",
  "drop-before-apply-once",
  "status-503-once",
  "status-500-after-apply-once",
  "status-502-after-apply-once",
  "status-503-after-apply-once",
  "status-504-after-apply-once",
  "reset-after-apply-once",
  "hang-before-apply-once",
  "hang-after-apply-once",
  "unknown-state-once",
];

/**
 * Deterministic per-datasource faults of reverse POSTs. `-once`: the first reversal of that
 * datasource that would change it; later ones complete.
 * - `aborted-once` / `aborted-always`: ABORTED, nothing changes.
 * - `incomplete-once` / `incomplete-always`: INCOMPLETE: the datasource was changed, then the
 *   reversal failed; it is listed as before (migrated), and a re-attempt completes it.
 */
export type ReverseFault = "aborted-once" | "aborted-always" | "incomplete-once" | "incomplete-always";

export const REVERSE_FAULTS: readonly ReverseFault[] = [
  "aborted-once",
  "aborted-always",
  "incomplete-once",
  "incomplete-always",
];

/** How a migrate or reverse naming an unknown datasource or account is answered. */
export type UnknownIdAnswer = "aborted" | "not-found";

export const UNKNOWN_ID_ANSWERS: readonly UnknownIdAnswer[] = ["aborted", "not-found"];

/** A delay drawn uniformly from [min, max] milliseconds. */
export interface LatencyRange {
  min: number;
  max: number;
}

/** Random fault shares (0..1), drawn per request (or per datasource for the `…Once` ones). */
export interface FixtureFaults {
  rate429: number;
  /** Seconds sent in `Retry-After` with a drawn 429. */
  retryAfterSeconds: number;
  rate5xx: number;
  dropBeforeApply: number;
  dropAfterApply: number;
  incompleteOnce: number;
  aborted: number;
  /** Migrate/reverse POSTs decided (and applied), then answered 500, 502, 503 or 504. */
  status5xxAfterApply: number;
  /** Migrate/reverse POSTs decided (and applied), then their connection reset. */
  resetAfterApply: number;
  /** Migrate/reverse POSTs never answered, nothing changed. */
  hangBeforeApply: number;
  /** Migrate/reverse POSTs decided (and applied), then never answered. */
  hangAfterApply: number;
  /** Migrate/reverse POSTs decided (and applied), then answered with `state: "PENDING"`. */
  unknownState: number;
  /** Reverse POSTs answered ABORTED (nothing changed). */
  reverseAborted: number;
  /** Share of datasources whose first applied reversal ends INCOMPLETE. */
  reverseIncompleteOnce: number;
}

/** The names of the shares of `FixtureFaults` (every key but `retryAfterSeconds`). */
export const FAULT_SHARE_KEYS = [
  "rate429",
  "rate5xx",
  "dropBeforeApply",
  "dropAfterApply",
  "incompleteOnce",
  "aborted",
  "status5xxAfterApply",
  "resetAfterApply",
  "hangBeforeApply",
  "hangAfterApply",
  "unknownState",
  "reverseAborted",
  "reverseIncompleteOnce",
] as const satisfies readonly (keyof FixtureFaults)[];

/** A token bucket over all API requests. */
export interface RateLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
}

/** A Federated V2 account. */
export interface FixtureAccount {
  id: string;
  type: string;
  name: string;
}

/** A Federated V1 datasource and the table it really reads. */
export interface FixtureDatasource {
  id: string;
  name: string;
  type: string;
  catalog: string;
  /** The literal "NULL" for a database without schemas. */
  schema: string;
  table: string;
  /** Initially migrated (to `migratedAccount`). */
  migrated: boolean;
  migratedAccount: string | undefined;
  migrationDate: string | undefined;
  fault: DatasourceFault | undefined;
  /** The accounts it is a migration candidate of; undefined: every account of its type. */
  candidateOf?: string[] | undefined;
  reverseFault?: ReverseFault | undefined;
}

/** A checked, normalised fixture: every default filled in. */
export interface Fixture {
  token: string;
  forbiddenToken: string | undefined;
  seed: number;
  latencyMs: LatencyRange;
  /** The delay of migrate/reverse POSTs; `latencyMs` when undefined. */
  migrateLatencyMs: LatencyRange | undefined;
  mode: SimMode;
  faults: FixtureFaults;
  rateLimit: RateLimit | undefined;
  /** After this many API requests carrying the token, the token is refused (401); undefined: never. */
  revokeTokenAfter?: number | undefined;
  /** How an unknown datasource or account id is answered by migrate and reverse. */
  unknownIds?: UnknownIdAnswer | undefined;
  /** What `GET /types` lists; undefined: the distinct types of the accounts. */
  types?: string[] | undefined;
  accounts: FixtureAccount[];
  datasources: FixtureDatasource[];
}

/** What a fixture author writes (a `Fixture` is one too). */
export interface FixtureInput {
  token: string;
  forbiddenToken?: string | undefined;
  seed?: number;
  latencyMs?: number | LatencyRange;
  migrateLatencyMs?: number | LatencyRange | undefined;
  mode?: SimMode;
  faults?: Partial<FixtureFaults>;
  rateLimit?: { perSecond: number; burst?: number } | undefined;
  revokeTokenAfter?: number | undefined;
  unknownIds?: UnknownIdAnswer | undefined;
  types?: string[] | undefined;
  accounts: { id: string; type: string; name?: string }[];
  datasources: {
    id: string;
    name?: string;
    type: string;
    catalog: string;
    schema: string | null;
    table: string;
    migrated?: boolean;
    migratedAccount?: string | undefined;
    migrationDate?: string | undefined;
    fault?: DatasourceFault | undefined;
    candidateOf?: string[] | undefined;
    reverseFault?: ReverseFault | undefined;
  }[];
}

/**
 * The parts of a running simulator's behaviour that can change while it serves. A null
 * `migrateLatencyMs`, `rateLimit` or `revokeTokenAfter` turns it off; a new `revokeTokenAfter`
 * counts from the change.
 */
export interface FixtureBehaviour {
  latencyMs?: number | LatencyRange;
  migrateLatencyMs?: number | LatencyRange | undefined | null;
  mode?: SimMode;
  faults?: Partial<FixtureFaults>;
  rateLimit?: { perSecond: number; burst?: number } | undefined | null;
  revokeTokenAfter?: number | undefined | null;
  unknownIds?: UnknownIdAnswer;
}

/** An issue with the path as segments, so a YAML loader can find its line. */
export interface FixturePathIssue {
  path: (string | number)[];
  message: string;
}
