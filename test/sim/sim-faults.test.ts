import { afterEach, describe, expect, it } from "vitest";
import { createDomoClient } from "../../src/domo/create-domo-client.js";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import type { DomoApi, MigrationRecord } from "../../src/domo/types.js";
import { checkFixture, type FixtureInput, formatFixturePath } from "../../src/sim/fixture.js";
import type { RequestLogEntry } from "../../src/sim/types.js";
import { API, call, startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { testToken } from "../leak/leak-capture.js";

/**
 * Every fault the fixture can describe, shown over real HTTP with the real client (or a raw
 * call where the client would hide what was sent): what the client sees, and what the server
 * really did (its state and request log).
 */
const TABLE = { catalog: "ANALYTICS", schema: "PUBLIC", table: "ORDERS" };

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Datasource "ds" (snowflake, reads ANALYTICS.PUBLIC.ORDERS) and its overrides; accounts 12, 13 (snowflake), 1 (mysql). */
function fixture(
  ds: Partial<FixtureInput["datasources"][number]> = {},
  top: Partial<FixtureInput> = {},
): FixtureInput {
  return {
    token: testToken(),
    seed: 3,
    accounts: [
      { id: "12", type: "snowflake-federated", name: "Snowflake V2 Analytics" },
      { id: "13", type: "snowflake-federated", name: "Snowflake V2 Finance" },
      { id: "1", type: "mysql-federated", name: "mysql v2" },
    ],
    datasources: [
      { id: "ds", name: "Orders", type: "snowflake-federated", ...TABLE, ...ds },
      { id: "other", name: "Customers", type: "snowflake-federated", ...TABLE, table: "CUSTOMERS" },
    ],
    ...top,
  };
}

async function start(input: FixtureInput): Promise<{ s: TestSimulator; api: DomoApi }> {
  sim = await startTestSimulator(input);
  const api = createDomoClient({ baseUrl: `${sim.url}${API}`, token: sim.token, timeoutMs: 5000 });
  return { s: sim, api };
}

/** A client with a short deadline, for the faults that never answer. */
function impatient(s: TestSimulator): DomoApi {
  return createDomoClient({ baseUrl: `${s.url}${API}`, token: s.token, timeoutMs: 300 });
}

async function failure(promise: Promise<unknown>): Promise<DomoApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomoApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** Resolves with the log entry of the next request to end that matches. */
function nextEnd(s: TestSimulator, match: (entry: RequestLogEntry) => boolean): Promise<RequestLogEntry> {
  return new Promise((resolve) => {
    const stop = s.sim.onRequestEnd((entry) => {
      if (!match(entry)) return;
      stop();
      resolve(entry);
    });
  });
}

const statusOf = (s: TestSimulator, id = "ds") => s.sim.state().get(id)?.status;
const lastLog = (s: TestSimulator) => s.requestLog().at(-1);

describe("candidates are tied to accounts (candidateOf)", () => {
  it("lists a datasource only under the accounts it is a candidate of; the default is every account of its type", async () => {
    const { api } = await start(fixture({ candidateOf: ["13"] }));
    const under12 = (await api.listCandidates("12")).map((c) => c.id);
    const under13 = (await api.listCandidates("13")).map((c) => c.id);
    expect(under12).toEqual(["other"]);
    expect(under13).toEqual(["ds", "other"]);
  });

  it("answers a migrate to an account of the right type it is not a candidate of ABORTED, naming its accounts", async () => {
    const { s, api } = await start(fixture({ candidateOf: ["13"] }));
    const record = await api.migrate("ds", "12", TABLE);
    expect(record.state).toBe("ABORTED");
    expect(record.errorMessage).toBe(
      "Datasource ds is not a migration candidate of account 12 (GET /candidates/12 does not list it); it is a candidate of account 13.",
    );
    expect(statusOf(s)).toBe("V1");
    expect((await api.migrate("ds", "13", TABLE)).state).toBe("COMPLETE");
    expect((await api.listCandidates("13")).find((c) => c.id === "ds")?.migrated).toBe(true);
  });

  it("an empty candidateOf: a candidate of no account", async () => {
    const { api } = await start(fixture({ candidateOf: [] }));
    expect((await api.listCandidates("12")).map((c) => c.id)).toEqual(["other"]);
    expect((await api.migrate("ds", "13", TABLE)).errorMessage).toContain(
      "is not a migration candidate of account 13",
    );
  });

  it("migrates an initially migrated datasource to its first candidate account by default", async () => {
    const { s } = await start(fixture({ candidateOf: ["13"], migrated: true }));
    expect(s.sim.state().get("ds")?.accountId).toBe("13");
  });

  it.each([
    [{ candidateOf: ["99"] }, 'datasources[0].candidateOf[0]: names no account of the fixture ("99")'],
    [{ candidateOf: ["1"] }, 'account "1" is of type "mysql-federated", not "snowflake-federated"'],
    [{ candidateOf: ["13", "13"] }, '"13" is listed twice'],
    [{ candidateOf: "13" }, "must be a list of account ids"],
    [
      { candidateOf: ["13"], migrated: true, migratedAccount: "12" },
      'migratedAccount: account "12" is not in candidateOf',
    ],
  ])("refuses a fixture with %j", (ds, message) => {
    const check = checkFixture(fixture(ds as never));
    expect(check.ok).toBe(false);
    const text = check.ok
      ? ""
      : check.issues.map((i) => `${formatFixturePath(i.path)}: ${i.message}`).join("\n");
    expect(text).toContain(message);
  });
});

describe("reversals that end ABORTED or INCOMPLETE", () => {
  it("reverseFault aborted-once: the first reversal is ABORTED (nothing changes), the next completes", async () => {
    const { s, api } = await start(fixture({ migrated: true, reverseFault: "aborted-once" }));
    const first = await api.reverse("ds");
    expect(first).toMatchObject({ state: "ABORTED", direction: "V2_TO_V1" });
    expect(first.errorMessage).toContain("Reversal aborted before any change");
    expect(statusOf(s)).toBe("MIGRATED");
    expect((await api.reverse("ds")).state).toBe("COMPLETE");
    expect(statusOf(s)).toBe("V1");
  });

  it("reverseFault aborted-always: every reversal is ABORTED", async () => {
    const { s, api } = await start(fixture({ migrated: true, reverseFault: "aborted-always" }));
    for (let i = 0; i < 3; i++) expect((await api.reverse("ds")).state).toBe("ABORTED");
    expect(statusOf(s)).toBe("MIGRATED");
    expect(s.stats().reversals).toBe(0);
  });

  it("reverseFault incomplete-once: changed then failed, listed as before (migrated); a re-attempt completes it", async () => {
    const { s, api } = await start(fixture({ migrated: true, reverseFault: "incomplete-once" }));
    const first = await api.reverse("ds");
    expect(first.state).toBe("INCOMPLETE");
    expect(first.errorMessage).toContain("Reversal failed after the datasource was changed");
    expect(statusOf(s)).toBe("MIGRATED");
    expect(lastLog(s)).toMatchObject({ route: "reverse", state: "INCOMPLETE", applied: true });
    expect((await api.listCandidates("12")).find((c) => c.id === "ds")).toMatchObject({
      migrated: true,
    });
    expect((await api.reverse("ds")).state).toBe("COMPLETE");
    expect(statusOf(s)).toBe("V1");
    expect(s.stats().reverseStates).toEqual({ COMPLETE: 1, INCOMPLETE: 1, ABORTED: 0 });
  });

  it("reverseFault incomplete-always: every reversal is INCOMPLETE; it stays listed migrated", async () => {
    const { s, api } = await start(fixture({ migrated: true, reverseFault: "incomplete-always" }));
    expect((await api.reverse("ds")).state).toBe("INCOMPLETE");
    expect((await api.reverse("ds")).state).toBe("INCOMPLETE");
    expect(statusOf(s)).toBe("MIGRATED");
    expect((await api.migrate("ds", "12", TABLE)).state).toBe("ABORTED");
  });

  it("a reversal INCOMPLETE of a datasource whose migration was INCOMPLETE leaves it INCOMPLETE", async () => {
    const { s, api } = await start(fixture({ fault: "incomplete-once", reverseFault: "incomplete-once" }));
    expect((await api.migrate("ds", "12", TABLE)).state).toBe("INCOMPLETE");
    expect((await api.reverse("ds")).state).toBe("INCOMPLETE");
    expect(statusOf(s)).toBe("INCOMPLETE");
    expect((await api.reverse("ds")).state).toBe("COMPLETE");
    expect(statusOf(s)).toBe("V1");
  });

  it("the shares: reverseAborted answers reversals ABORTED, reverseIncompleteOnce ends a datasource's first INCOMPLETE", async () => {
    const { s, api } = await start(
      fixture({ migrated: true }, { faults: { reverseAborted: 1, reverseIncompleteOnce: 1 } }),
    );
    expect((await api.reverse("ds")).state).toBe("ABORTED");
    s.sim.update({ faults: { reverseAborted: 0 } });
    expect((await api.reverse("ds")).state).toBe("INCOMPLETE");
    expect((await api.reverse("ds")).state).toBe("COMPLETE");
  });
});

describe("answers lost after the change was applied", () => {
  it.each([500, 502, 503, 504] as const)(
    "status-%i-after-apply-once: migrated, answered with that status; a retried POST is ABORTED 'already migrated'",
    async (status) => {
      const fault = `status-${status}-after-apply-once` as const;
      const { s, api } = await start(fixture({ fault }));
      const error = await failure(api.migrate("ds", "12", TABLE));
      expect(error.status).toBe(status);
      expect(statusOf(s)).toBe("MIGRATED");
      expect(lastLog(s)).toMatchObject({ status, outcome: "fault-5xx", applied: true, state: "COMPLETE" });
      // Why a 5xx on a POST must be read back, not retried blindly:
      const retried = await api.migrate("ds", "12", TABLE);
      expect(retried.state).toBe("ABORTED");
      expect(retried.errorMessage).toContain("already migrated");
      expect((await api.listCandidates("12")).find((c) => c.id === "ds")?.migrated).toBe(true);
    },
  );

  it("status5xxAfterApply (share): reversals too are applied, then answered 500/502/503/504", async () => {
    const { s, api } = await start(fixture({ migrated: true }, { faults: { status5xxAfterApply: 1 } }));
    const error = await failure(api.reverse("ds"));
    expect([500, 502, 503, 504]).toContain(error.status);
    expect(statusOf(s)).toBe("V1");
    expect(lastLog(s)).toMatchObject({ route: "reverse", outcome: "fault-5xx", applied: true });
  });

  it("reset-after-apply-once: migrated, then the connection reset; the client sees an ambiguous reset", async () => {
    const { s, api } = await start(fixture({ fault: "reset-after-apply-once" }));
    const error = await failure(api.migrate("ds", "12", TABLE));
    expect(error.networkError).toBe("reset-after-send");
    expect(error.kind).toBe("ambiguous");
    expect(statusOf(s)).toBe("MIGRATED");
    expect(lastLog(s)).toMatchObject({ outcome: "reset-after", applied: true, status: null });
    expect(s.stats().byStatus.reset).toBe(1);
  });

  it("resetAfterApply (share): a raw call sees ECONNRESET, not a clean close", async () => {
    const { s } = await start(fixture({ migrated: true }, { faults: { resetAfterApply: 1 } }));
    const result = await call(s.url, "POST", `${API}/ds/reverse`, { token: s.token, body: "" });
    expect(result).toMatchObject({ dropped: true });
    expect(result.dropped && result.error).toContain("ECONNRESET");
    expect(statusOf(s)).toBe("V1");
  });

  it("unknown-state-once: migrated, answered 200 with state PENDING; the client refuses the record", async () => {
    const { s, api } = await start(fixture({ fault: "unknown-state-once" }));
    const raw = s.requestLog().length;
    const error = await failure(api.migrate("ds", "12", TABLE));
    expect(error.status).toBe(200);
    expect(error.message).toContain("state");
    expect(statusOf(s)).toBe("MIGRATED");
    expect(s.requestLog().slice(raw)).toEqual([
      expect.objectContaining({ outcome: "unknown-state", state: "COMPLETE", applied: true, status: 200 }),
    ]);
  });

  it("unknownState (share): the raw record says PENDING, with the rest of the documented shape", async () => {
    const { s } = await start(fixture({ migrated: true }, { faults: { unknownState: 1 } }));
    const result = await call(s.url, "POST", `${API}/ds/reverse`, { token: s.token, body: "" });
    const record = JSON.parse(result.dropped ? "{}" : result.text) as MigrationRecord;
    expect(record).toMatchObject({ datasourceId: "ds", direction: "V2_TO_V1", state: "PENDING" });
    expect(statusOf(s)).toBe("V1");
  });
});

describe("hangs: the server never answers, the client's timeout ends it", () => {
  it("hang-after-apply-once: migrated, never answered; the request ends when the client gives up", async () => {
    const { s } = await start(fixture({ fault: "hang-after-apply-once" }));
    const ended = nextEnd(s, (entry) => entry.route === "migrate");
    const error = await failure(impatient(s).migrate("ds", "12", TABLE));
    expect(error.networkError).toBe("timeout");
    expect(error.kind).toBe("ambiguous");
    expect(await ended).toMatchObject({
      outcome: "hung-after",
      applied: true,
      state: "COMPLETE",
      status: null,
    });
    expect(statusOf(s)).toBe("MIGRATED");
    expect(s.stats().inFlight).toBe(0);
  });

  it("hang-before-apply-once: nothing changed, never answered; the next migrate completes", async () => {
    const { s, api } = await start(fixture({ fault: "hang-before-apply-once" }));
    const ended = nextEnd(s, (entry) => entry.route === "migrate");
    const error = await failure(impatient(s).migrate("ds", "12", TABLE));
    expect(error.networkError).toBe("timeout");
    expect(await ended).toMatchObject({ outcome: "hung-before", applied: false, state: null });
    expect(statusOf(s)).toBe("V1");
    expect((await api.migrate("ds", "12", TABLE)).state).toBe("COMPLETE");
  });

  it("hangBeforeApply / hangAfterApply (shares) hang reversals too", async () => {
    const { s } = await start(fixture({ migrated: true }, { faults: { hangAfterApply: 1 } }));
    const ended = nextEnd(s, (entry) => entry.route === "reverse");
    expect((await failure(impatient(s).reverse("ds"))).networkError).toBe("timeout");
    expect(await ended).toMatchObject({ outcome: "hung-after", applied: true });
    expect(statusOf(s)).toBe("V1");
    s.sim.update({ faults: { hangAfterApply: 0, hangBeforeApply: 1 } });
    const again = nextEnd(s, (entry) => entry.route === "reverse");
    expect((await failure(impatient(s).reverse("ds"))).networkError).toBe("timeout");
    expect(await again).toMatchObject({ outcome: "hung-before", applied: false });
  });

  it("close() cuts a hanging request at once rather than waiting for it", { timeout: 5000 }, async () => {
    const { s } = await start(fixture({ fault: "hang-before-apply-once" }));
    const pending = call(s.url, "POST", `${API}/ds/accounts/12`, {
      token: s.token,
      body: JSON.stringify(TABLE),
    });
    await s.waitFor((stats) => stats.inFlight === 1);
    const ended = nextEnd(s, () => true);
    await s.close();
    sim = undefined;
    expect(await pending).toMatchObject({ dropped: true });
    expect(await ended).toMatchObject({ outcome: "hung-before" });
  });
});

describe("a token revoked in the middle of a run (revokeTokenAfter)", () => {
  it("serves N requests with the token, then answers 401 to every one", async () => {
    const { s, api } = await start(fixture({}, { revokeTokenAfter: 2 }));
    expect(await api.listTypes()).toEqual(["snowflake-federated", "mysql-federated"]);
    expect((await api.migrate("ds", "12", TABLE)).state).toBe("COMPLETE");
    for (let i = 0; i < 2; i++) {
      const error = await failure(api.listTypes());
      expect({ status: error.status, kind: error.kind }).toEqual({ status: 401, kind: "auth" });
    }
    expect(s.stats().byOutcome.unauthorized).toBe(2);
    // A new count starts when it is set while serving; null turns it off.
    s.sim.update({ revokeTokenAfter: 1 });
    await api.listTypes();
    expect((await failure(api.listTypes())).status).toBe(401);
    s.sim.update({ revokeTokenAfter: null });
    await api.listTypes();
  });
});

describe("GET /types from the fixture", () => {
  it("lists the fixture's types, a type without any V2 account included (Domo's prerequisite case)", async () => {
    const types = ["snowflake-federated", "mysql-federated", "postgresql-federated"];
    const { api } = await start(fixture({}, { types }));
    expect(await api.listTypes()).toEqual(types);
    expect(await api.listAccounts("postgresql-federated")).toEqual([]);
  });

  it("lists the accounts' types when the fixture lists none", async () => {
    const { api } = await start(fixture());
    expect(await api.listTypes()).toEqual(["snowflake-federated", "mysql-federated"]);
  });
});

describe("unknown ids: 404 or 200 ABORTED, as the fixture says", () => {
  it("unknownIds: not-found answers migrate and reverse of an unknown datasource or account 404", async () => {
    const { api } = await start(fixture({}, { unknownIds: "not-found" }));
    const noDatasource = await failure(api.migrate("nope", "12", TABLE));
    expect(noDatasource.status).toBe(404);
    expect(noDatasource.message).toContain("Datasource nope not found");
    const noAccount = await failure(api.migrate("ds", "99", TABLE));
    expect(noAccount.status).toBe(404);
    expect(noAccount.message).toContain("Account 99 not found");
    expect((await failure(api.reverse("nope"))).status).toBe(404);
  });

  it("the default (aborted) answers them 200 ABORTED, and it can change while serving", async () => {
    const { s, api } = await start(fixture());
    expect((await api.migrate("nope", "12", TABLE)).state).toBe("ABORTED");
    expect((await api.migrate("ds", "99", TABLE)).errorMessage).toContain(
      "Account 99 is not a Federated V2 account",
    );
    expect((await api.reverse("nope")).state).toBe("ABORTED");
    s.sim.update({ unknownIds: "not-found" });
    expect((await failure(api.reverse("nope"))).status).toBe(404);
  });

  it("refuses an unknownIds it does not know", () => {
    const check = checkFixture(fixture({}, { unknownIds: "404" as never }));
    expect(check.ok).toBe(false);
  });
});

describe("the simulator names itself", () => {
  it("marks every answer with x-fedmigrate-simulator: 1, and the client notes it", async () => {
    const { s, api } = await start(fixture());
    expect(api.isSimulator?.()).toBe(false);
    await api.listTypes();
    expect(api.isSimulator?.()).toBe(true);
    for (const [method, path, token] of [
      ["GET", `${API}/types`, s.token],
      ["GET", `${API}/types`, "wrong"],
      ["GET", `${API}/nothing`, s.token],
      ["GET", "/_sim/stats", undefined],
    ] as const) {
      const result = await call(s.url, method, path, { token });
      expect(result.dropped ? "dropped" : result.headers["x-fedmigrate-simulator"], `${method} ${path}`).toBe(
        "1",
      );
    }
  });
});
