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
 * rateLimit: { perSecond: 50, burst: 50 }   # optional token bucket over all API requests: 429 + Retry-After
 * accounts:                      # Federated V2 accounts; GET /types lists their distinct types
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
 *     fault: incomplete-once     # optional, deterministic, see DATASOURCE_FAULTS
 * ```
 *
 * Identifiers are strings: in a YAML file an unquoted `id: 12` or `table: 0123` keeps its source
 * text ("12", "0123"), as the manifest does.
 */

import { FixtureError } from "./fixture-error.js";

/** How the whole instance answers. */
export type SimMode = "normal" | "maintenance" | "ip-blocked";

export const SIM_MODES: readonly SimMode[] = ["normal", "maintenance", "ip-blocked"];

/**
 * Deterministic per-datasource faults. The `-once` ones hit the first migrate POST of that datasource
 * that reaches the fault's stage, and never again; they do not touch reverse POSTs.
 * - `incomplete-once`: the first applied migrate ends INCOMPLETE; a later one completes.
 * - `incomplete-always`: every migrate ends INCOMPLETE.
 * - `aborted`: every migrate is ABORTED (nothing changes).
 * - `drop-after-apply-once`: the first migrate that applies is applied, then its connection dropped.
 * - `drop-before-apply-once`: the first migrate's connection is dropped before anything changes.
 * - `status-503-once`: the first migrate is answered 503 (nothing changes).
 */
export type DatasourceFault =
  | "incomplete-once"
  | "incomplete-always"
  | "aborted"
  | "drop-after-apply-once"
  | "drop-before-apply-once"
  | "status-503-once";

export const DATASOURCE_FAULTS: readonly DatasourceFault[] = [
  "incomplete-once",
  "incomplete-always",
  "aborted",
  "drop-after-apply-once",
  "drop-before-apply-once",
  "status-503-once",
];

/** A delay drawn uniformly from [min, max] milliseconds. */
export interface LatencyRange {
  min: number;
  max: number;
}

/** Random fault shares (0..1), drawn per request. */
export interface FixtureFaults {
  rate429: number;
  /** Seconds sent in `Retry-After` with a drawn 429. */
  retryAfterSeconds: number;
  rate5xx: number;
  dropBeforeApply: number;
  dropAfterApply: number;
  incompleteOnce: number;
  aborted: number;
}

/** A token bucket over all API requests. */
export interface RateLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
}

/** A Federated V2 account. */
export interface FixtureAccount {
  id: string;
  type: string;
  name: string;
}

/** A Federated V1 datasource and the table it really reads. */
export interface FixtureDatasource {
  id: string;
  name: string;
  type: string;
  catalog: string;
  /** The literal "NULL" for a database without schemas. */
  schema: string;
  table: string;
  /** Initially migrated (to `migratedAccount`). */
  migrated: boolean;
  migratedAccount: string | undefined;
  migrationDate: string | undefined;
  fault: DatasourceFault | undefined;
}

/** A checked, normalised fixture: every default filled in. */
export interface Fixture {
  token: string;
  forbiddenToken: string | undefined;
  seed: number;
  latencyMs: LatencyRange;
  /** The delay of migrate/reverse POSTs; `latencyMs` when undefined. */
  migrateLatencyMs: LatencyRange | undefined;
  mode: SimMode;
  faults: FixtureFaults;
  rateLimit: RateLimit | undefined;
  accounts: FixtureAccount[];
  datasources: FixtureDatasource[];
}

/** What a fixture author writes (a `Fixture` is one too). */
export interface FixtureInput {
  token: string;
  forbiddenToken?: string | undefined;
  seed?: number;
  latencyMs?: number | LatencyRange;
  migrateLatencyMs?: number | LatencyRange | undefined;
  mode?: SimMode;
  faults?: Partial<FixtureFaults>;
  rateLimit?: { perSecond: number; burst?: number } | undefined;
  accounts: { id: string; type: string; name?: string }[];
  datasources: {
    id: string;
    name?: string;
    type: string;
    catalog: string;
    schema: string | null;
    table: string;
    migrated?: boolean;
    migratedAccount?: string | undefined;
    migrationDate?: string | undefined;
    fault?: DatasourceFault | undefined;
  }[];
}

/** The parts of a running simulator's behaviour that can change while it serves. */
export interface FixtureBehaviour {
  latencyMs?: number | LatencyRange;
  migrateLatencyMs?: number | LatencyRange | undefined;
  mode?: SimMode;
  faults?: Partial<FixtureFaults>;
  rateLimit?: { perSecond: number; burst?: number } | undefined;
}

/** An issue with the path as segments, so a YAML loader can find its line. */
export interface FixturePathIssue {
  path: (string | number)[];
  message: string;
}

export type FixtureCheck = { ok: true; fixture: Fixture } | { ok: false; issues: FixturePathIssue[] };

const TOP_KEYS = [
  "token",
  "forbiddenToken",
  "seed",
  "latencyMs",
  "migrateLatencyMs",
  "mode",
  "faults",
  "rateLimit",
  "accounts",
  "datasources",
] as const;
const FAULT_SHARE_KEYS = [
  "rate429",
  "rate5xx",
  "dropBeforeApply",
  "dropAfterApply",
  "incompleteOnce",
  "aborted",
] as const;
const FAULT_KEYS = [...FAULT_SHARE_KEYS, "retryAfterSeconds"] as const;
const ACCOUNT_KEYS = ["id", "type", "name"] as const;
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
] as const;
const BEHAVIOUR_KEYS = ["latencyMs", "migrateLatencyMs", "mode", "faults", "rateLimit"] as const;

const NO_FAULTS: FixtureFaults = {
  rate429: 0,
  retryAfterSeconds: 1,
  rate5xx: 0,
  dropBeforeApply: 0,
  dropAfterApply: 0,
  incompleteOnce: 0,
  aborted: 0,
};

type Path = (string | number)[];

/** Collects every issue of one check, with its path. */
class Checker {
  readonly issues: FixturePathIssue[] = [];

  fail(path: Path, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  record(value: unknown, path: Path, known: readonly string[]): Record<string, unknown> | undefined {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return this.fail(path, `must be a mapping, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      const near = suggest(key, known);
      this.fail(
        [...path, key],
        `unknown key${near ? ` (did you mean "${near}"?)` : ""}; known keys: ${known.join(", ")}`,
      );
    }
    return record;
  }

  string(value: unknown, path: Path): string | undefined {
    if (typeof value !== "string") return this.fail(path, `must be a string, got ${describe(value)}`);
    if (value === "") return this.fail(path, "must not be empty");
    if (hasControlCharacter(value)) return this.fail(path, "must not contain control characters");
    return value;
  }

  share(value: unknown, path: Path): number | undefined {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
      return this.fail(path, `must be a share between 0 and 1, got ${describe(value)}`);
    }
    return value;
  }

  nonNegative(value: unknown, path: Path, integer = false): number | undefined {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      value < 0 ||
      (integer && !Number.isInteger(value))
    ) {
      return this.fail(
        path,
        `must be a non-negative ${integer ? "integer" : "number"}, got ${describe(value)}`,
      );
    }
    return value;
  }

  latency(value: unknown, path: Path): LatencyRange | undefined {
    if (typeof value === "number") {
      const ms = this.nonNegative(value, path);
      return ms === undefined ? undefined : { min: ms, max: ms };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return this.fail(path, `must be milliseconds or { min, max }, got ${describe(value)}`);
    }
    const record = this.record(value, path, ["min", "max"]);
    if (!record) return undefined;
    const min = this.nonNegative(record.min, [...path, "min"]);
    const max = this.nonNegative(record.max, [...path, "max"]);
    if (min === undefined || max === undefined) return undefined;
    if (min > max) return this.fail(path, `min (${min}) must not exceed max (${max})`);
    return { min, max };
  }

  mode(value: unknown, path: Path): SimMode | undefined {
    if (typeof value === "string" && (SIM_MODES as readonly string[]).includes(value))
      return value as SimMode;
    return this.fail(path, `must be one of ${SIM_MODES.join(", ")}, got ${describe(value)}`);
  }

  faults(value: unknown, path: Path, base: FixtureFaults): FixtureFaults | undefined {
    const record = this.record(value, path, FAULT_KEYS);
    if (!record) return undefined;
    const faults: FixtureFaults = { ...base };
    for (const key of FAULT_SHARE_KEYS) {
      if (record[key] === undefined) continue;
      const share = this.share(record[key], [...path, key]);
      if (share !== undefined) faults[key] = share;
    }
    if (record.retryAfterSeconds !== undefined) {
      const seconds = this.nonNegative(record.retryAfterSeconds, [...path, "retryAfterSeconds"], true);
      if (seconds !== undefined) faults.retryAfterSeconds = seconds;
    }
    return faults;
  }

  rateLimit(value: unknown, path: Path): RateLimit | undefined {
    const record = this.record(value, path, ["perSecond", "burst"]);
    if (!record) return undefined;
    const perSecond = record.perSecond;
    if (typeof perSecond !== "number" || !Number.isFinite(perSecond) || perSecond <= 0) {
      return this.fail([...path, "perSecond"], `must be a positive number, got ${describe(perSecond)}`);
    }
    const burst = record.burst ?? Math.max(1, Math.ceil(perSecond));
    if (typeof burst !== "number" || !Number.isInteger(burst) || burst < 1) {
      return this.fail([...path, "burst"], `must be a positive integer, got ${describe(burst)}`);
    }
    return { perSecond, burst };
  }
}

