import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FixtureInput } from "../../src/sim/fixture.js";
import {
  API,
  type CallResult,
  call,
  callJson,
  startTestSimulator,
  type TestSimulator,
} from "../helpers/sim.js";

const TOKEN = "t0ken-for-tests";
const ORDERS = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";
const CUSTOMERS = "F495e28ec-6c07-41fc-99ed-b2dce9a5f569";
const TARGETS: Record<string, { catalog: string; schema: string; table: string }> = {
  [ORDERS]: { catalog: "ANALYTICS", schema: "PUBLIC", table: "ORDERS" },
  [CUSTOMERS]: { catalog: "sales_db", schema: "NULL", table: "customers" },
};
const TOE = /^[0-9A-Z]{10}-[0-9A-Z]{5}-[0-9A-Z]{5}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;

function fixture(overrides: Partial<FixtureInput> = {}): FixtureInput {
  return {
    token: TOKEN,
    forbiddenToken: "forbidden-token",
    seed: 7,
    accounts: [
      { id: "12", type: "snowflake-federated", name: "Snowflake V2" },
      { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
      { id: "1", type: "mysql-federated", name: "mysql v2" },
    ],
    datasources: [
      {
        id: ORDERS,
        name: "Orders",
        type: "snowflake-federated",
        catalog: "ANALYTICS",
        schema: "PUBLIC",
        table: "ORDERS",
      },
      {
        id: CUSTOMERS,
        name: "MySQL Table 2",
        type: "mysql-federated",
        catalog: "sales_db",
        schema: null,
        table: "customers",
      },
      ...faultyDatasources(),
    ],
    ...overrides,
  };
}

/** One snowflake datasource per deterministic fault, id = the fault's name. */
function faultyDatasources(): FixtureInput["datasources"] {
  return (
    [
      "incomplete-once",
      "incomplete-always",
      "aborted",
      "drop-after-apply-once",
      "drop-before-apply-once",
      "status-503-once",
    ] as const
  ).map((fault) => {
    TARGETS[fault] = {
      catalog: "ANALYTICS",
      schema: "PUBLIC",
      table: fault.toUpperCase().replaceAll("-", "_"),
    };
    return {
      id: fault,
      name: fault,
      type: "snowflake-federated",
      ...(TARGETS[fault] as object),
      fault,
    } as never;
  });
}

let sim: TestSimulator | undefined;
const extraSims: TestSimulator[] = [];

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const other of extraSims.splice(0)) await other.close();
});

async function start(overrides: Partial<FixtureInput> = {}, options = {}): Promise<TestSimulator> {
  sim = await startTestSimulator(fixture(overrides), options);
  return sim;
}

function migrate(s: TestSimulator, ds: string, account = "12", target = TARGETS[ds] ?? {}, token = TOKEN) {
  return call(s.url, "POST", `${API}/${encodeURIComponent(ds)}/accounts/${encodeURIComponent(account)}`, {
    token,
    body: JSON.stringify(target),
  });
}

function reverse(s: TestSimulator, ds: string) {
  return call(s.url, "POST", `${API}/${encodeURIComponent(ds)}/reverse`, { token: TOKEN });
}

function json(result: CallResult): Record<string, unknown> {
  if (result.dropped) throw new Error(`dropped: ${result.error}`);
  return JSON.parse(result.text) as Record<string, unknown>;
}

async function candidate(s: TestSimulator, account: string, ds: string) {
  const { body } = await callJson(s.url, "GET", `${API}/candidates/${account}`, { token: TOKEN });
  return (body as { id: string; migrated: boolean; migrationDate: string | null }[]).find((c) => c.id === ds);
}

