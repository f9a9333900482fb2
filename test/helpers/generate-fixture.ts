import {
  DATASOURCE_FAULTS,
  type DatasourceFault,
  type Fixture,
  type FixtureFaults,
  type FixtureInput,
  type LatencyRange,
  parseFixture,
  type SimMode,
} from "../../src/sim/fixture.js";
import { seededRandom } from "../../src/sim/seeded-random.js";

/** Options of `generateFixture`; everything but `count` has a default. */
export interface GenerateFixtureOptions {
  /** How many V1 datasources. */
  count: number;
  /** Integration types, datasources spread over them in turn. Default mysql-federated and snowflake-federated. */
  types?: string[];
  /** V2 accounts per type (ids "10", "11", …). Default 1. */
  accountsPerType?: number;
  /** Drives ids, names and which datasources get faults; also the fixture's seed. Default 1. */
  seed?: number;
  /** Default "sim-token". */
  token?: string;
  forbiddenToken?: string;
  latencyMs?: number | LatencyRange;
  migrateLatencyMs?: number | LatencyRange;
  mode?: SimMode;
  faults?: Partial<FixtureFaults>;
  rateLimit?: { perSecond: number; burst?: number };
  /** Share (0..1) of datasources given each deterministic fault; the shares must add up to at most 1. */
  datasourceFaults?: Partial<Record<DatasourceFault, number>>;
  /** Share (0..1) of datasources already migrated at start. Default 0. */
  migratedShare?: number;
}

const SUBJECTS = [
  "orders",
  "customers",
  "invoices",
  "shipments",
  "products",
  "returns",
  "payments",
  "inventory",
  "leads",
  "campaigns",
  "tickets",
  "subscriptions",
];

/**
 * A big fixture for benchmarks and chaos tests: `count` datasources with realistic ids and
 * tables, deterministic for a seed. `fixtureManifest` writes the manifest that matches it.
 */
export function generateFixture(options: GenerateFixtureOptions): Fixture {
  const { count } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const types = options.types ?? ["mysql-federated", "snowflake-federated"];
  if (types.length === 0) throw new RangeError("types must name at least one integration type");
  const accountsPerType = options.accountsPerType ?? 1;
  if (!Number.isInteger(accountsPerType) || accountsPerType < 1) {
    throw new RangeError(`accountsPerType must be a positive integer, got ${accountsPerType}`);
  }
  const seed = options.seed ?? 1;
  const shares = DATASOURCE_FAULTS.map((fault) => [fault, options.datasourceFaults?.[fault] ?? 0] as const);
  const totalShare = shares.reduce((sum, [, share]) => sum + share, 0);
  if (shares.some(([, share]) => share < 0) || totalShare > 1 + 1e-9) {
    throw new RangeError(`datasourceFaults shares must be 0..1 and add up to at most 1, got ${totalShare}`);
  }
  const migratedShare = options.migratedShare ?? 0;
  const random = seededRandom(seed);

  const accounts = types.flatMap((type, t) =>
    Array.from({ length: accountsPerType }, (_, a) => {
      const id = String(10 + t * accountsPerType + a);
      return { id, type, name: `${type.replace(/-federated$/, "")} v2 account ${a + 1}` };
    }),
  );
  const ids = new Set<string>();
  const datasources: FixtureInput["datasources"] = [];
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length] as string;
    let id = uuid(random);
    while (ids.has(id)) id = uuid(random);
    ids.add(id);
    const subject = SUBJECTS[i % SUBJECTS.length] as string;
    const number = String(i + 1).padStart(String(count).length, "0");
    const where = tableOf(type, subject, number);
    const faultDraw = random();
    let cumulative = 0;
    let fault: DatasourceFault | undefined;
    for (const [name, share] of shares) {
      cumulative += share;
      if (faultDraw < cumulative) {
        fault = name;
        break;
      }
    }
    const migrated = random() < migratedShare;
    datasources.push({
      id,
      name: `${capitalise(subject)} ${number}`,
      type,
      ...where,
      ...(migrated ? { migrated } : {}),
      ...(fault ? { fault } : {}),
    });
  }
  return parseFixture(
    {
      token: options.token ?? "sim-token",
      ...(options.forbiddenToken === undefined ? {} : { forbiddenToken: options.forbiddenToken }),
      seed,
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
      ...(options.migrateLatencyMs === undefined ? {} : { migrateLatencyMs: options.migrateLatencyMs }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.faults === undefined ? {} : { faults: options.faults }),
      ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      accounts,
      datasources,
    } satisfies FixtureInput,
    "(generated)",
  );
}

/** Where a generated datasource reads from, in the conventions of its database. */
function tableOf(
  type: string,
  subject: string,
  number: string,
): { catalog: string; schema: string; table: string } {
  if (type.startsWith("snowflake")) {
    return { catalog: "ANALYTICS", schema: "PUBLIC", table: `${subject.toUpperCase()}_${number}` };
  }
  if (type.startsWith("mysql")) return { catalog: "sales_db", schema: "NULL", table: `${subject}_${number}` };
  return { catalog: "warehouse", schema: "public", table: `${subject}_${number}` };
}

function uuid(random: () => number): string {
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join("");
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
