/**
 * The simulator's fixture: what the simulated Domo instance holds and how it misbehaves.
 * A YAML file (see `load-fixture.ts`) or a JS object, checked here into a normalised `Fixture`.
 *
 * ```yaml
 * token: demo-token              # the accepted X-DOMO-Developer-Token; anything else → 401 "Unauthorized" (text/plain)
 * forbiddenToken: other-token    # optional: this token → 403 JSON {status,statusReason,message,toe}
 * seed: 42                       # faults come from a seeded PRNG: same seed + same requests → same outcomes
 * latencyMs: 100                 # or { min: 50, max: 300 }: delay before answering each request (default 0)
 * migrateLatencyMs: { min: 500, max: 2000 }   # optional: the delay for migrate/reverse POSTs instead
 * mode: normal                   # normal | maintenance (every call → 503 HTML page)
 *                                # | ip-blocked (every call → 303 Location: https://<host>/whitelist/blocked)
 * faults:                        # shares (0..1), drawn per request from the seeded PRNG (all default 0)
 *   rate429: 0                   # answered 429 with Retry-After: retryAfterSeconds
 *   retryAfterSeconds: 1
 *   rate5xx: 0                   # answered 502, 503 or 504 (drawn) with a JSON or an HTML body (drawn)
 *   dropBeforeApply: 0           # migrate/reverse POSTs: connection destroyed before the change is applied
 *   dropAfterApply: 0            # migrate/reverse POSTs: change applied, then connection destroyed unanswered
 *   incompleteOnce: 0            # share of datasources whose first applied migrate ends INCOMPLETE
 *   aborted: 0                   # migrate POSTs answered ABORTED (nothing changed)
 *   status5xxAfterApply: 0       # migrate/reverse POSTs: decided and applied, then answered 500/502/503/504
 *   resetAfterApply: 0           # migrate/reverse POSTs: decided and applied, then the connection reset
 *   hangBeforeApply: 0           # migrate/reverse POSTs: never answered, nothing changed
 *   hangAfterApply: 0            # migrate/reverse POSTs: decided and applied, then never answered
 *   unknownState: 0              # migrate/reverse POSTs: decided and applied, answered with state "PENDING"
 *   reverseAborted: 0            # reverse POSTs answered ABORTED (nothing changed)
 *   reverseIncompleteOnce: 0     # share of datasources whose first applied reversal ends INCOMPLETE
 * rateLimit: { perSecond: 50, burst: 50 }   # optional token bucket over all API requests: 429 + Retry-After
 * revokeTokenAfter: 100          # optional: after 100 API requests with the token, every one is answered 401
 * unknownIds: aborted            # aborted (200 ABORTED, the default) | not-found (404): migrate/reverse of an
 *                                #   unknown datasource or account
 * types: [snowflake-federated, postgresql-federated]   # optional: what GET /types lists (default: the
 *                                #   distinct types of the accounts); a type without accounts is allowed
 * accounts:                      # Federated V2 accounts
 *   - { id: "12", type: snowflake-federated, name: "Snowflake V2" }
 * datasources:                   # Federated V1 datasources
 *   - id: 495e28ec-6c07-41fc-99ed-b2dce9a5f569
 *     name: Orders               # optional (default: the id)
 *     type: snowflake-federated  # a candidate of every account of this type
 *     catalog: ANALYTICS         # the table it really reads (case-sensitive)
 *     schema: PUBLIC             # NULL (or null, ~, empty) for no schema: stored as the string "NULL"
 *     table: ORDERS
 *     migrated: false            # optional initial state (true: migrated to migratedAccount,
 *     migratedAccount: "12"      #   default the first account of its type)
 *     fault: incomplete-once     # optional, deterministic, of migrate POSTs: see DATASOURCE_FAULTS
 *     reverseFault: aborted-once # optional, deterministic, of reverse POSTs: see REVERSE_FAULTS
 *     candidateOf: ["12"]        # optional: the accounts it is a candidate of (default: every account of
 *                                #   its type); a migrate to another account is ABORTED
 * ```
 *
 * Identifiers are strings: in a YAML file an unquoted `id: 12` or `table: 0123` keeps its source
 * text ("12", "0123"), as the manifest does.
 */

export {
  DATASOURCE_FAULTS,
  type DatasourceFault,
  type Fixture,
  type FixtureAccount,
  type FixtureBehaviour,
  type FixtureFaults,
  type FixtureInput,
  type LatencyRange,
  type ReverseFault,
  type SimMode,
} from "./fixture-schema.js";

import * as v from "valibot";
import { FixtureError } from "./fixture-error.js";
import { BehaviourSchema, type Fixture, type FixtureFaults, FixtureSchema } from "./fixture-schema.js";

/** An issue with the path as segments, so a YAML loader can find its line. */
export interface FixturePathIssue {
  path: (string | number)[];
  message: string;
}

export type FixtureCheck = { ok: true; fixture: Fixture } | { ok: false; issues: FixturePathIssue[] };

/** Checks a fixture and returns it normalised, or every issue found. Pure. */
export function checkFixture(input: unknown): FixtureCheck {
  const result = v.safeParse(FixtureSchema, input);
  return result.success
    ? { ok: true, fixture: result.output }
    : { ok: false, issues: pathIssues(result.issues) };
}

/**
 * A checked fixture from a JS object, or a `FixtureError` listing every issue with its path.
 * `source` names the fixture in the error (a file path, or "(object)").
 */
export function parseFixture(input: unknown, source = "(object)"): Fixture {
  const check = checkFixture(input);
  if (check.ok) return check.fixture;
  throw new FixtureError(
    source,
    check.issues.map((issue) => ({ path: formatFixturePath(issue.path), message: issue.message })),
  );
}

/**
 * Checks the behaviour part of a fixture (latency, mode, faults, rate limit, token revocation,
 * unknown ids) for a change to a running simulator; fault shares not given keep their `current` value.
 */
export function checkBehaviour(
  input: unknown,
  current: FixtureFaults,
): { ok: true; behaviour: Partial<Fixture> } | { ok: false; issues: FixturePathIssue[] } {
  const result = v.safeParse(BehaviourSchema, input);
  if (!result.success) return { ok: false, issues: pathIssues(result.issues) };
  const given = input as Record<string, unknown>;
  const { latencyMs, migrateLatencyMs, mode, faults, rateLimit, revokeTokenAfter, unknownIds } =
    result.output;
  const behaviour: Partial<Fixture> = {};
  if (latencyMs !== undefined) behaviour.latencyMs = latencyMs;
  // A null turns it off; a key not given leaves it as it is.
  if ("migrateLatencyMs" in given) behaviour.migrateLatencyMs = migrateLatencyMs ?? undefined;
  if (mode !== undefined) behaviour.mode = mode;
  if (faults !== undefined) {
    const changes = Object.entries(faults).filter(([, share]) => share !== undefined);
    behaviour.faults = { ...current, ...Object.fromEntries(changes) };
  }
  if ("rateLimit" in given) behaviour.rateLimit = rateLimit ?? undefined;
  if ("revokeTokenAfter" in given) behaviour.revokeTokenAfter = revokeTokenAfter ?? undefined;
  if (unknownIds !== undefined) behaviour.unknownIds = unknownIds;
  return { ok: true, behaviour };
}

function pathIssues(issues: readonly v.BaseIssue<unknown>[]): FixturePathIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => item.key as string | number),
    message: issue.message,
  }));
}

/** `datasources[3].table` from ["datasources", 3, "table"]. */
export function formatFixturePath(path: readonly (string | number)[]): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  }
  return text;
}