describe("the documented routes", () => {
  it("lists the types of the accounts, in fixture order", async () => {
    const s = await start();
    const res = await callJson(s.url, "GET", `${API}/types`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual(["snowflake-federated", "mysql-federated"]);
  });

  it.each([
    [
      "mysql-federated",
      [
        { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
        { id: "1", type: "mysql-federated", name: "mysql v2" },
      ],
    ],
    ["snowflake-federated", [{ id: "12", type: "snowflake-federated", name: "Snowflake V2" }]],
    ["postgres-federated", []],
  ])("lists the accounts of %s", async (type, expected) => {
    const s = await start();
    const res = await callJson(s.url, "GET", `${API}/accounts/${type}`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
  });

  it("lists every datasource of the account's type as a candidate, in the documented shape", async () => {
    const s = await start();
    const mysql = await callJson(s.url, "GET", `${API}/candidates/1`, { token: TOKEN });
    expect(mysql.status).toBe(200);
    expect(mysql.body).toEqual([
      { id: CUSTOMERS, name: "MySQL Table 2", migrated: false, migrationDate: null },
    ]);
    const snowflake = await callJson(s.url, "GET", `${API}/candidates/12`, { token: TOKEN });
    expect((snowflake.body as { id: string }[]).map((c) => c.id)).toEqual([
      ORDERS,
      "incomplete-once",
      "incomplete-always",
      "aborted",
      "drop-after-apply-once",
      "drop-before-apply-once",
      "status-503-once",
    ]);
  });

  it("answers an unknown account's candidates with a 404 in Domo's JSON error shape", async () => {
    const s = await start();
    const res = await callJson(s.url, "GET", `${API}/candidates/999`, { token: TOKEN });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      status: 404,
      statusReason: "Not Found",
      message: expect.stringContaining("999"),
      toe: expect.stringMatching(TOE),
    });
  });

  it.each([
    ["GET", `${API}/nope`],
    ["GET", `${API}/types/extra`],
    ["POST", `${API}/types`],
    ["GET", `${API}/${ORDERS}/accounts/12`],
    ["GET", "/api/query/other"],
    ["GET", `${API}/candidates/%E0%A4%A`],
    ["GET", `${API}/accounts/`],
  ] as const)("answers %s %s with a JSON 404", async (method, path) => {
    const s = await start();
    const res = await callJson(s.url, method, path, { token: TOKEN });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, statusReason: "Not Found" });
    expect(s.requestLog().at(-1)?.route).toBe("other");
  });

  it("URL-decodes path segments", async () => {
    const odd = "ds with/slash & space";
    const s = await start({
      datasources: [{ id: odd, type: "snowflake-federated", catalog: "A", schema: "B", table: "C" }],
      accounts: [{ id: "acct:1", type: "snowflake-federated" }],
    });
    const res = await migrate(s, odd, "acct:1", { catalog: "A", schema: "B", table: "C" });
    expect(json(res)).toMatchObject({ datasourceId: odd, state: "COMPLETE" });
    expect((await candidate(s, encodeURIComponent("acct:1"), odd))?.migrated).toBe(true);
    expect(s.requestLog().at(-2)).toMatchObject({ route: "migrate", datasourceId: odd, accountId: "acct:1" });
  });
});

describe("the token", () => {
  it.each([
    ["GET", `${API}/types`],
    ["GET", `${API}/accounts/mysql-federated`],
    ["GET", `${API}/candidates/12`],
    ["POST", `${API}/${ORDERS}/accounts/12`],
    ["POST", `${API}/${ORDERS}/reverse`],
    ["GET", `${API}/no-such-route`],
  ] as const)(
    "is checked first on %s %s: none or a wrong one → 401 text/plain Unauthorized",
    async (method, path) => {
      const s = await start();
      for (const token of [undefined, "wrong", TOKEN.toUpperCase()]) {
        const res = await call(s.url, method, path, { token, ...(method === "POST" ? { body: "{}" } : {}) });
        expect(res).toMatchObject({ dropped: false, status: 401, text: "Unauthorized" });
        expect(!res.dropped && res.headers["content-type"]).toMatch(/^text\/plain/);
      }
      expect(s.stats().byOutcome.unauthorized).toBe(3);
      expect(s.stats().migrations).toBe(0);
    },
  );

  it("answers the fixture's forbiddenToken with a 403 in Domo's JSON error shape", async () => {
    const s = await start();
    const res = await callJson(s.url, "GET", `${API}/types`, { token: "forbidden-token" });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      status: 403,
      statusReason: "Forbidden",
      message: expect.any(String),
      toe: expect.stringMatching(TOE),
    });
  });
});

