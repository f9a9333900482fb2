import pLimit from "p-limit";
import type { Account, Candidate, DomoApi } from "../domo/types.js";
import type { ServerState } from "../plan/types.js";
import type { RetryRunner } from "./execute-items.js";

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
 * (every run pays this before its first POST). Only the lists of accounts the server knows are
 * used; the others are cancelled (request and retries) once the accounts are read, and their
 * errors ignored, as if never asked for: an unknown account is the plan's finding, not a failure.
 */
export async function readServerState(
  accountIds: Iterable<string>,
  ports: { api: DomoApi; retry: RetryRunner },
  options: ReadServerStateOptions = {},
): Promise<ServerState & { accountList: Account[] }> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const outer = options.signal;
  outer?.throwIfAborted();
  const named = [...new Set(accountIds)];
  const lists = new Map(
    named.map((id) => {
      const cancel = new AbortController();
      const { signal } = cancel;
      const list = limit(() => {
        // Known by now to be unwanted, or the plan failed: not sent at all.
        signal.throwIfAborted();
        return ports.retry.run(() => ports.api.listCandidates(id, { signal }), { signal });
      });
      // Awaited below only for known accounts: the rest must not surface as unhandled rejections.
      list.catch(() => {});
      return [id, { list, cancel }] as const;
    }),
  );
  const cancelAll = () => {
    for (const { cancel } of lists.values()) cancel.abort(outer?.reason);
  };
  outer?.addEventListener("abort", cancelAll, { once: true });
  try {
    const types = await ports.retry.run(() => ports.api.listTypes({ signal: outer }), { signal: outer });
    const accountLists = await Promise.all(
      types.map((type) =>
        limit(() =>
          ports.retry.run(() => ports.api.listAccounts(type, { signal: outer }), { signal: outer }),
        ),
      ),
    );
    const accountList = accountLists.flat();
    const known = new Set(accountList.map((a) => a.id));
    for (const [id, { cancel }] of lists) if (!known.has(id)) cancel.abort();
    const candidates = new Map<string, Map<string, Candidate>>();
    for (const [id, { list }] of lists) {
      if (known.has(id)) candidates.set(id, new Map((await list).map((c) => [c.id, c])));
    }
    return { accounts: known, candidates, accountList };
  } catch (error) {
    // Nothing more is needed from the server: stop what is queued or waiting to be retried.
    cancelAll();
    throw error;
  } finally {
    outer?.removeEventListener("abort", cancelAll);
  }
}
