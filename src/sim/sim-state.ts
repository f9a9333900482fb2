import type { Account, MigrationState, Target } from "../domo/types.js";
import type { Fixture, FixtureAccount } from "./fixture.js";
import { hashParts } from "./seeded-random.js";
import type { SimDatasourceState } from "./types.js";

/** What a migrate or reverse decided; `applied` says whether the datasource changed. */
export interface SimDecision {
  state: MigrationState;
  errorMessage: string | null;
  applied: boolean;
  /** This was the datasource's first applied migrate (for `drop-after-apply-once`). */
  firstApply: boolean;
}

/** Injected per call by the fault pipeline (for a migrate or a reverse alike). */
export interface DecisionFaults {
  /** A drawn `aborted` (or `reverseAborted`) fault. */
  abort: boolean;
  /** The `faults.incompleteOnce` (or `reverseIncompleteOnce`) share now in force. */
  incompleteOnceShare: number;
}

interface TypeIndex {
  accounts: FixtureAccount[];
  accountsJson: string;
  datasources: SimDatasourceState[];
  /** Bumped on every change to one of its datasources, so the cached candidate lists are rebuilt. */
  version: number;
}

/** One account's candidate list, cached until its type's datasources change. */
interface CandidateIndex {
  account: FixtureAccount;
  datasources: SimDatasourceState[];
  json: string | undefined;
  version: number;
}

/**
 * The simulated instance's datasources and the rules of migrate and reverse (SPEC sections 1 and 7),
 * without HTTP. Every lookup is a map access; a candidate list is built once per change of its type.
 */
export class SimState {
  readonly #seed: number;
  readonly #datasources = new Map<string, SimDatasourceState>();
  readonly #accounts = new Map<string, FixtureAccount>();
  readonly #byType = new Map<string, TypeIndex>();
  readonly #candidates = new Map<string, CandidateIndex>();
  readonly #typesJson: string;

