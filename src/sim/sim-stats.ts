import { REQUEST_OUTCOMES, type RequestOutcome, SIM_ROUTES, type SimRoute, type SimStats } from "./types.js";

/** Counters at zero, with `inFlight` requests already under way. */
export function emptyStats(inFlight: number): SimStats {
  return {
    requests: 0,
    inFlight,
    maxInFlight: inFlight,
    byRoute: Object.fromEntries(SIM_ROUTES.map((route) => [route, 0])) as Record<SimRoute, number>,
    byStatus: {},
    byOutcome: Object.fromEntries(REQUEST_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
      RequestOutcome,
      number
    >,
    migrations: 0,
    reversals: 0,
    migrateStates: { COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0 },
    reverseStates: { COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0 },
  };
}

/** Outcomes of requests that got no answer at all, and their key in `byStatus`. */
const UNANSWERED: Partial<Record<RequestOutcome, string>> = {
  "dropped-before": "dropped",
  "dropped-after": "dropped",
  "reset-after": "reset",
  "hung-before": "hung",
  "hung-after": "hung",
};

/** The `byStatus` key of an ended request; undefined `status` for one never answered. */
export function statusKey(outcome: RequestOutcome, status: number | null): string {
  return UNANSWERED[outcome] ?? (outcome === "client-closed" ? "client-closed" : String(status));
}

/** Was the request left without any answer (dropped, reset, hung)? */
export function isUnanswered(outcome: RequestOutcome): boolean {
  return UNANSWERED[outcome] !== undefined;
}
