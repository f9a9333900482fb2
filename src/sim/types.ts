import type { MigrationState } from "../domo/types.js";
import type { DatasourceFault, Fixture, FixtureBehaviour, FixtureInput, ReverseFault } from "./fixture.js";

/** Which API call a request was, by its method and path. */
export type SimRoute = "types" | "accounts" | "candidates" | "migrate" | "reverse" | "other";

export const SIM_ROUTES: readonly SimRoute[] = [
  "types",
  "accounts",
  "candidates",
  "migrate",
  "reverse",
  "other",
];

/**
 * How a request ended:
 * - `answered`: the server answered it normally (any status: 200, 400, 404…);
 * - `dropped-before` / `dropped-after`: the connection was destroyed unanswered before / after the
 *   change was applied (see `applied`);
 * - `rate-limited`: answered 429 (rate limit or a drawn 429);
 * - `reset-after`: the change was applied (see `applied`), then the connection reset (RST);
 * - `hung-before` / `hung-after`: never answered, before / after the change was applied; the
 *   request ends when its client gives up (or the simulator closes);
 * - `unknown-state`: answered 200 with a record whose `state` is `PENDING` (see `state` for
 *   what was really decided);
 * - `fault-5xx`: answered 500/502/503/504 by a drawn or per-datasource fault (after the change
 *   when `applied`);
 * - `unauthorized`: answered 401 or 403;
 * - `maintenance`: answered 503 with the maintenance page (mode `maintenance`);
 * - `ip-blocked`: answered 303 to the allow-list page (mode `ip-blocked`);
 * - `client-closed`: the client went away before the answer was written (the server still did
 *   what it decided: see `applied`).
 */
export type RequestOutcome =
  | "answered"
  | "dropped-before"
  | "dropped-after"
  | "reset-after"
  | "hung-before"
  | "hung-after"
  | "unknown-state"
  | "rate-limited"
  | "fault-5xx"
  | "unauthorized"
  | "maintenance"
  | "ip-blocked"
  | "client-closed";

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = [
  "answered",
  "dropped-before",
  "dropped-after",
  "reset-after",
  "hung-before",
  "hung-after",
  "unknown-state",
  "rate-limited",
  "fault-5xx",
  "unauthorized",
  "maintenance",
  "ip-blocked",
  "client-closed",
];

/** One line of the request log: a request, written when it ends. The ground truth of e2e tests. */
export interface RequestLogEntry {
  /** When the request ended (ISO). */
  t: string;
  method: string;
  /** The path as received (still URL-encoded), without the query. */
  path: string;
  route: SimRoute;
  datasourceId: string | null;
  /** The account of a migrate or candidates call. */
  accountId: string | null;
  /** The status sent (or that would have been sent, for `client-closed`); null when dropped, reset or hung. */
  status: number | null;
  /** The migration record's state, for migrate and reverse calls that reached a decision. */
  state: MigrationState | null;
  /** The toe of the answer's body (a migration record or a JSON error), if any. */
  toe: string | null;
  outcome: RequestOutcome;
  /** Did the server's state change (a COMPLETE or INCOMPLETE migrate or reverse)? */
  applied: boolean;
  /** Requests in flight when this one arrived, itself included. */
  inFlight: number;
  /** From arrival to end, in milliseconds. */
  ms: number;
}

/** Counters since start or the last reset. */
export interface SimStats {
  /** API requests received (not `/_sim/…`). */
  requests: number;
  /** API requests being handled now. */
  inFlight: number;
  /** The most API requests in flight at once. */
  maxInFlight: number;
  byRoute: Record<SimRoute, number>;
  /**
   * By status code sent ("200", "429"…), and "dropped", "reset" and "hung" for requests never
   * answered.
   */
  byStatus: Record<string, number>;
  byOutcome: Record<RequestOutcome, number>;
  /** Migrate calls that changed the server (COMPLETE or INCOMPLETE, answered or not). */
  migrations: number;
  /** Reverse calls that changed the server (COMPLETE or INCOMPLETE). */
  reversals: number;
  /** Migrate decisions by state (answered or not). */
  migrateStates: Record<MigrationState, number>;
  /** Reverse decisions by state (answered or not). */
  reverseStates: Record<MigrationState, number>;
}