describe("migrate and reverse", () => {
  it("migrates: a COMPLETE record of the documented shape, visible in the candidates", async () => {
    const s = await start();
    const record = json(await migrate(s, ORDERS));
    expect(record).toEqual({
      toe: expect.stringMatching(TOE),
      datasourceId: ORDERS,
      direction: "V1_TO_V2",
      startTime: expect.stringMatching(ISO_WITH_OFFSET),
      state: "COMPLETE",
      errorMessage: null,
      endTime: expect.stringMatching(ISO_WITH_OFFSET),
    });
    expect(Date.parse(record.endTime as string)).toBeGreaterThanOrEqual(
      Date.parse(record.startTime as string),
    );
    expect(await candidate(s, "12", ORDERS)).toEqual({
      id: ORDERS,
      name: "Orders",
      migrated: true,
      migrationDate: record.endTime,
    });
    expect(s.sim.state().get(ORDERS)).toMatchObject({ status: "MIGRATED", accountId: "12" });
    expect(s.stats()).toMatchObject({ migrations: 1, migrateStates: { COMPLETE: 1 } });
  });

  it("answers migrate of a migrated datasource ABORTED, saying where it is", async () => {
    const s = await start();
    json(await migrate(s, ORDERS));
    const again = json(await migrate(s, ORDERS));
    expect(again).toMatchObject({ state: "ABORTED", direction: "V1_TO_V2" });
    expect(again.errorMessage).toContain("already migrated to V2 on account 12");
    expect(s.stats().migrations).toBe(1);
  });

  it("reverses a migrated datasource, and answers a second reverse ABORTED", async () => {
    const s = await start();
    json(await migrate(s, ORDERS));
    const back = json(await reverse(s, ORDERS));
    expect(back).toEqual({
      toe: expect.stringMatching(TOE),
      datasourceId: ORDERS,
      direction: "V2_TO_V1",
      startTime: expect.stringMatching(ISO_WITH_OFFSET),
      state: "COMPLETE",
      errorMessage: null,
      endTime: expect.stringMatching(ISO_WITH_OFFSET),
    });
    expect(await candidate(s, "12", ORDERS)).toMatchObject({ migrated: false, migrationDate: null });
    const again = json(await reverse(s, ORDERS));
    expect(again).toMatchObject({ state: "ABORTED", direction: "V2_TO_V1" });
    expect(again.errorMessage).toMatch(/not been migrated/);
    // and it can migrate again
    expect(json(await migrate(s, ORDERS)).state).toBe("COMPLETE");
    expect(s.stats()).toMatchObject({
      migrations: 2,
      reversals: 1,
      reverseStates: { COMPLETE: 1, ABORTED: 1 },
    });
  });

  it.each([
    ["never migrated", ORDERS],
    ["unknown", "no-such-datasource"],
  ])("answers reverse of a %s datasource ABORTED", async (_what, ds) => {
    const s = await start();
    const record = json(await reverse(s, ds));
    expect(record).toMatchObject({
      state: "ABORTED",
      datasourceId: ds,
      errorMessage: expect.stringContaining(ds),
    });
    expect(s.stats().reversals).toBe(0);
  });

  it.each([
    [{ table: "orders" }, 'table "orders" does not match the datasource\'s table "ORDERS" (case-sensitive)'],
    [
      { catalog: "analytics" },
      'catalog "analytics" does not match the datasource\'s catalog "ANALYTICS" (case-sensitive)',
    ],
    [{ schema: "NULL" }, 'schema "NULL" does not match the datasource\'s schema "PUBLIC"'],
    [{ table: "ORDERS_V2" }, 'table "ORDERS_V2" does not match the datasource\'s table "ORDERS"'],
    [
      { schema: "public", table: "Orders" },
      'schema "public" does not match the datasource\'s schema "PUBLIC" (case-sensitive); table "Orders"',
    ],
  ])("answers a mismatched target %j ABORTED, naming the difference", async (change, message) => {
    const s = await start();
    const record = json(await migrate(s, ORDERS, "12", { ...TARGETS[ORDERS], ...change } as never));
    expect(record.state).toBe("ABORTED");
    expect(record.errorMessage).toContain(message);
    if (!message.includes("case-sensitive")) expect(record.errorMessage).not.toContain("case-sensitive");
    expect(await candidate(s, "12", ORDERS)).toMatchObject({ migrated: false });
    expect(s.stats().migrations).toBe(0);
  });

  it("matches schema NULL for a database without schemas", async () => {
    const s = await start();
    expect(json(await migrate(s, CUSTOMERS, "2")).state).toBe("COMPLETE");
    expect(await candidate(s, "1", CUSTOMERS)).toMatchObject({ migrated: true });
  });

  it.each([
    ["an unknown datasource", "no-such-ds", "12", /no-such-ds is not a Federated V1 datasource/],
    ["an unknown account", ORDERS, "99", /Account 99 is not a Federated V2 account/],
    [
      "an account of another type",
      ORDERS,
      "2",
      /of type snowflake-federated but account 2 is of type mysql-federated/,
    ],
  ])("answers migrate to %s ABORTED", async (_what, ds, account, message) => {
    const s = await start();
    const record = json(await migrate(s, ds, account, TARGETS[ORDERS]));
    expect(record).toMatchObject({ state: "ABORTED", datasourceId: ds });
    expect(record.errorMessage).toMatch(message);
  });

  it.each([
    ["not JSON", "catalog=A"],
    ["not an object", '["ANALYTICS","PUBLIC","ORDERS"]'],
    ["missing fields", '{"catalog":"ANALYTICS"}'],
    ["a number for a name", '{"catalog":"ANALYTICS","schema":"PUBLIC","table":7}'],
    ["an empty name", '{"catalog":"ANALYTICS","schema":"","table":"ORDERS"}'],
    ["no body", ""],
  ])("answers a migrate body that is %s with a JSON 400", async (_what, body) => {
    const s = await start();
    const res = await callJson(s.url, "POST", `${API}/${ORDERS}/accounts/12`, { token: TOKEN, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 400,
      statusReason: "Bad Request",
      toe: expect.stringMatching(TOE),
    });
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
  });

  it("gives every request its own toe", async () => {
    const s = await start();
    const toes = new Set<string>();
    for (let i = 0; i < 20; i++) toes.add(json(await reverse(s, ORDERS)).toe as string);
    expect(toes.size).toBe(20);
  });
});

