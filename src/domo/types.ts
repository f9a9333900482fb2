/** The shapes of Domo's Federated V1 → V2 migration API (SPEC section 1) and the port over it. */

/** Final state of a migration or reversal, as Domo reports it. */
export type MigrationState = "COMPLETE" | "INCOMPLETE" | "ABORTED";

export type Direction = "V1_TO_V2" | "V2_TO_V1";

/** The body of a migrate or reverse response. A failed migration still answers HTTP 200. */
export interface MigrationRecord {
  /** What Domo support asks for: keep it, and show it with every failure. */
  toe: string;
  datasourceId: string;
  direction: Direction;
  startTime: string | null;
  state: MigrationState;
  errorMessage: string | null;
  endTime: string | null;
}

/** A Federated V2 account (`GET /accounts/{type}`). */
export interface Account {
  id: string;
  type: string;
  name: string;
}

/** A Federated V1 datasource that can migrate to an account (`GET /candidates/{account}`). */
export interface Candidate {
  id: string;
  name: string;
  migrated: boolean;
  migrationDate: string | null;
}

/** The table a datasource reads; case-sensitive. `schema` is the literal "NULL" without schemas. */
export interface Target {
  catalog: string;
  schema: string;
  table: string;
}

/** The header `fedmigrate simulate` puts on every answer, so a run can say it was a rehearsal. */
export const SIMULATOR_HEADER = "x-fedmigrate-simulator";

/** Per-call options every method takes. */
export interface CallOptions {
  /** Aborts the request (a run's hard stop). */
  signal?: AbortSignal;
}

/**
 * The API port: one HTTP attempt per call, no retries (the retry policy owns those).
 * Every method resolves with a body of the documented shape or rejects with a `DomoApiError`.
 */
export interface DomoApi {
  listTypes(options?: CallOptions): Promise<string[]>;
  listAccounts(integrationType: string, options?: CallOptions): Promise<Account[]>;
  listCandidates(accountId: string, options?: CallOptions): Promise<Candidate[]>;
  migrate(
    datasourceId: string,
    accountId: string,
    target: Target,
    options?: CallOptions,
  ): Promise<MigrationRecord>;
  reverse(datasourceId: string, options?: CallOptions): Promise<MigrationRecord>;
  /**
   * Whether an answer so far came from fedmigrate's simulator (`SIMULATOR_HEADER`), not Domo.
   * Optional: fake ports in tests need not say.
   */
  isSimulator?(): boolean;
}