  constructor(fixture: Fixture, now: string) {
    this.#seed = fixture.seed;
    for (const account of fixture.accounts) {
      this.#accounts.set(account.id, account);
      this.#index(account.type).accounts.push(account);
    }
    for (const ds of fixture.datasources) {
      const state: SimDatasourceState = {
        id: ds.id,
        name: ds.name,
        type: ds.type,
        catalog: ds.catalog,
        schema: ds.schema,
        table: ds.table,
        fault: ds.fault,
        reverseFault: ds.reverseFault,
        candidateOf: ds.candidateOf,
        status: ds.migrated ? "MIGRATED" : "V1",
        accountId: ds.migrated ? (ds.migratedAccount ?? null) : null,
        migrationDate: ds.migrated ? isoWithOffset(Date.parse(ds.migrationDate ?? now)) : null,
        migrateCalls: 0,
        appliedMigrates: 0,
        reverseCalls: 0,
        appliedReverses: 0,
        onceFaultSpent: false,
        reverseFaultSpent: false,
      };
      this.#datasources.set(ds.id, state);
      this.#index(ds.type).datasources.push(state);
    }
    // Domo lists the types of the instance's integrations; by default, those with accounts.
    const types = fixture.types ?? [...new Set(fixture.accounts.map((account) => account.type))];
    this.#typesJson = JSON.stringify(types);
    for (const index of this.#byType.values()) {
      index.accountsJson = JSON.stringify(index.accounts.map(toAccount));
      for (const account of index.accounts) {
        this.#candidates.set(account.id, {
          account,
          datasources: index.datasources.filter((ds) => isCandidateOf(ds, account.id)),
          json: undefined,
          version: -1,
        });
      }
    }
  }

  /** The account, if the instance has it. */
  account(accountId: string): FixtureAccount | undefined {
    return this.#accounts.get(accountId);
  }

  /** The live datasources, by id. */
  get datasources(): ReadonlyMap<string, SimDatasourceState> {
    return this.#datasources;
  }

  /** `GET /types`: the distinct types of the accounts, in fixture order. */
  typesJson(): string {
    return this.#typesJson;
  }

  /** `GET /accounts/{type}`: an unknown type has no accounts. */
  accountsJson(type: string): string {
    return this.#byType.get(type)?.accountsJson ?? "[]";
  }

  /**
   * `GET /candidates/{account}`: every datasource of the account's type that is a candidate of it
   * (`candidateOf`, by default all); undefined for an unknown account.
   */
  candidatesJson(accountId: string): string | undefined {
    const index = this.#candidates.get(accountId);
    if (!index) return undefined;
    const version = this.#index(index.account.type).version;
    if (index.json === undefined || index.version !== version) {
      index.json = JSON.stringify(
        index.datasources.map((ds) => ({
          id: ds.id,
          name: ds.name,
          migrated: ds.status === "MIGRATED",
          migrationDate: ds.status === "MIGRATED" ? ds.migrationDate : null,
        })),
      );
      index.version = version;
    }
    return index.json;
  }

  /**
   * `POST /{ds}/accounts/{account}`: ABORTED (nothing changes) for an unknown datasource or
   * account, a type mismatch, an account it is not a candidate of, an already migrated datasource, a catalog/schema/table that differs
   * from what the datasource reads, or a drawn abort; otherwise COMPLETE, or INCOMPLETE (partly
   * changed) for the datasource's incomplete faults. `now` is the decision time (ISO).
   */
  migrate(
    datasourceId: string,
    accountId: string,
    target: Target,
    faults: DecisionFaults,
    now: string,
  ): SimDecision {
    const ds = this.#datasources.get(datasourceId);
    if (ds) ds.migrateCalls++;
    const refusal = this.#migrateRefusal(ds, datasourceId, accountId, target);
    if (refusal !== undefined || !ds) return aborted(refusal ?? "unreachable");
    if (faults.abort || ds.fault === "aborted") {
      return aborted(
        "Migration aborted before any change: the V1 datasource is locked by a running refresh (simulated fault). Try again later.",
      );
    }
    const firstApply = ds.appliedMigrates === 0;
    ds.appliedMigrates++;
    ds.accountId = accountId;
    this.#touch(ds);
    const incompleteOnce =
      ds.fault === "incomplete-once" ||
      (ds.fault === undefined && unitDraw(this.#seed, "incomplete-once", ds.id) < faults.incompleteOnceShare);
    if (ds.fault === "incomplete-always" || (incompleteOnce && firstApply)) {
      ds.status = "INCOMPLETE";
      ds.migrationDate = null;
      return {
        state: "INCOMPLETE",
        errorMessage:
          "Migration failed after the datasource was changed: dependent content could not be re-pointed to the V2 account (simulated fault). Re-attempt the migration.",
        applied: true,
        firstApply,
      };
    }
    ds.status = "MIGRATED";
    ds.migrationDate = now;
    return { state: "COMPLETE", errorMessage: null, applied: true, firstApply };
  }

  /**
   * `POST /{ds}/reverse`: a migrated or INCOMPLETE datasource goes back to V1; anything else is
   * ABORTED. The reverse faults (the datasource's `reverseFault`, the drawn `reverseAborted`, the
   * `reverseIncompleteOnce` share) end a reversal that would apply ABORTED (nothing changes) or
   * INCOMPLETE (changed, then failed: the datasource is listed as before, and a re-attempt
   * completes it).
   */
  reverse(
    datasourceId: string,
    faults: DecisionFaults = { abort: false, incompleteOnceShare: 0 },
  ): SimDecision {
    const ds = this.#datasources.get(datasourceId);
    if (!ds) return aborted(`Datasource ${datasourceId} is not a Federated datasource of this instance.`);
    ds.reverseCalls++;
    if (ds.status === "V1") {
      return aborted(`Datasource ${datasourceId} has not been migrated to V2: there is nothing to reverse.`);
    }
    const fault = ds.reverseFault;
    const once = (fault === "aborted-once" || fault === "incomplete-once") && !ds.reverseFaultSpent;
    if (once) ds.reverseFaultSpent = true;
    if (faults.abort || fault === "aborted-always" || (once && fault === "aborted-once")) {
      return aborted(
        "Reversal aborted before any change: the V2 datasource is in use by a running query (simulated fault). Try again later.",
      );
    }
    const firstApply = ds.appliedReverses === 0;
    ds.appliedReverses++;
    this.#touch(ds);
    const drawnOnce =
      fault === undefined &&
      unitDraw(this.#seed, "reverse-incomplete-once", ds.id) < faults.incompleteOnceShare;
    if (fault === "incomplete-always" || (once && fault === "incomplete-once") || (drawnOnce && firstApply)) {
      // Domo: "failed after some changes"; until a reversal completes, the datasource is listed as
      // it was (migrated, or INCOMPLETE from its migration). So "not migrated" after a reversal of
      // a migrated datasource means it is back on V1, whatever answer was lost.
      return {
        state: "INCOMPLETE",
        errorMessage:
          "Reversal failed after the datasource was changed: dependent content could not be re-pointed to the V1 datasource (simulated fault). Re-attempt the reversal.",
        applied: true,
        firstApply,
      };
    }
    ds.status = "V1";
    ds.accountId = null;
    ds.migrationDate = null;
    return { state: "COMPLETE", errorMessage: null, applied: true, firstApply };
  }

  #migrateRefusal(
    ds: SimDatasourceState | undefined,
    datasourceId: string,
    accountId: string,
    target: Target,
  ): string | undefined {
    if (!ds) return `Datasource ${datasourceId} is not a Federated V1 datasource of this instance.`;
    const account = this.#accounts.get(accountId);
    if (!account) return `Account ${accountId} is not a Federated V2 account of this instance.`;
    if (account.type !== ds.type) {
      return `Datasource ${datasourceId} is of type ${ds.type} but account ${accountId} is of type ${account.type}.`;
    }
    if (!isCandidateOf(ds, accountId)) {
      const others = ds.candidateOf?.length
        ? `; it is a candidate of account ${ds.candidateOf.join(", ")}`
        : "";
      return `Datasource ${datasourceId} is not a migration candidate of account ${accountId} (GET /candidates/${accountId} does not list it)${others}.`;
    }
    if (ds.status === "MIGRATED") {
      return `Datasource ${datasourceId} is already migrated to V2 on account ${ds.accountId ?? accountId}.`;
    }
    const differences = (["catalog", "schema", "table"] as const).flatMap((field) =>
      target[field] === ds[field] ? [] : [describeDifference(field, target[field], ds[field])],
    );
    if (differences.length > 0) return `Migration aborted: ${differences.join("; ")}.`;
    return undefined;
  }

  #touch(ds: SimDatasourceState): void {
    this.#index(ds.type).version++;
  }

  #index(type: string): TypeIndex {
    let index = this.#byType.get(type);
    if (!index) {
      index = { accounts: [], accountsJson: "[]", datasources: [], version: 0 };
      this.#byType.set(type, index);
    }
    return index;
  }
}

/** `2024-04-15T19:48:00.073+00:00`: Domo's timestamps carry an offset, not `Z`. */
export function isoWithOffset(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, -1)}+00:00`;
}

function describeDifference(field: string, sent: string, actual: string): string {
  const caseOnly = sent.toLowerCase() === actual.toLowerCase();
  return `${field} "${sent}" does not match the datasource's ${field} "${actual}"${caseOnly ? " (case-sensitive)" : ""}`;
}

function aborted(errorMessage: string): SimDecision {
  return { state: "ABORTED", errorMessage, applied: false, firstApply: false };
}

/** Domo ties candidates to accounts: by default every account of the datasource's type. */
function isCandidateOf(ds: SimDatasourceState, accountId: string): boolean {
  return ds.candidateOf === undefined || ds.candidateOf.includes(accountId);
}

function toAccount(account: FixtureAccount): Account {
  return { id: account.id, type: account.type, name: account.name };
}

/** A stable draw in [0, 1) for one datasource: whether a per-datasource share applies to it. */
function unitDraw(seed: number, ...parts: string[]): number {
  return hashParts(seed, ...parts) / 4_294_967_296;
}