/** Checks a fixture and returns it normalised, or every issue found. Pure. */
export function checkFixture(input: unknown): FixtureCheck {
  const c = new Checker();
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
      c.fail(["seed"], `must be an integer, got ${describe(root.seed)}`);
    } else {
      seed = root.seed;
    }
  }
  const latencyMs =
    root.latencyMs === undefined ? { min: 0, max: 0 } : c.latency(root.latencyMs, ["latencyMs"]);
  const migrateLatencyMs =
    root.migrateLatencyMs === undefined ? undefined : c.latency(root.migrateLatencyMs, ["migrateLatencyMs"]);
  const mode = root.mode === undefined ? "normal" : c.mode(root.mode, ["mode"]);
  const faults = root.faults === undefined ? { ...NO_FAULTS } : c.faults(root.faults, ["faults"], NO_FAULTS);
  const rateLimit = root.rateLimit === undefined ? undefined : c.rateLimit(root.rateLimit, ["rateLimit"]);

  const accounts = checkAccounts(c, root.accounts);
  const datasources = checkDatasources(c, root.datasources, accounts);

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
 * Checks the behaviour part of a fixture (latency, mode, faults, rate limit) for a change to a
 * running simulator; fault shares not given keep their `current` value.
 */
export function checkBehaviour(
  input: unknown,
  current: FixtureFaults,
): { ok: true; behaviour: Partial<Fixture> } | { ok: false; issues: FixturePathIssue[] } {
  const c = new Checker();
  const root = c.record(input, [], BEHAVIOUR_KEYS);
  if (!root) return { ok: false, issues: c.issues };
  const behaviour: Partial<Fixture> = {};
  if ("latencyMs" in root) {
    const latency = c.latency(root.latencyMs, ["latencyMs"]);
    if (latency) behaviour.latencyMs = latency;
  }
  if ("migrateLatencyMs" in root) {
    behaviour.migrateLatencyMs =
      root.migrateLatencyMs === undefined || root.migrateLatencyMs === null
        ? undefined
        : c.latency(root.migrateLatencyMs, ["migrateLatencyMs"]);
  }
  if (root.mode !== undefined) {
    const mode = c.mode(root.mode, ["mode"]);
    if (mode) behaviour.mode = mode;
  }
  if (root.faults !== undefined) {
    const faults = c.faults(root.faults, ["faults"], current);
    if (faults) behaviour.faults = faults;
  }
  if ("rateLimit" in root) {
    behaviour.rateLimit =
      root.rateLimit === undefined || root.rateLimit === null
        ? undefined
        : c.rateLimit(root.rateLimit, ["rateLimit"]);
  }
  return c.issues.length > 0 ? { ok: false, issues: c.issues } : { ok: true, behaviour };
}