describe("per-datasource faults", () => {
  it("incomplete-once: INCOMPLETE (not migrated, reversible), then COMPLETE on a re-attempt", async () => {
    const s = await start();
    const first = json(await migrate(s, "incomplete-once"));
    expect(first).toMatchObject({ state: "INCOMPLETE", errorMessage: expect.stringMatching(/re-attempt/i) });
    expect(await candidate(s, "12", "incomplete-once")).toMatchObject({
      migrated: false,
      migrationDate: null,
    });
    expect(s.sim.state().get("incomplete-once")?.status).toBe("INCOMPLETE");
    const second = json(await migrate(s, "incomplete-once"));
    expect(second).toMatchObject({ state: "COMPLETE", errorMessage: null });
    expect(await candidate(s, "12", "incomplete-once")).toMatchObject({ migrated: true });
    expect(s.stats()).toMatchObject({ migrations: 2, migrateStates: { INCOMPLETE: 1, COMPLETE: 1 } });
  });

  it("incomplete-always: INCOMPLETE every time; a reverse of it is COMPLETE", async () => {
    const s = await start();
    for (let i = 0; i < 3; i++) expect(json(await migrate(s, "incomplete-always")).state).toBe("INCOMPLETE");
    expect(json(await reverse(s, "incomplete-always")).state).toBe("COMPLETE");
    expect(s.sim.state().get("incomplete-always")).toMatchObject({ status: "V1", accountId: null });
  });

  it("aborted: ABORTED every time, nothing changes", async () => {
    const s = await start();
    for (let i = 0; i < 2; i++) {
      const record = json(await migrate(s, "aborted"));
      expect(record).toMatchObject({
        state: "ABORTED",
        errorMessage: expect.stringContaining("before any change"),
      });
    }
    expect(await candidate(s, "12", "aborted")).toMatchObject({ migrated: false });
  });

  it("drop-before-apply-once: the first migrate is dropped with nothing changed; the next completes", async () => {
    const s = await start();
    expect(await migrate(s, "drop-before-apply-once")).toMatchObject({ dropped: true });
    expect(await candidate(s, "12", "drop-before-apply-once")).toMatchObject({ migrated: false });
    expect(s.requestLog().at(-2)).toMatchObject({
      outcome: "dropped-before",
      applied: false,
      status: null,
      state: null,
    });
    expect(json(await migrate(s, "drop-before-apply-once")).state).toBe("COMPLETE");
  });

  it("drop-after-apply-once: the first migrate is applied, then dropped; the read-back shows it migrated", async () => {
    const s = await start();
    expect(await migrate(s, "drop-after-apply-once")).toMatchObject({ dropped: true });
    expect(await candidate(s, "12", "drop-after-apply-once")).toMatchObject({ migrated: true });
    expect(s.requestLog().at(-2)).toMatchObject({
      outcome: "dropped-after",
      applied: true,
      status: null,
      state: "COMPLETE",
      toe: expect.stringMatching(TOE),
    });
    expect(s.stats()).toMatchObject({ migrations: 1, byStatus: { dropped: 1 } });
    // a blind retry would be refused: it is already migrated
    expect(json(await migrate(s, "drop-after-apply-once")).state).toBe("ABORTED");
  });

  it("status-503-once: the first migrate is answered 503, the next completes", async () => {
    const s = await start();
    const first = await callJson(s.url, "POST", `${API}/status-503-once/accounts/12`, {
      token: TOKEN,
      body: JSON.stringify(TARGETS["status-503-once"]),
    });
    expect(first.status).toBe(503);
    expect(s.sim.state().get("status-503-once")?.status).toBe("V1");
    expect(json(await migrate(s, "status-503-once")).state).toBe("COMPLETE");
  });
});

