import pLimit from "p-limit";
import type { Account, Candidate, DomoApi } from "../domo/types.js";
import { UsageError } from "../errors.js";
import type { RetryRunner } from "../run/execute-items.js";

/** What `readInventory` calls: the API port and the run's retry policy (GETs only). */
export interface InventoryPorts {
  api: DomoApi;
  retry: RetryRunner;
}

/** Options of `readInventory`. */
export interface InventoryOptions {
  /** The answer of `GET /types` when the caller already has it (doctor times that call itself). */
  types?: readonly string[] | undefined;
  /** Only these integration types (`--type`); an unknown one is a `UsageError` listing what exists. */
  onlyTypes?: readonly string[] | undefined;
  /** Only these accounts (`--account`); an unknown one is a `UsageError` listing what exists. */
  onlyAccounts?: readonly string[] | undefined;
  /** Candidate lists read at once. Default 4. */
  concurrency?: number;
}

/** One V2 account and the V1 candidates it lists, in the server's order. */
export interface InventoryAccount {
  /** The integration type it was listed under (`GET /accounts/{type}`). */
  type: string;
  account: Account;
  candidates: Candidate[];
}

/** What the instance holds, as far as the filters reach. */
export interface Inventory {
  /** Every integration type the server listed, in its order (filters do not shorten it). */
  types: string[];
  /** The types walked, in the server's order, each with all its accounts. */
  walked: { type: string; accounts: Account[] }[];
  /** The accounts whose candidates were read, in type then account order. */
  accounts: InventoryAccount[];
}

/**
 * Walks types → accounts → candidates with GETs only, each call under the retry policy. The
 * filters are checked against what the server lists before any candidate list is read, so a
 * typo in `--type` or `--account` costs one or two GETs and names the ids that do exist.
 */
export async function readInventory(
  ports: InventoryPorts,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const types = options.types ? [...options.types] : await ports.retry.run(() => ports.api.listTypes());

  const onlyTypes =
    options.onlyTypes && options.onlyTypes.length > 0 ? new Set(options.onlyTypes) : undefined;
  if (onlyTypes) {
    const unknown = [...onlyTypes].filter((type) => !types.includes(type));
    if (unknown.length > 0) {
      throw new UsageError(
        `--type ${unknown.join(", ")}: no such integration type on this instance (it lists ${listOrNone(types)})`,
        {
          hint: "Pass one of the listed types (they are case-sensitive), or leave --type out to see them all.",
        },
      );
    }
  }
  const walkedTypes = onlyTypes ? types.filter((type) => onlyTypes.has(type)) : types;
  const accountLists = await Promise.all(
    walkedTypes.map((type) => limit(() => ports.retry.run(() => ports.api.listAccounts(type)))),
  );
  const walked = walkedTypes.map((type, index) => ({ type, accounts: accountLists[index] ?? [] }));

  let chosen = walked.flatMap(({ type, accounts }) => accounts.map((account) => ({ type, account })));
  const onlyAccounts =
    options.onlyAccounts && options.onlyAccounts.length > 0 ? new Set(options.onlyAccounts) : undefined;
  if (onlyAccounts) {
    const unknown = [...onlyAccounts].filter((id) => !chosen.some(({ account }) => account.id === id));
    if (unknown.length > 0) {
      const listed = chosen.map(({ type, account }) => `${account.id} (${account.name}, ${type})`);
      const scope = onlyTypes ? ` of type ${[...onlyTypes].join(", ")}` : "";
      throw new UsageError(
        `--account ${unknown.join(", ")}: no such Federated V2 account${scope} (this instance lists ${listOrNone(listed)})`,
        {
          hint: "Pass an account id as listed, or leave --account out. Accounts are those the token's user can see.",
        },
      );
    }
    chosen = chosen.filter(({ account }) => onlyAccounts.has(account.id));
  }

  const candidateLists = await Promise.all(
    chosen.map(({ account }) => limit(() => ports.retry.run(() => ports.api.listCandidates(account.id)))),
  );
  return {
    types,
    walked,
    accounts: chosen.map(({ type, account }, index) => ({
      type,
      account,
      candidates: candidateLists[index] ?? [],
    })),
  };
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? "none" : items.join(", ");
}
