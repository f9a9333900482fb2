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

export { formatFixturePath } from "./fixture-checker.js";
export {
  DATASOURCE_FAULTS,
  type DatasourceFault,
  type Fixture,
  type FixtureAccount,
  type FixtureBehaviour,
  type FixtureFaults,
  type FixtureInput,
  type FixturePathIssue,
  type LatencyRange,
  type ReverseFault,
  type SimMode,
} from "./fixture-types.js";

import { describeValue } from "../describe-value.js";
import { checkFixtureInventory } from "./check-fixture-inventory.js";
import { FixtureChecker, formatFixturePath } from "./fixture-checker.js";
import { FixtureError } from "./fixture-error.js";
import {
  FAULT_SHARE_KEYS,
  type Fixture,
  type FixtureBehaviour,
  type FixtureFaults,
  type FixtureInput,
  type FixturePathIssue,
  SIM_MODES,
  type SimMode,
  UNKNOWN_ID_ANSWERS,
  type UnknownIdAnswer,
} from "./fixture-types.js";

export type FixtureCheck = { ok: true; fixture: Fixture } | { ok: false; issues: FixturePathIssue[] };

const BEHAVIOUR_KEYS = [
  "latencyMs",
  "migrateLatencyMs",
  "mode",
  "faults",
  "rateLimit",
  "revokeTokenAfter",
  "unknownIds",
] as const;
const TOP_KEYS = [
  "token",
  "forbiddenToken",
  "seed",
  ...BEHAVIOUR_KEYS,
  "types",
  "accounts",
  "datasources",
] as const;

/** Every fault share 0: a well-behaved instance. */
const NO_FAULTS: FixtureFaults = {
  ...(Object.fromEntries(FAULT_SHARE_KEYS.map((key) => [key, 0])) as Record<FaultShareKey, number>),
  retryAfterSeconds: 1,
};

/** Every key a fixture author may write, once: the compiler checks each list against the types. */
type Exactly<List extends readonly string[], Keys extends string> = [Keys] extends [List[number]]
  ? [List[number]] extends [Keys]
    ? List
    : never
  : never;
type FaultShareKey = (typeof FAULT_SHARE_KEYS)[number];
const _topKeysAreFixtureInput: Exactly<typeof TOP_KEYS, keyof FixtureInput> = TOP_KEYS;
const _behaviourKeysAreFixtureBehaviour: Exactly<typeof BEHAVIOUR_KEYS, keyof FixtureBehaviour> =
  BEHAVIOUR_KEYS;
const _faultShareKeysAreFixtureFaults: Exactly<
  typeof FAULT_SHARE_KEYS,
  Exclude<keyof FixtureFaults, "retryAfterSeconds">
> = FAULT_SHARE_KEYS;

/** Checks a fixture and returns it normalised, or every issue found. Pure. */
export function checkFixture(input: unknown): FixtureCheck {
  const c = new FixtureChecker();
  const root = c.record(input, [], TOP_KEYS);
  if (!root) return { ok: false, issues: c.issues };

  const token = root.token === undefined ? c.fail(["token"], "is required") : c.string(root.token, ["token"]);
  let forbiddenToken: string | undefined;
  if (root.forbiddenToken !== undefined) {
    forbiddenToken = c.string(root.forbiddenToken, ["forbiddenToken"]);
    if (forbiddenToken !== undefined && forbiddenToken === token) {
      c.fail(["forbiddenToken"], "must differ from token");
    }
  }
  let seed = 1;
  if (root.seed !== undefined) {
    if (typeof root.seed !== "number" || !Number.isSafeInteger(root.seed)) {
      c.fail(["seed"], `must be an integer, is ${describeValue(root.seed)}`);
    } else {
      seed = root.seed;
    }
  }
  const latencyMs =
    root.latencyMs === undefined ? { min: 0, max: 0 } : c.latency(root.latencyMs, ["latencyMs"]);
  const migrateLatencyMs =
    root.migrateLatencyMs === undefined ? undefined : c.latency(root.migrateLatencyMs, ["migrateLatencyMs"]);
  const mode = root.mode === undefined ? "normal" : c.oneOf<SimMode>(root.mode, ["mode"], SIM_MODES);
  const faults = root.faults === undefined ? { ...NO_FAULTS } : c.faults(root.faults, ["faults"], NO_FAULTS);
  const rateLimit = root.rateLimit === undefined ? undefined : c.rateLimit(root.rateLimit, ["rateLimit"]);
  const revokeTokenAfter =
    root.revokeTokenAfter === undefined
      ? undefined
      : c.nonNegative(root.revokeTokenAfter, ["revokeTokenAfter"], true);
  const unknownIds =
    root.unknownIds === undefined
      ? "aborted"
      : c.oneOf<UnknownIdAnswer>(root.unknownIds, ["unknownIds"], UNKNOWN_ID_ANSWERS);
  const { types, accounts, datasources } = checkFixtureInventory(c, root);

  if (c.issues.length > 0 || token === undefined || latencyMs === undefined || !mode || !faults) {
    return { ok: false, issues: c.issues };
  }
  return {
    ok: true,
    fixture: {
      token,
      forbiddenToken,
      seed,
      latencyMs,
      migrateLatencyMs,
      mode,
      faults,
      rateLimit,
      revokeTokenAfter,
      unknownIds,
      types,
      accounts,
      datasources,
    },
  };
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
  const c = new FixtureChecker();
  const root = c.record(input, [], BEHAVIOUR_KEYS);
  if (!root) return { ok: false, issues: c.issues };
  const behaviour: Partial<Fixture> = {};
  const off = (value: unknown) => value === undefined || value === null;
  if ("latencyMs" in root) {
    const latency = c.latency(root.latencyMs, ["latencyMs"]);
    if (latency) behaviour.latencyMs = latency;
  }
  if ("migrateLatencyMs" in root) {
    behaviour.migrateLatencyMs = off(root.migrateLatencyMs)
      ? undefined
      : c.latency(root.migrateLatencyMs, ["migrateLatencyMs"]);
  }
  if (root.mode !== undefined) {
    const mode = c.oneOf<SimMode>(root.mode, ["mode"], SIM_MODES);
    if (mode) behaviour.mode = mode;
  }
  if (root.faults !== undefined) {
    const faults = c.faults(root.faults, ["faults"], current);
    if (faults) behaviour.faults = faults;
  }
  if ("rateLimit" in root) {
    behaviour.rateLimit = off(root.rateLimit) ? undefined : c.rateLimit(root.rateLimit, ["rateLimit"]);
  }
  if ("revokeTokenAfter" in root) {
    behaviour.revokeTokenAfter = off(root.revokeTokenAfter)
      ? undefined
      : c.nonNegative(root.revokeTokenAfter, ["revokeTokenAfter"], true);
  }
  if (root.unknownIds !== undefined) {
    const unknownIds = c.oneOf<UnknownIdAnswer>(root.unknownIds, ["unknownIds"], UNKNOWN_ID_ANSWERS);
    if (unknownIds) behaviour.unknownIds = unknownIds;
  }
  return c.issues.length > 0 ? { ok: false, issues: c.issues } : { ok: true, behaviour };
}