function checkAccounts(c: Checker, value: unknown): FixtureAccount[] {
  if (value === undefined) {
    c.fail(["accounts"], "is required (a list of Federated V2 accounts)");
    return [];
  }
  if (!Array.isArray(value)) {
    c.fail(["accounts"], `must be a list, got ${describe(value)}`);
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

function checkDatasources(c: Checker, value: unknown, accounts: FixtureAccount[]): FixtureDatasource[] {
  if (value === undefined) {
    c.fail(["datasources"], "is required (a list of Federated V1 datasources)");
    return [];
  }
  if (!Array.isArray(value)) {
    c.fail(["datasources"], `must be a list, got ${describe(value)}`);
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
      else c.fail([...path, "migrated"], `must be true or false, got ${describe(record.migrated)}`);
    }
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
    let fault: DatasourceFault | undefined;
    if (record.fault !== undefined) {
      if (
        typeof record.fault === "string" &&
        (DATASOURCE_FAULTS as readonly string[]).includes(record.fault)
      ) {
        fault = record.fault as DatasourceFault;
      } else {
        c.fail(
          [...path, "fault"],
          `must be one of ${DATASOURCE_FAULTS.join(", ")}, got ${describe(record.fault)}`,
        );
      }
    }
    if (migrated && migratedAccount === undefined && type !== undefined) {
      migratedAccount = accounts.find((account) => account.type === type)?.id;
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
    });
  });
  return datasources;
}

/** `datasources[3].table` from ["datasources", 3, "table"]. */
export function formatFixturePath(path: readonly (string | number)[]): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : text === "" ? part : `.${part}`;
  }
  return text;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

/** The known key closest to a typo, if it is close (edit distance ≤ 2). */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}
