/**
 * The simulator fixture's schemas (see `fixture.ts` for the format): each field declared once,
 * its TypeScript type inferred from it.
 */
import * as v from "valibot";
import { describeValue } from "../describe-value.js";
import { suggestKey } from "../manifest/suggest-key.js";

/** How the whole instance answers. */
export const SIM_MODES = ["normal", "maintenance", "ip-blocked"] as const;

/**
 * Deterministic per-datasource faults of migrate POSTs (reverse POSTs have `REVERSE_FAULTS`). The
 * `-once` ones hit the first migrate POST of that datasource that reaches the fault's stage, and
 * never again.
 * - `incomplete-once`: the first applied migrate ends INCOMPLETE; a later one completes.
 * - `incomplete-always`: every migrate ends INCOMPLETE.
 * - `aborted`: every migrate is ABORTED (nothing changes).
 * - `drop-after-apply-once`: the first migrate that applies is applied, then its connection dropped.
 * - `drop-before-apply-once`: the first migrate's connection is dropped before anything changes.
 * - `status-503-once`: the first migrate is answered 503 (nothing changes).
 * - `status-500-after-apply-once` (502, 503, 504 alike): the first migrate that applies is
 *   applied, then answered with that status (a gateway that lost the answer).
 * - `reset-after-apply-once`: the first migrate that applies is applied, then its connection reset (RST).
 * - `hang-before-apply-once`: the first migrate is never answered and changes nothing; the
 *   client's timeout ends it.
 * - `hang-after-apply-once`: the first migrate that applies is applied, then never answered.
 * - `unknown-state-once`: the first migrate that applies is applied, then answered 200 with a
 *   record whose `state` is `PENDING`, a state Domo does not document.
 */
export const DATASOURCE_FAULTS = [
  "incomplete-once",
  "incomplete-always",
  "aborted",
  "drop-after-apply-once",
  "drop-before-apply-once",
  "status-503-once",
  "status-500-after-apply-once",
  "status-502-after-apply-once",
  "status-503-after-apply-once",
  "status-504-after-apply-once",
  "reset-after-apply-once",
  "hang-before-apply-once",
  "hang-after-apply-once",
  "unknown-state-once",
] as const;

/**
 * Deterministic per-datasource faults of reverse POSTs. `-once`: the first reversal of that
 * datasource that would change it; later ones complete.
 * - `aborted-once` / `aborted-always`: ABORTED, nothing changes.
 * - `incomplete-once` / `incomplete-always`: INCOMPLETE: the datasource was changed, then the
 *   reversal failed; it is listed as before (migrated), and a re-attempt completes it.
 */
export const REVERSE_FAULTS = [
  "aborted-once",
  "aborted-always",
  "incomplete-once",
  "incomplete-always",
] as const;

/** How a migrate or reverse naming an unknown datasource or account is answered. */
const UNKNOWN_ID_ANSWERS = ["aborted", "not-found"] as const;

type Message = (issue: v.BaseIssue<unknown>) => string;