/**
 * Where a datasource stands on the simulated server. INCOMPLETE: a migration changed it, then
 * failed; it is listed not migrated, and either a migration or a reversal can be re-attempted. A
 * reversal that ends INCOMPLETE leaves the status as it was (listed as before; re-attempt it).
 */
export type DatasourceStatus = "V1" | "MIGRATED" | "INCOMPLETE";

/** One datasource's live state. */
export interface SimDatasourceState {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
  readonly fault: DatasourceFault | undefined;
  readonly reverseFault: ReverseFault | undefined;
  /** The accounts it is a migration candidate of; undefined: every account of its type. */
  readonly candidateOf: readonly string[] | undefined;
  status: DatasourceStatus;
  /** The V2 account it is (partly) migrated to; null in V1. */
  accountId: string | null;
  /** When the migration completed (ISO); null unless MIGRATED. */
  migrationDate: string | null;
  /** Migrate calls that reached a decision (any state). */
  migrateCalls: number;
  /** Migrate calls that changed it (COMPLETE or INCOMPLETE). */
  appliedMigrates: number;
  /** Reverse calls that reached a decision (any state). */
  reverseCalls: number;
  /** Reverse calls that changed it (COMPLETE or INCOMPLETE). */
  appliedReverses: number;
  /** A before-apply `-once` fault (`status-503-once`, `drop-before-apply-once`, `hang-before-apply-once`) has fired. */
  onceFaultSpent: boolean;
  /** A `-once` reverse fault has fired. */
  reverseFaultSpent: boolean;
}

/** Options of `startSimulator`. */
export interface StartSimulatorOptions {
  /** A checked fixture, or one to check (a `FixtureError` if it is invalid). */
  fixture: Fixture | FixtureInput;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A loopback address: "127.0.0.1" (the default), "::1" or "localhost". */
  host?: string;
  /** Also write the request log to this file as JSON lines (truncated at start; complete once `close()` resolves). */
  requestLogPath?: string;
  /** Overrides the fixture's seed. */
  seed?: number;
  /** Wall clock in epoch milliseconds, for record times and the rate limit; `Date.now` by default. */
  now?: () => number;
}

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT`: usable as the domain (`DOMO_DOMAIN`). */
  readonly url: string;
  /** The `Host` header values it answers (its address and `localhost`, with the port); others get 421. */
  readonly hosts: ReadonlySet<string>;
  readonly port: number;
  /** The fixture being served (after any `update`). */
  fixture(): Fixture;
  stats(): SimStats;
  resetStats(): void;
  /** Every request so far, in the order they ended. */
  log(): readonly RequestLogEntry[];
  /** The live state of every datasource, by id. */
  state(): ReadonlyMap<string, Readonly<SimDatasourceState>>;
  /** Changes latency, mode, faults or rate limit while serving (a `FixtureError` if invalid). */
  update(behaviour: FixtureBehaviour): void;
  /**
   * Holds every request that arrives (after its body is read, before anything is decided) until
   * the returned function is called: lets a test have N requests in flight at a known moment.
   */
  hold(): () => void;
  /** Calls `listener` as each API request arrives; returns the unsubscribe function. */
  onRequestStart(listener: (event: RequestStartEvent) => void): () => void;
  /** Calls `listener` with each log entry as its request ends; returns the unsubscribe function. */
  onRequestEnd(listener: (entry: RequestLogEntry) => void): () => void;
  /**
   * Calls `listener` when the client of a request in flight goes away before its answer (the
   * server still does what it decides); returns the unsubscribe function.
   */
  onClientGone(listener: (event: RequestStartEvent) => void): () => void;
  /** Stops listening, lets requests in flight end, flushes the request log. Idempotent. */
  close(): Promise<void>;
}

/** An API request that has just arrived (or whose client has gone). */
export interface RequestStartEvent {
  method: string;
  path: string;
  route: SimRoute;
  datasourceId: string | null;
  /** In flight now, this one included. */
  inFlight: number;
}
