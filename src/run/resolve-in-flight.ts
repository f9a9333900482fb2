import type { Logger } from "pino";
import type { Candidate, DomoApi } from "../domo/types.js";
import type { AttemptRow } from "../journal/types.js";
import type { AttemptWriter, RetryRunner } from "./execute-items.js";

export interface ResolvedRow {
  row: AttemptRow;
  state: "COMPLETE" | "FAILED";
  /** false when the server did not list the datasource, so nothing could be confirmed. */
  confirmed: boolean;
}

/**
 * Completes the rows a crashed or killed run left IN_FLIGHT, from the server's candidate
 * lists (one read per account): a migration the server shows migrated is COMPLETE, a reversal
 * it shows not migrated is COMPLETE when the datasource was migrated before it, anything else
 * took no effect or cannot be told (FAILED) and is attempted again.
 *
 * `migratedBeforeReversal` says whether the datasource of an in-flight reversal was migrated
 * (its migration COMPLETE) when the reversal was sent: the list shows an INCOMPLETE datasource
 * as not migrated too, so "not migrated" confirms nothing about the reversal of one. Default: it was.
 */
export async function resolveInFlight(
  rows: readonly AttemptRow[],
  ports: { api: DomoApi; journal: AttemptWriter; retry: RetryRunner; now: () => Date; logger: Logger },
  migratedBeforeReversal: (row: AttemptRow) => boolean = () => true,
): Promise<ResolvedRow[]> {
  const byAccount = new Map<string, Map<string, Candidate>>();
  const resolved: ResolvedRow[] = [];
  for (const row of rows) {
    const account = row.accountId ?? "";
    let candidates = byAccount.get(account);
    if (!candidates) {
      const list = account ? await ports.retry.run(() => ports.api.listCandidates(account)) : [];
      candidates = new Map(list.map((c) => [c.id, c]));
      byAccount.set(account, candidates);
    }
    const candidate = candidates.get(row.datasourceId);
    const unknowable =
      candidate !== undefined &&
      row.direction === "V2_TO_V1" &&
      !candidate.migrated &&
      !migratedBeforeReversal(row);
    const applied = candidate
      ? row.direction === "V1_TO_V2"
        ? candidate.migrated
        : !candidate.migrated && !unknowable
      : false;
    const state = applied ? "COMPLETE" : "FAILED";
    const verb = row.direction === "V1_TO_V2" ? "migrated" : "back on V1";
    ports.journal.completeAttempt(row.id, {
      state,
      toe: null,
      errorMessage: unknowable
        ? `run ${row.runId} stopped with this reversal in flight; the server reports the datasource not migrated, as it reports an INCOMPLETE one too, so whether the reversal took effect is unknown: rollback sends it again`
        : candidate
          ? `run ${row.runId} stopped with this request in flight; the server reports it ${applied ? "" : "not "}${verb}`
          : `run ${row.runId} stopped with this request in flight; account ${account} does not list the datasource, so it is taken as not applied`,
      httpStatus: null,
      serverStartTime: null,
      serverEndTime: null,
      endedAt: ports.now().toISOString(),
      resolvedBy: "readback",
    });
    ports.logger.warn(
      {
        event: "inflight.resolved",
        datasource: row.datasourceId,
        run: row.runId,
        direction: row.direction,
        state,
      },
      "resolved a request left in flight by an earlier run",
    );
    resolved.push({ row, state, confirmed: candidate !== undefined });
  }
  return resolved;
}