/** `must be a string, is the number 3`. */
function mustBe(what: string, whenMissing?: string): Message {
  return (issue) =>
    issue.input === undefined && whenMissing
      ? whenMissing
      : `must be ${what}, is ${describeValue(issue.input)}`;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A non-empty string without control characters. */
function text(whenMissing?: string) {
  return v.pipe(
    v.string(mustBe("a string", whenMissing)),
    v.nonEmpty("must not be empty"),
    v.check((value) => !hasControlCharacter(value), "must not contain control characters"),
  );
}
const Text = text();

function number(what: string, test: (value: number) => boolean) {
  return v.custom<number>(
    (value) => typeof value === "number" && Number.isFinite(value) && test(value),
    mustBe(what),
  );
}
const NonNegative = number("a non-negative number", (n) => n >= 0);
const NonNegativeInteger = number("a non-negative integer", (n) => n >= 0 && Number.isInteger(n));
const Share = number("a share between 0 and 1", (n) => n >= 0 && n <= 1);

function oneOf<const T extends readonly [string, ...string[]]>(allowed: T) {
  return v.picklist(allowed, mustBe(`one of ${allowed.join(", ")}`));
}

/** A list of distinct strings. */
function textList(what: string) {
  return v.pipe(
    v.array(Text, mustBe(`a list of ${what}`)),
    v.rawCheck(({ dataset, addIssue }) => {
      const list = dataset.value;
      if (!Array.isArray(list)) return;
      list.forEach((item: unknown, index) => {
        if (typeof item === "string" && list.indexOf(item) < index) {
          addIssue({ message: `"${item}" is listed twice`, path: [arrayItem(list, index)] });
        }
      });
    }),
  );
}

/**
 * An object of exactly these keys: each unknown key is an issue of its own (with a did-you-mean),
 * reported before the fields'. A key given as `undefined` counts as absent; a missing key is
 * checked by its own schema (so its message says what it should be).
 */
function closed<const E extends v.ObjectEntries>(entries: E) {
  const schema = v.object(entries, mustBe("a mapping"));
  const known = Object.keys(entries);
  const run: (typeof schema)["~run"] = (dataset, config) => {
    const input = dataset.value;
    if (input === null || typeof input !== "object" || Array.isArray(input))
      return schema["~run"](dataset, config);
    const value: Record<string, unknown> = {};
    for (const key of known) value[key] = (input as Record<string, unknown>)[key];
    const unknownIssues: v.BaseIssue<unknown>[] = [];
    for (const [key, item] of Object.entries(input)) {
      if (known.includes(key) || item === undefined) continue;
      const near = suggestKey(key, known);
      unknownIssues.push({
        kind: "schema",
        type: "object",
        input: item,
        expected: "never",
        received: `"${key}"`,
        message: `unknown key${near ? ` (did you mean "${near}"?)` : ""}; known keys: ${known.join(", ")}`,
        path: [{ type: "object", origin: "key", input: value, key, value: item }],
      });
    }
    const out = schema["~run"]({ ...dataset, value }, config);
    if (unknownIssues.length === 0) return out;
    const issues = [...unknownIssues, ...(out.issues ?? [])] as [
      v.BaseIssue<unknown>,
      ...v.BaseIssue<unknown>[],
    ];
    return { ...out, typed: false, issues } as ReturnType<(typeof schema)["~run"]>;
  };
  // Parents and `safeParse` call `~run`; the copied `~standard` (Standard Schema) still checks
  // without the unknown keys, and nothing here uses it.
  return { ...schema, "~run": run };
}

function arrayItem(list: unknown[], index: number): v.ArrayPathItem {
  return { type: "array", origin: "value", input: list, key: index, value: list[index] };
}

function objectItem(input: Record<string, unknown>, key: string): v.ObjectPathItem {
  return { type: "object", origin: "value", input, key, value: input[key] };
}

/** A delay in milliseconds: a number, or drawn uniformly from { min, max }. */
const LatencyRangeSchema = v.pipe(
  closed({ min: NonNegative, max: NonNegative }),
  v.check(
    ({ min, max }) => min <= max,
    (issue) => {
      const { min, max } = issue.input as { min: number; max: number };
      return `min (${min}) must not exceed max (${max})`;
    },
  ),
);
const Milliseconds = v.pipe(
  NonNegative,
  v.transform((ms) => ({ min: ms, max: ms })),
);
const LatencyObject = v.pipe(
  v.custom<object>(
    (value) => value !== null && typeof value === "object" && !Array.isArray(value),
    mustBe("milliseconds or { min, max }"),
  ),
  LatencyRangeSchema,
);
const Latency = v.lazy((input) => (typeof input === "number" ? Milliseconds : LatencyObject));

/** Random fault shares (0..1), drawn per request (or per datasource for the `…Once` ones). */
const FAULT_ENTRIES = {
  rate429: Share,
  /** Seconds sent in `Retry-After` with a drawn 429. */
  retryAfterSeconds: NonNegativeInteger,
  rate5xx: Share,
  dropBeforeApply: Share,
  dropAfterApply: Share,
  incompleteOnce: Share,
  aborted: Share,
  /** Migrate/reverse POSTs decided (and applied), then answered 500, 502, 503 or 504. */
  status5xxAfterApply: Share,
  /** Migrate/reverse POSTs decided (and applied), then their connection reset. */
  resetAfterApply: Share,
  /** Migrate/reverse POSTs never answered, nothing changed. */
  hangBeforeApply: Share,
  /** Migrate/reverse POSTs decided (and applied), then never answered. */
  hangAfterApply: Share,
  /** Migrate/reverse POSTs decided (and applied), then answered with `state: "PENDING"`. */
  unknownState: Share,
  /** Reverse POSTs answered ABORTED (nothing changed). */
  reverseAborted: Share,
  /** Share of datasources whose first applied reversal ends INCOMPLETE. */
  reverseIncompleteOnce: Share,
};
type FaultKey = keyof typeof FAULT_ENTRIES;

function mapFaults<S extends v.GenericSchema>(wrap: (schema: v.GenericSchema, key: FaultKey) => S) {
  return Object.fromEntries(
    Object.entries(FAULT_ENTRIES).map(([key, schema]) => [key, wrap(schema, key as FaultKey)]),
  ) as Record<FaultKey, S>;
}

/** Every share defaults to 0 (a well-behaved instance), `retryAfterSeconds` to 1. */
const FaultsSchema = closed(
  mapFaults((schema, key) =>
    v.optional(schema as v.GenericSchema<number>, key === "retryAfterSeconds" ? 1 : 0),
  ),
);
/** A change to a running simulator's faults: what is not given is kept. */
const FaultChangesSchema = closed(mapFaults((schema) => v.optional(schema as v.GenericSchema<number>)));

/** A token bucket over all API requests: `perSecond` tokens added, `burst` at most at once. */
const RateLimitSchema = v.pipe(
  closed({
    perSecond: number("a positive number", (n) => n > 0),
    burst: v.optional(
      v.custom<number>(
        (value) => typeof value === "number" && Number.isInteger(value) && value >= 1,
        mustBe("a positive integer"),
      ),
    ),
  }),
  v.transform(({ perSecond, burst }) => ({ perSecond, burst: burst ?? Math.max(1, Math.ceil(perSecond)) })),
);

/** The behaviour fields shared by a fixture and a change to a running simulator. */
const BEHAVIOUR_ENTRIES = {
  latencyMs: v.optional(Latency, 0),
  /** The delay of migrate/reverse POSTs; `latencyMs` when undefined. */
  migrateLatencyMs: v.optional(Latency),
  mode: v.optional(oneOf(SIM_MODES), "normal"),
  faults: v.optional(FaultsSchema, {}),
  rateLimit: v.optional(RateLimitSchema),
  /** After this many API requests carrying the token, the token is refused (401); undefined: never. */
  revokeTokenAfter: v.optional(NonNegativeInteger),
  /** How an unknown datasource or account id is answered by migrate and reverse. */
  unknownIds: v.optional(oneOf(UNKNOWN_ID_ANSWERS), "aborted"),
};

/** A Federated V2 account (`name` defaults to "<type> account <id>"). */
const AccountSchema = v.pipe(
  closed({ id: Text, type: Text, name: v.optional(Text) }),
  v.transform((account) => ({ ...account, name: account.name ?? `${account.type} account ${account.id}` })),
);

/** A Federated V1 datasource and the table it really reads. */
const DatasourceSchema = closed({
  id: Text,
  name: v.optional(Text),
  type: Text,
  catalog: Text,
  /** A null (YAML null, ~, empty) means no schema: the literal "NULL". */
  schema: v.pipe(
    v.nullable(Text),
    v.transform((schema) => schema ?? "NULL"),
  ),
  table: Text,
  /** Initially migrated (to `migratedAccount`). */
  migrated: v.optional(v.boolean(mustBe("true or false")), false),
  /** The accounts it is a migration candidate of; undefined: every account of its type. */
  candidateOf: v.optional(textList("account ids")),
  migratedAccount: v.optional(Text),
  migrationDate: v.optional(
    v.pipe(
      Text,
      v.check(
        (date) => !Number.isNaN(Date.parse(date)),
        (issue) => `must be an ISO date and time, got "${String(issue.input)}"`,
      ),
    ),
  ),
  fault: v.optional(oneOf(DATASOURCE_FAULTS)),
  reverseFault: v.optional(oneOf(REVERSE_FAULTS)),
});

const FixtureObject = closed({
  token: text("is required"),
  forbiddenToken: v.optional(Text),
  seed: v.optional(
    v.custom<number>(
      (value) => typeof value === "number" && Number.isSafeInteger(value),
      mustBe("an integer"),
    ),
    1,
  ),
  ...BEHAVIOUR_ENTRIES,
  /** What `GET /types` lists; undefined: the distinct types of the accounts. */
  types: v.optional(textList("integration types")),
  accounts: v.array(AccountSchema, mustBe("a list", "is required (a list of Federated V2 accounts)")),
  datasources: v.array(
    DatasourceSchema,
    mustBe("a list", "is required (a list of Federated V1 datasources)"),
  ),
});

/** A checked, normalised fixture (every default filled in) from what a fixture author writes. */
export const FixtureSchema = v.pipe(
  FixtureObject,
  // Checks across fields, made even when some fields are wrong (on those that are right).
  v.rawCheck(({ dataset, addIssue }) => {
    for (const { path, message } of crossFieldIssues(dataset.value)) addIssue({ message, path });
  }),
  v.transform((fixture) => ({
    ...fixture,
    datasources: fixture.datasources.map((datasource) => ({
      ...datasource,
      name: datasource.name ?? datasource.id,
      migratedAccount:
        datasource.migratedAccount ?? (datasource.migrated ? defaultAccount(fixture, datasource) : undefined),
    })),
  })),
);

/**
 * A change to a running simulator's behaviour: latency, mode, faults (those not given keep their
 * value), rate limit, token revocation, unknown ids. A null `migrateLatencyMs`, `rateLimit` or
 * `revokeTokenAfter` turns it off.
 */
export const BehaviourSchema = closed({
  latencyMs: v.optional(Latency),
  migrateLatencyMs: v.nullish(Latency),
  mode: v.optional(oneOf(SIM_MODES)),
  faults: v.optional(FaultChangesSchema),
  rateLimit: v.nullish(RateLimitSchema),
  revokeTokenAfter: v.nullish(NonNegativeInteger),
  unknownIds: v.optional(oneOf(UNKNOWN_ID_ANSWERS)),
});

export type Fixture = v.InferOutput<typeof FixtureSchema>;
/** What a fixture author writes (a `Fixture` is one too). */
export type FixtureInput = v.InferInput<typeof FixtureSchema>;
export type FixtureBehaviour = v.InferInput<typeof BehaviourSchema>;
export type SimMode = (typeof SIM_MODES)[number];
export type DatasourceFault = (typeof DATASOURCE_FAULTS)[number];
export type ReverseFault = (typeof REVERSE_FAULTS)[number];
export type FixtureFaults = Fixture["faults"];
export type LatencyRange = Fixture["latencyMs"];
export type FixtureAccount = Fixture["accounts"][number];

type Account = v.InferOutput<typeof AccountSchema>;
type Datasource = v.InferOutput<typeof DatasourceSchema>;

/** The first candidate account of a migrated datasource's type. */
function defaultAccount(fixture: { accounts: Account[] }, datasource: Datasource): string | undefined {
  return fixture.accounts.find(
    (account) =>
      account.type === datasource.type &&
      (datasource.candidateOf === undefined || datasource.candidateOf.includes(account.id)),
  )?.id;
}

type PathItem = v.ObjectPathItem | v.ArrayPathItem;

/**
 * forbiddenToken ≠ token, ids unique, and each datasource's accounts (`migratedAccount`,
 * `candidateOf`, the default one of a migrated datasource) accounts of the fixture of its type.
 * `value` may hold wrong fields: only the right ones are compared.
 */
function crossFieldIssues(value: unknown): { path: [PathItem, ...PathItem[]]; message: string }[] {
  const issues: { path: [PathItem, ...PathItem[]]; message: string }[] = [];
  if (value === null || typeof value !== "object") return issues;
  const root = value as Record<string, unknown>;
  const isText = (item: unknown): item is string => v.is(Text, item);
  if (isText(root.forbiddenToken) && root.forbiddenToken === root.token) {
    issues.push({ path: [objectItem(root, "forbiddenToken")], message: "must differ from token" });
  }
  const accountById = new Map<string, { id: string; type: string }>();
  const accounts = Array.isArray(root.accounts) ? root.accounts : [];
  accounts.forEach((item: unknown, index) => {
    if (item === null || typeof item !== "object") return;
    const account = item as Record<string, unknown>;
    const { id, type } = account;
    if (!isText(id) || !isText(type)) return;
    const first = accounts.findIndex((other: { id?: unknown }) => other?.id === id);
    if (first < index) {
      issues.push({
        path: [objectItem(root, "accounts"), arrayItem(accounts, index), objectItem(account, "id")],
        message: `duplicate account id "${id}" (first at accounts[${first}])`,
      });
    } else accountById.set(id, { id, type });
  });
  const datasources = Array.isArray(root.datasources) ? root.datasources : [];
  const seen = new Map<string, number>();
  datasources.forEach((item: unknown, index) => {
    if (item === null || typeof item !== "object") return;
    const record = item as Record<string, unknown>;
    const at = (...keys: (string | number)[]): [PathItem, ...PathItem[]] => {
      const path: [PathItem, ...PathItem[]] = [
        objectItem(root, "datasources"),
        arrayItem(datasources, index),
      ];
      let parent: unknown = record;
      for (const key of keys) {
        path.push(
          typeof key === "number"
            ? arrayItem(parent as unknown[], key)
            : objectItem(parent as Record<string, unknown>, key),
        );
        parent = (parent as Record<string | number, unknown>)[key];
      }
      return path;
    };
    const type = isText(record.type) ? record.type : undefined;
    const candidateOf = Array.isArray(record.candidateOf) ? record.candidateOf.filter(isText) : undefined;
    const isCandidate = (accountId: string) => candidateOf === undefined || candidateOf.includes(accountId);
    if (Array.isArray(record.candidateOf)) {
      record.candidateOf.forEach((accountId: unknown, i) => {
        if (!isText(accountId)) return;
        const account = accountById.get(accountId);
        if (!account)
          issues.push({
            path: at("candidateOf", i),
            message: `names no account of the fixture ("${accountId}")`,
          });
        else if (type !== undefined && account.type !== type) {
          issues.push({
            path: at("candidateOf", i),
            message: `account "${accountId}" is of type "${account.type}", not "${type}"`,
          });
        }
      });
    }
    const migrated = record.migrated === true;
    if (isText(record.migratedAccount)) {
      const account = accountById.get(record.migratedAccount);
      if (!account) {
        issues.push({
          path: at("migratedAccount"),
          message: `names no account of the fixture ("${record.migratedAccount}")`,
        });
      } else if (type !== undefined && account.type !== type) {
        issues.push({
          path: at("migratedAccount"),
          message: `account "${account.id}" is of type "${account.type}", not "${type}"`,
        });
      } else if (!isCandidate(account.id)) {
        issues.push({
          path: at("migratedAccount"),
          message: `account "${account.id}" is not in candidateOf`,
        });
      }
    }
    if (record.migratedAccount !== undefined && !migrated) {
      issues.push({ path: at("migratedAccount"), message: "is only meaningful with migrated: true" });
    }
    if (migrated && record.migratedAccount === undefined && type !== undefined) {
      const found = [...accountById.values()].find(
        (account) => account.type === type && isCandidate(account.id),
      );
      if (!found) {
        issues.push({
          path: at("migrated"),
          message: `no account of type "${type}" to be migrated to; add one or set migratedAccount`,
        });
      }
    }
    if (isText(record.id)) {
      const first = seen.get(record.id);
      if (first !== undefined) {
        issues.push({
          path: at("id"),
          message: `duplicate datasource id "${record.id}" (first at datasources[${first}])`,
        });
      } else seen.set(record.id, index);
    }
  });
  return issues;
}