describe("drawn faults", () => {
  it("rate429: answers 429 with Retry-After from retryAfterSeconds", async () => {
    const s = await start({ faults: { rate429: 1, retryAfterSeconds: 3 } });
    const res = await callJson(s.url, "GET", `${API}/types`, { token: TOKEN });
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("3");
    expect(res.body).toMatchObject({ status: 429, statusReason: "Too Many Requests" });
    expect(s.requestLog().at(-1)?.outcome).toBe("rate-limited");
  });

  it("rate5xx: answers 502, 503 or 504 with a JSON or an HTML body, changing nothing", async () => {
    const s = await start({ faults: { rate5xx: 1 } });
    const statuses = new Set<number>();
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await migrate(s, ORDERS);
      if (res.dropped) throw new Error("dropped");
      statuses.add(res.status);
      const type = String(res.headers["content-type"]);
      kinds.add(type.split(";")[0] ?? type);
      if (type.startsWith("text/html")) expect(res.text).toMatch(/<title>50[234] /);
      else
        expect(JSON.parse(res.text)).toMatchObject({ status: res.status, toe: expect.stringMatching(TOE) });
    }
    expect([...statuses].sort()).toEqual([502, 503, 504]);
    expect([...kinds].sort()).toEqual(["application/json", "text/html"]);
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
    expect(s.stats().byOutcome["fault-5xx"]).toBe(40);
  });

  it("dropBeforeApply: migrate and reverse dropped unanswered, nothing changed", async () => {
    const s = await start({ faults: { dropBeforeApply: 1 } });
    expect(await migrate(s, ORDERS)).toMatchObject({ dropped: true });
    expect(await reverse(s, ORDERS)).toMatchObject({ dropped: true });
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
    expect(s.requestLog().map((e) => [e.route, e.outcome, e.applied])).toEqual([
      ["migrate", "dropped-before", false],
      ["reverse", "dropped-before", false],
    ]);
    // GETs are never dropped
    expect((await callJson(s.url, "GET", `${API}/types`, { token: TOKEN })).status).toBe(200);
  });

  it("dropAfterApply: the change is applied, then the connection dropped", async () => {
    const s = await start({ faults: { dropAfterApply: 1 } });
    expect(await migrate(s, ORDERS)).toMatchObject({ dropped: true });
    expect(s.sim.state().get(ORDERS)?.status).toBe("MIGRATED");
    expect(await reverse(s, ORDERS)).toMatchObject({ dropped: true });
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
    expect(s.requestLog().map((e) => [e.route, e.outcome, e.applied, e.state])).toEqual([
      ["migrate", "dropped-after", true, "COMPLETE"],
      ["reverse", "dropped-after", true, "COMPLETE"],
    ]);
    expect(s.stats()).toMatchObject({ migrations: 1, reversals: 1 });
  });

  it("aborted: migrate answered ABORTED, nothing changed", async () => {
    const s = await start({ faults: { aborted: 1 } });
    expect(json(await migrate(s, ORDERS))).toMatchObject({ state: "ABORTED" });
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
  });

  it("incompleteOnce: a datasource's first migrate ends INCOMPLETE, the next COMPLETE", async () => {
    const s = await start({ faults: { incompleteOnce: 1 } });
    expect(json(await migrate(s, ORDERS)).state).toBe("INCOMPLETE");
    expect(json(await migrate(s, ORDERS)).state).toBe("COMPLETE");
    expect(json(await migrate(s, CUSTOMERS, "1")).state).toBe("INCOMPLETE");
  });

  it("a share between 0 and 1 hits about that share of requests", async () => {
    const s = await start({ faults: { rate5xx: 0.3 } });
    let faults = 0;
    for (let i = 0; i < 300; i++) {
      const res = await call(s.url, "GET", `${API}/types`, { token: TOKEN });
      if (!res.dropped && res.status !== 200) faults++;
    }
    expect(faults).toBeGreaterThan(60);
    expect(faults).toBeLessThan(120);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once the bucket is empty, and serves again when it refills", async () => {
    let now = 1_700_000_000_000;
    const s = await start({ rateLimit: { perSecond: 2, burst: 3 } }, { now: () => now });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(s.url, "GET", `${API}/types`, { token: TOKEN });
      statuses.push(res.dropped ? 0 : res.status);
      if (i === 3 && !res.dropped) expect(res.headers["retry-after"]).toBe("1");
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    now += 500;
    expect(await call(s.url, "GET", `${API}/types`, { token: TOKEN })).toMatchObject({ status: 200 });
    expect(await call(s.url, "GET", `${API}/types`, { token: TOKEN })).toMatchObject({ status: 429 });
    expect(s.stats().byOutcome["rate-limited"]).toBe(2);
  });
});

