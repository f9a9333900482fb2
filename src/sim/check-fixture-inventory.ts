import { describeValue } from "../describe-value.js";
import type { FixtureChecker } from "./fixture-checker.js";
import {
  DATASOURCE_FAULTS,
  type DatasourceFault,
  type FixtureAccount,
  type FixtureDatasource,
  type FixtureInput,
  REVERSE_FAULTS,
  type ReverseFault,
} from "./fixture-types.js";

type AccountInput = FixtureInput["accounts"][number];
type DatasourceInput = FixtureInput["datasources"][number];

const ACCOUNT_KEYS = ["id", "type", "name"] as const satisfies readonly (keyof AccountInput)[];
const DATASOURCE_KEYS = [
  "id",
  "name",
  "type",
  "catalog",
  "schema",
  "table",
  "migrated",
  "migratedAccount",
  "migrationDate",
  "fault",
  "candidateOf",
  "reverseFault",
] as const satisfies readonly (keyof DatasourceInput)[];
// Every field of a datasource is a known key (the reverse of `satisfies` above).
const _allDatasourceKeys: readonly (typeof DATASOURCE_KEYS)[number][] = [] as (keyof DatasourceInput)[];

/** What the instance holds: `types`, `accounts` and `datasources` of a fixture's root, checked. */
export function checkFixtureInventory(
  c: FixtureChecker,
  root: Record<string, unknown>,
): { types: string[] | undefined; accounts: FixtureAccount[]; datasources: FixtureDatasource[] } {
  const types = checkTypes(c, root.types);
  const accounts = checkAccounts(c, root.accounts);
  const datasources = checkDatasources(c, root.datasources, accounts);
  return { types, accounts, datasources };
}

/** The fixture's `accounts`: ids unique, every field a non-empty string. */
function checkAccounts(c: FixtureChecker, value: unknown): FixtureAccount[] {
  if (value === undefined) {
    c.fail(["accounts"], "is required (a list of Federated V2 accounts)");
    return [];
  }
  if (!Array.isArray(value)) {
    c.fail(["accounts"], `must be a list, is ${describeValue(value)}`);
    return [];
  }
  const accounts: FixtureAccount[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, index) => {
    const path = ["accounts", index];
    const record = c.record(item, path, ACCOUNT_KEYS);
    if (!record) return;
    const id = c.string(record.id, [...path, "id"]);
    const type = c.string(record.type, [...path, "type"]);
    const name = record.name === undefined ? undefined : c.string(record.name, [...path, "name"]);
    if (id === undefined || type === undefined) return;
    const first = seen.get(id);
    if (first !== undefined) {
      c.fail([...path, "id"], `duplicate account id "${id}" (first at accounts[${first}])`);
      return;
    }
    seen.set(id, index);
    accounts.push({ id, type, name: name ?? `${type} account ${id}` });
  });
  return accounts;
}

/**
 * The fixture's `datasources`: ids unique, the table each reads, its initial state, its faults,
 * and the accounts it is a candidate of (each an account of its type).
 */
