import type { Account, Candidate, DomoApi } from "../domo/types.js";
import type { ServerState } from "../plan/types.js";
import type { RetryRunner } from "./execute-items.js";
import { readInventory } from "./read-inventory.js";

/** Options of `readServerState`. */
export interface ReadServerStateOptions {
  /** GETs at once. Default 4. */
  concurrency?: number;
  /** Cancels every request and retry wait (the caller failed meanwhile); the promise rejects. */
  signal?: AbortSignal | undefined;
}

/**
 * Reads what an online plan needs, once: the types, the accounts of each type, and the
 * candidate list of each account the manifest names (not once per entry). GETs only.
 *
 * The candidate lists are asked for at the same time as the types, not after the accounts: the
 * manifest already names the accounts, so the plan waits for two round trips instead of three
 * (every run pays this before its first POST). An account the server does not know is the
 * plan's finding, not a failure (`readInventory`'s `unknownAccounts: "skip"`).
 */
export async function readServerState(
  accountIds: Iterable<string>,
  ports: { api: DomoApi; retry: RetryRunner },
  options: ReadServerStateOptions = {},
): Promise<ServerState & { accountList: Account[] }> {
  const inventory = await readInventory(ports, {
    onlyAccounts: accountIds,
    unknownAccounts: "skip",
    concurrency: options.concurrency,
    signal: options.signal,
  });
  const accountList = inventory.walked.flatMap(({ accounts }) => accounts);
  const candidates = new Map<string, Map<string, Candidate>>();
  for (const { account, candidates: list } of inventory.accounts) {
    candidates.set(account.id, new Map(list.map((c) => [c.id, c])));
  }
  return { accounts: new Set(accountList.map((a) => a.id)), candidates, accountList };
}