describe("modes", () => {
  it("maintenance: every call answers 503 with an HTML page, whatever the token", async () => {
    const s = await start({ mode: "maintenance" });
    for (const token of [TOKEN, "wrong"]) {
      const res = await call(s.url, "GET", `${API}/types`, { token });
      expect(res).toMatchObject({ dropped: false, status: 503 });
      if (!res.dropped) {
        expect(res.headers["content-type"]).toMatch(/^text\/html/);
        expect(res.text).toMatch(/<title>[^<]*maintenance/i);
      }
    }
    expect(await migrate(s, ORDERS)).toMatchObject({ status: 503 });
    expect(s.sim.state().get(ORDERS)?.status).toBe("V1");
  });

  it("ip-blocked: every call answers 303 to the whitelist/blocked page", async () => {
    const s = await start({ mode: "ip-blocked" });
    const res = await call(s.url, "POST", `${API}/${ORDERS}/accounts/12`, { token: TOKEN, body: "{}" });
    expect(res).toMatchObject({ dropped: false, status: 303 });
    if (!res.dropped) expect(res.headers.location).toBe(`https://${new URL(s.url).host}/whitelist/blocked`);
    expect(s.requestLog().at(-1)?.outcome).toBe("ip-blocked");
  });

  it("can change while serving: update() and POST /_sim/configure", async () => {
    const s = await start();
    expect(await call(s.url, "GET", `${API}/types`, { token: TOKEN })).toMatchObject({ status: 200 });
    s.sim.update({ mode: "maintenance" });
    expect(await call(s.url, "GET", `${API}/types`, { token: TOKEN })).toMatchObject({ status: 503 });
    const configured = await callJson(s.url, "POST", "/_sim/configure", {
      body: JSON.stringify({ mode: "normal", faults: { rate429: 1, retryAfterSeconds: 0 } }),
    });
    expect(configured.status).toBe(200);
    const res = await call(s.url, "GET", `${API}/types`, { token: TOKEN });
    expect(res).toMatchObject({ status: 429, headers: { "retry-after": "0" } });
    const bad = await callJson(s.url, "POST", "/_sim/configure", {
      body: JSON.stringify({ faults: { rate5xx: 2 } }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("faults.rate5xx");
    expect(() => s.sim.update({ mode: "sleeping" as never })).toThrow(/mode/);
  });
});

describe("observability", () => {
  it("counts requests in flight and the most at once, with requests held at a known moment", async () => {
    const s = await start();
    const release = s.sim.hold();
    const calls = Array.from({ length: 6 }, () => call(s.url, "GET", `${API}/types`, { token: TOKEN }));
    await s.waitFor((stats) => stats.inFlight === 6);
    expect(s.stats()).toMatchObject({ inFlight: 6, maxInFlight: 6, requests: 6 });
    release();
    const results = await Promise.all(calls);
    expect(results.every((r) => !r.dropped && r.status === 200)).toBe(true);
    expect(s.stats()).toMatchObject({ inFlight: 0, maxInFlight: 6 });
    expect(
      s
        .requestLog()
        .map((e) => e.inFlight)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    const served = await callJson(s.url, "GET", "/_sim/stats");
    expect(served.body).toMatchObject({
      requests: 6,
      inFlight: 0,
      maxInFlight: 6,
      byRoute: { types: 6 },
      byStatus: { "200": 6 },
    });
  });

  it("resets the stats (not the state) with POST /_sim/reset-stats", async () => {
    const s = await start();
    json(await migrate(s, ORDERS));
    // Control POSTs are JSON only (a web page cannot send that without a preflight).
    const reset = await callJson(s.url, "POST", "/_sim/reset-stats", { body: "{}" });
    expect(reset.body).toMatchObject({ requests: 0, migrations: 0, maxInFlight: 0, byStatus: {} });
    expect(s.stats().requests).toBe(0);
    expect(s.sim.state().get(ORDERS)?.status).toBe("MIGRATED");
    const state = await callJson(s.url, "GET", "/_sim/state");
    expect(state.body).toContainEqual(
      expect.objectContaining({ id: ORDERS, status: "MIGRATED", accountId: "12" }),
    );
    const unknown = await callJson(s.url, "GET", "/_sim/nothing");
    expect(unknown.status).toBe(404);
  });

  it("logs every request when it ends, in memory and to a JSON-lines file complete on close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fedmigrate-sim-"));
    try {
      const logPath = join(dir, "requests.jsonl");
      const s = await start({ faults: { dropAfterApply: 0 } }, { requestLogPath: logPath });
      await callJson(s.url, "GET", `${API}/types`, { token: TOKEN });
      json(await migrate(s, ORDERS, "12", { ...TARGETS[ORDERS], table: "orders" } as never));
      json(await migrate(s, ORDERS));
      await call(s.url, "GET", `${API}/types`);
      await migrate(s, "drop-after-apply-once");
      const entries = [...s.requestLog()];
      await s.close();
      const lines = readFileSync(logPath, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toEqual(entries);
      expect(
        entries.map(({ route, status, state, outcome, applied, datasourceId, accountId }) => ({
          route,
          status,
          state,
          outcome,
          applied,
          datasourceId,
          accountId,
        })),
      ).toEqual([
        {
          route: "types",
          status: 200,
          state: null,
          outcome: "answered",
          applied: false,
          datasourceId: null,
          accountId: null,
        },
        {
          route: "migrate",
          status: 200,
          state: "ABORTED",
          outcome: "answered",
          applied: false,
          datasourceId: ORDERS,
          accountId: "12",
        },
        {
          route: "migrate",
          status: 200,
          state: "COMPLETE",
          outcome: "answered",
          applied: true,
          datasourceId: ORDERS,
          accountId: "12",
        },
        {
          route: "types",
          status: 401,
          state: null,
          outcome: "unauthorized",
          applied: false,
          datasourceId: null,
          accountId: null,
        },
        {
          route: "migrate",
          status: null,
          state: "COMPLETE",
          outcome: "dropped-after",
          applied: true,
          datasourceId: "drop-after-apply-once",
          accountId: "12",
        },
      ]);
      for (const entry of entries) {
        expect(entry).toMatchObject({
          t: expect.stringMatching(/Z$/),
          method: expect.any(String),
          path: expect.stringContaining(API),
          inFlight: 1,
        });
      }
      expect(entries[1]?.toe).toMatch(TOE);
      expect(entries[0]?.toe).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("applies a migrate whose client went away, and logs it client-closed", async () => {
    const s = await start();
    const release = s.sim.hold();
    const controller = new AbortController();
    const pending = fetch(`${s.url}${API}/${ORDERS}/accounts/12`, {
      method: "POST",
      headers: { "X-DOMO-Developer-Token": TOKEN, "content-type": "application/json" },
      body: JSON.stringify(TARGETS[ORDERS]),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await s.waitFor((stats) => stats.inFlight === 1);
    const ended = new Promise((resolve) => s.sim.onRequestEnd(resolve));
    const gone = new Promise((resolve) => s.sim.onClientGone(resolve));
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(await gone).toMatchObject({ route: "migrate", datasourceId: ORDERS });
    release();
    expect(await ended).toMatchObject({
      outcome: "client-closed",
      applied: true,
      state: "COMPLETE",
      status: 200,
    });
    expect(s.sim.state().get(ORDERS)?.status).toBe("MIGRATED");
  });
});

describe("determinism", () => {
  const shares = {
    rate429: 0.2,
    rate5xx: 0.2,
    dropBeforeApply: 0.1,
    dropAfterApply: 0.1,
    aborted: 0.2,
    incompleteOnce: 0.3,
  };

  async function outcomes(s: TestSimulator, order: string[]): Promise<Map<string, string[]>> {
    const seen = new Map<string, string[]>();
    for (const ds of order) {
      const res = ds === CUSTOMERS ? await migrate(s, ds, "1") : await migrate(s, ds);
      const text = res.dropped
        ? "dropped"
        : res.status === 200
          ? String(json(res).state)
          : String(res.status);
      seen.set(ds, [...(seen.get(ds) ?? []), text]);
    }
    return seen;
  }

  const sequence = Array.from({ length: 12 }, () => [ORDERS, CUSTOMERS, "incomplete-always"]).flat();

  it("replays the same outcomes for the same seed and requests", async () => {
    const a = await start({ faults: shares, seed: 99 });
    const first = await outcomes(a, sequence);
    const b = await startTestSimulator(fixture({ faults: shares, seed: 99 }));
    extraSims.push(b);
    expect(await outcomes(b, sequence)).toEqual(first);
    const c = await startTestSimulator(fixture({ faults: shares, seed: 100 }));
    extraSims.push(c);
    expect(await outcomes(c, sequence)).not.toEqual(first);
  });

  it("keys a POST's draws by its datasource, so reordering requests across datasources changes nothing", async () => {
    const a = await start({ faults: shares, seed: 5 });
    const inOrder = await outcomes(a, sequence);
    const b = await startTestSimulator(fixture({ faults: shares, seed: 5 }));
    extraSims.push(b);
    const grouped = [...sequence].sort();
    expect(await outcomes(b, grouped)).toEqual(inOrder);
  });

  it("overrides the fixture's seed with the seed option", async () => {
    const a = await start({ faults: shares, seed: 1 }, { seed: 99 });
    const b = await startTestSimulator(fixture({ faults: shares, seed: 99 }));
    extraSims.push(b);
    expect(await outcomes(a, sequence)).toEqual(await outcomes(b, sequence));
  });
});

describe("lifecycle", () => {
  it("close() lets a held request finish and is idempotent", async () => {
    const s = await start();
    s.sim.hold();
    const pending = migrate(s, ORDERS);
    await s.waitFor((stats) => stats.inFlight === 1);
    await Promise.all([s.close(), s.close()]);
    expect(await pending).toMatchObject({ dropped: false, status: 200 });
    expect(s.sim.state().get(ORDERS)?.status).toBe("MIGRATED");
    expect(await call(s.url, "GET", `${API}/types`, { token: TOKEN })).toMatchObject({ dropped: true });
  });

  it.each([
    [{ host: "0.0.0.0" }, /loopback only/],
    [{ port: 70_000 }, /port/],
  ])("refuses %j", async (options, message) => {
    await expect(startTestSimulator(fixture(), options)).rejects.toThrow(message);
  });

  it("refuses a port in use, naming it", async () => {
    const s = await start();
    await expect(startTestSimulator(fixture(), { port: s.sim.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
