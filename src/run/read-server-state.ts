import pLimit from "p-limit";
import type { Account, Candidate, DomoApi } from "../domo/types.js";
import type { ServerState } from "../plan/types.js";
import type { RetryRunner } from "./execute-items.js";

/**
 * Reads what an online plan needs, once: the types, the accounts of each type, and the
 * candidate list of each account the manifest names (not once per entry). GETs only.
 */
export async function readServerState(
  accountIds: Iterable<string>,
  ports: { api: DomoApi; retry: RetryRunner },
  concurrency = 4,
): Promise<ServerState & { accountList: Account[] }> {
  const limit = pLimit(Math.max(1, concurrency));
  const types = await ports.retry.run(() => ports.api.listTypes());
  const accountLists = await Promise.all(
    types.map((type) => limit(() => ports.retry.run(() => ports.api.listAccounts(type)))),
  );
  const accountList = accountLists.flat();
  const known = new Set(accountList.map((a) => a.id));
  const wanted = [...new Set(accountIds)].filter((id) => known.has(id));
  const lists = await Promise.all(
    wanted.map((id) => limit(() => ports.retry.run(() => ports.api.listCandidates(id)))),
  );
  const candidates = new Map<string, Map<string, Candidate>>();
  wanted.forEach((id, index) => {
    candidates.set(id, new Map((lists[index] ?? []).map((c) => [c.id, c])));
  });
  return { accounts: known, candidates, accountList };
}