function checkDatasources(
  c: FixtureChecker,
  value: unknown,
  accounts: FixtureAccount[],
): FixtureDatasource[] {
  if (value === undefined) {
    c.fail(["datasources"], "is required (a list of Federated V1 datasources)");
    return [];
  }
  if (!Array.isArray(value)) {
    c.fail(["datasources"], `must be a list, is ${describeValue(value)}`);
    return [];
  }
  const accountById = new Map(accounts.map((account) => [account.id, account]));
  const datasources: FixtureDatasource[] = [];
  const seen = new Map<string, number>();
  value.forEach((item, index) => {
    const path = ["datasources", index];
    const record = c.record(item, path, DATASOURCE_KEYS);
    if (!record) return;
    const id = c.string(record.id, [...path, "id"]);
    const name = record.name === undefined ? undefined : c.string(record.name, [...path, "name"]);
    const type = c.string(record.type, [...path, "type"]);
    const catalog = c.string(record.catalog, [...path, "catalog"]);
    // A YAML null means "no schema", as in the manifest.
    const schema = record.schema === null ? "NULL" : c.string(record.schema, [...path, "schema"]);
    const table = c.string(record.table, [...path, "table"]);
    let migrated = false;
    if (record.migrated !== undefined) {
      if (typeof record.migrated === "boolean") migrated = record.migrated;
      else c.fail([...path, "migrated"], `must be true or false, is ${describeValue(record.migrated)}`);
    }
    const candidateOf = checkCandidateOf(c, record.candidateOf, [...path, "candidateOf"], type, accountById);
    const isCandidate = (accountId: string) => candidateOf === undefined || candidateOf.includes(accountId);
    let migratedAccount: string | undefined;
    if (record.migratedAccount !== undefined) {
      migratedAccount = c.string(record.migratedAccount, [...path, "migratedAccount"]);
      const account = migratedAccount === undefined ? undefined : accountById.get(migratedAccount);
      if (migratedAccount !== undefined && !account) {
        c.fail([...path, "migratedAccount"], `names no account of the fixture ("${migratedAccount}")`);
      } else if (account && type !== undefined && account.type !== type) {
        c.fail(
          [...path, "migratedAccount"],
          `account "${account.id}" is of type "${account.type}", not "${type}"`,
        );
      } else if (account && !isCandidate(account.id)) {
        c.fail([...path, "migratedAccount"], `account "${account.id}" is not in candidateOf`);
      }
      if (!migrated) c.fail([...path, "migratedAccount"], "is only meaningful with migrated: true");
    }
    let migrationDate: string | undefined;
    if (record.migrationDate !== undefined) {
      migrationDate = c.string(record.migrationDate, [...path, "migrationDate"]);
      if (migrationDate !== undefined && Number.isNaN(Date.parse(migrationDate))) {
        c.fail([...path, "migrationDate"], `must be an ISO date and time, got "${migrationDate}"`);
      }
    }
    const fault =
      record.fault === undefined
        ? undefined
        : c.oneOf<DatasourceFault>(record.fault, [...path, "fault"], DATASOURCE_FAULTS);
    const reverseFault =
      record.reverseFault === undefined
        ? undefined
        : c.oneOf<ReverseFault>(record.reverseFault, [...path, "reverseFault"], REVERSE_FAULTS);
    if (migrated && migratedAccount === undefined && type !== undefined) {
      migratedAccount = accounts.find((account) => account.type === type && isCandidate(account.id))?.id;
      if (migratedAccount === undefined) {
        c.fail(
          [...path, "migrated"],
          `no account of type "${type}" to be migrated to; add one or set migratedAccount`,
        );
      }
    }
    if (
      id === undefined ||
      type === undefined ||
      catalog === undefined ||
      schema === undefined ||
      table === undefined
    ) {
      return;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      c.fail([...path, "id"], `duplicate datasource id "${id}" (first at datasources[${first}])`);
      return;
    }
    seen.set(id, index);
    datasources.push({
      id,
      name: name ?? id,
      type,
      catalog,
      schema,
      table,
      migrated,
      migratedAccount,
      migrationDate,
      fault,
      candidateOf,
      reverseFault,
    });
  });
  return datasources;
}

/** `candidateOf`: accounts of the fixture, of the datasource's type (an empty list is allowed: a candidate of none). */
function checkCandidateOf(
  c: FixtureChecker,
  value: unknown,
  path: (string | number)[],
  type: string | undefined,
  accountById: ReadonlyMap<string, FixtureAccount>,
): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = c.stringList(value, path, "account ids");
  if (ids === undefined) return undefined;
  ids.forEach((accountId, index) => {
    const account = accountById.get(accountId);
    if (!account) c.fail([...path, index], `names no account of the fixture ("${accountId}")`);
    else if (type !== undefined && account.type !== type) {
      c.fail([...path, index], `account "${accountId}" is of type "${account.type}", not "${type}"`);
    }
  });
  return ids;
}

/** `types`: what `GET /types` lists, as given (a type without accounts is Domo's prerequisite case). */
function checkTypes(c: FixtureChecker, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return c.stringList(value, ["types"], "integration types");
}
