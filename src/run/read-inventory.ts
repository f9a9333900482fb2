import pLimit from "p-limit";
import type { Account, Candidate, DomoApi } from "../domo/types.js";
import { UsageError } from "../errors.js";
import type { RetryRunner } from "./execute-items.js";

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
  /** Only these accounts (`--account`, or those a manifest names). */
  onlyAccounts?: Iterable<string> | undefined;
  /**
   * What an `onlyAccounts` id the server does not list does. `fail` (the default, for `--account`):
   * a `UsageError` naming the accounts that exist, before any candidate list is read. `skip` (a
   * plan, where an unknown account is a finding, not a failure): it is left out, and the lists
   * are asked for at the same time as the types, not after the accounts, so the caller waits for
   * two round trips instead of three; the lists of accounts the server does not know are
   * cancelled (request and retries) once the accounts are read, and their errors ignored.
   */
  unknownAccounts?: "fail" | "skip";
  /** GETs at once (besides `GET /types`). Default 4. */
  concurrency?: number | undefined;
  /** Cancels every request and retry wait (the caller failed meanwhile); the promise rejects. */
  signal?: AbortSignal | undefined;
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
 * Walks types → accounts → candidates with GETs only, each call under the retry policy: the one
 * walk of the server, for discover and doctor as for an online plan. The filters are checked
 * against what the server lists before any candidate list is read, so a typo in `--type` or
 * `--account` costs one or two GETs and names the ids that do exist.
 */
export async function readInventory(
  ports: InventoryPorts,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const outer = options.signal;
  outer?.throwIfAborted();
  const onlyAccounts = options.onlyAccounts === undefined ? undefined : new Set(options.onlyAccounts);
  const early = new Map<string, { list: Promise<Candidate[]>; cancel: AbortController }>();
  const candidatesOf = (id: string, signal: AbortSignal | undefined) =>
    limit(() => {
      // Known by now to be unwanted, or the caller failed: not sent at all.
      signal?.throwIfAborted();
      return ports.retry.run(() => ports.api.listCandidates(id, { signal }), { signal });
    });
  if (options.unknownAccounts === "skip") {
    for (const id of onlyAccounts ?? []) {
      const cancel = new AbortController();
      const list = candidatesOf(id, cancel.signal);
      // Awaited only for known accounts: the rest must not surface as unhandled rejections.
      list.catch(() => {});
      early.set(id, { list, cancel });
    }
  }
  const cancelAll = () => {
    for (const { cancel } of early.values()) cancel.abort(outer?.reason);
  };
  outer?.addEventListener("abort", cancelAll, { once: true });
  try {
    const types = options.types
      ? [...options.types]
      : await ports.retry.run(() => ports.api.listTypes({ signal: outer }), { signal: outer });

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
      walkedTypes.map((type) =>
        limit(() =>
          ports.retry.run(() => ports.api.listAccounts(type, { signal: outer }), { signal: outer }),
        ),
      ),
    );
    const walked = walkedTypes.map((type, index) => ({ type, accounts: accountLists[index] ?? [] }));

    let chosen = walked.flatMap(({ type, accounts }) => accounts.map((account) => ({ type, account })));
    if (onlyAccounts && (onlyAccounts.size > 0 || options.unknownAccounts === "skip")) {
      const unknown = [...onlyAccounts].filter((id) => !chosen.some(({ account }) => account.id === id));
      if (unknown.length > 0 && options.unknownAccounts !== "skip") {
        const listed = chosen.map(({ type, account }) => `${account.id} (${account.name}, ${type})`);
        const scope = onlyTypes ? ` of type ${[...onlyTypes].join(", ")}` : "";
        throw new UsageError(
          `--account ${unknown.join(", ")}: no such Federated V2 account${scope} (this instance lists ${listOrNone(listed)})`,
          {
            hint: "Pass an account id as listed, or leave --account out. Accounts are those the token's user can see.",
          },
        );
      }
      for (const id of unknown) early.get(id)?.cancel.abort();
      chosen = chosen.filter(({ account }) => onlyAccounts.has(account.id));
    }

    const candidateLists = await Promise.all(
      chosen.map(({ account }) => early.get(account.id)?.list ?? candidatesOf(account.id, outer)),
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
  } catch (error) {
    // Nothing more is needed from the server: stop what is queued or waiting to be retried.
    cancelAll();
    throw error;
  } finally {
    outer?.removeEventListener("abort", cancelAll);
  }
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? "none" : items.join(", ");
}
