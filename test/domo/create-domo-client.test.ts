import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDomoClient, type DomoClientOptions } from "../../src/domo/create-domo-client.js";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { MigrationState } from "../../src/domo/types.js";
import { UsageError } from "../../src/errors.js";
import { createLogger } from "../../src/logger.js";
import { ManualClock } from "./manual-clock.js";

const ORIGIN = "https://acme.domo.com";
const API_PATH = "/api/query/migration/federated/v1/to/v2";
const BASE = `${ORIGIN}${API_PATH}`;
const TOKEN = "tok-7f3a9c1e5b2d4f6a8c0e";
const DS = "495e28ec-6c07-41fc-99ed-b2dce9a5f569";

/** Every log line, to check events and that the token never appears. No `secrets` on purpose:
 * the client itself must never log the token; the logger's own scrubbing is tested elsewhere. */
let logLines: string[];
/** Every error a test saw, to check that none of them carries the token. */
let errorsSeen: unknown[];

function memoryLogger() {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  return createLogger({ level: "trace", stream });
}

function client(overrides: Partial<DomoClientOptions> = {}) {
  return createDomoClient({
    baseUrl: BASE,
    token: TOKEN,
    timeoutMs: 5000,
    logger: memoryLogger(),
    ...overrides,
  });
}

function domo() {
  return nock(ORIGIN);
}

/** Awaits a call that must fail with a DomoApiError, and returns the error. */
async function failure(call: Promise<unknown>): Promise<DomoApiError> {
  try {
    await call;
  } catch (error) {
    errorsSeen.push(error);
    if (error instanceof DomoApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function record(state: MigrationState, direction: "V1_TO_V2" | "V2_TO_V1" = "V1_TO_V2") {
  return {
    toe: "DM4X9GT6H5-5ERQX-MPDO6",
    datasourceId: DS,
    direction,
    startTime: "2024-04-15T19:48:00.073+00:00",
    state,
    errorMessage: state === "COMPLETE" ? null : `the migration ended ${state}`,
    endTime: "2024-04-15T19:48:02.410+00:00",
  };
}

/** A real HTTP server on loopback, for what nock cannot fake: real sockets closing, real redirects. */
async function loopbackServer(
  handler: http.RequestListener,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}${API_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeEach(() => {
  logLines = [];
  errorsSeen = [];
});

afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
  // The token never leaks: not in a log line, an error message, its JSON, or its inspection.
  const texts = [
    ...logLines,
    ...errorsSeen.flatMap((error) => [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      error instanceof Error ? `${error.message} ${error.stack} ${(error as DomoApiError).hint ?? ""}` : "",
    ]),
  ];
  for (const text of texts) expect(text).not.toContain(TOKEN);
});

describe("createDomoClient: the calls", () => {
  it("notes an answer from fedmigrate's simulator (x-fedmigrate-simulator: 1), and only that", async () => {
    domo().get(`${API_PATH}/types`).reply(200, ["t"]);
    domo().get(`${API_PATH}/types`).reply(200, ["t"], { "x-fedmigrate-simulator": "0" });
    domo().get(`${API_PATH}/types`).reply(401, "Unauthorized", { "x-fedmigrate-simulator": "1" });
    const api = client();
    await api.listTypes();
    await api.listTypes();
    expect(api.isSimulator?.()).toBe(false);
    await expect(api.listTypes()).rejects.toThrow("401");
    expect(api.isSimulator?.()).toBe(true);
  });

  it("lists types, sending the token and accept headers", async () => {
    let headers: http.IncomingHttpHeaders = {};
    const scope = domo()
      .get(`${API_PATH}/types`)
      .reply(function () {
        headers = this.req.headers;
        return [200, ["mysql-federated", "snowflake-federated"]];
      });
    await expect(client().listTypes()).resolves.toEqual(["mysql-federated", "snowflake-federated"]);
    expect(scope.isDone()).toBe(true);
    expect(headers["x-domo-developer-token"]).toBe(TOKEN);
    expect(headers.accept).toBe("application/json");
    expect(headers["user-agent"]).toMatch(/^fedmigrate\//);
  });

  it("lists accounts of a type, turning numeric ids into strings", async () => {
    domo()
      .get(`${API_PATH}/accounts/mysql-federated`)
      .reply(200, [
        { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
        { id: 1, type: "mysql-federated", name: "mysql v2" },
      ]);
    await expect(client().listAccounts("mysql-federated")).resolves.toEqual([
      { id: "2", type: "mysql-federated", name: "mysql v2 agent" },
      { id: "1", type: "mysql-federated", name: "mysql v2" },
    ]);
  });

  it("lists candidates of an account", async () => {
    const body = [
      { id: DS, name: "MySQL Table 1", migrated: false, migrationDate: null },
      { id: `F${DS}`, name: "MySQL Table 2", migrated: true, migrationDate: "2024-04-15T19:48:02.410+00:00" },
    ];
    domo().get(`${API_PATH}/candidates/12`).reply(200, body);
    await expect(client().listCandidates("12")).resolves.toEqual(body);
  });

  it.each<MigrationState>(["COMPLETE", "INCOMPLETE", "ABORTED"])(
    "migrates: a %s record is returned, not thrown (decide on state, not status)",
    async (state) => {
      let sent: unknown;
      let headers: http.IncomingHttpHeaders = {};
      domo()
        .post(`${API_PATH}/${DS}/accounts/12`)
        .reply(function (_uri, body) {
          sent = body;
          headers = this.req.headers;
          return [200, record(state)];
        });
      const target = { catalog: "ANALYTICS", schema: "NULL", table: "Orders", note: "not sent" };
      await expect(client().migrate(DS, "12", target)).resolves.toEqual(record(state));
      expect(sent).toEqual({ catalog: "ANALYTICS", schema: "NULL", table: "Orders" });
      expect(headers["content-type"]).toBe("application/json");
      expect(headers["x-domo-developer-token"]).toBe(TOKEN);
    },
  );

  it.each<MigrationState>(["COMPLETE", "INCOMPLETE", "ABORTED"])(
    "reverses: a %s record is returned",
    async (state) => {
      let sent: unknown = "untouched";
      domo()
        .post(`${API_PATH}/${DS}/reverse`)
        .reply((_uri, body) => {
          sent = body;
          return [200, record(state, "V2_TO_V1")];
        });
      await expect(client().reverse(DS)).resolves.toEqual(record(state, "V2_TO_V1"));
      expect(sent).toBe("");
    },
  );

  it.each([
    ["a b", "a%20b"],
    ["x/y", "x%2Fy"],
    ["ü?#&", "%C3%BC%3F%23%26"],
  ])("encodes the path segment %o as %s", async (id, encoded) => {
    const scope = domo().get(`${API_PATH}/candidates/${encoded}`).reply(200, []);
    await expect(client().listCandidates(id)).resolves.toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it("encodes both ids of a migrate path", async () => {
    const scope = domo()
      .post(`${API_PATH}/a%20b/accounts/x%2Fy`)
      .reply(200, { ...record("COMPLETE"), datasourceId: "a b" });
    await client().migrate("a b", "x/y", { catalog: "c", schema: "s", table: "t" });
    expect(scope.isDone()).toBe(true);
  });

  it.each(["", ".", ".."])("refuses the path segment %o rather than send it elsewhere", async (id) => {
    await expect(client().listCandidates(id)).rejects.toThrow(TypeError);
  });

  it("accepts a base URL with a trailing slash", async () => {
    const scope = domo().get(`${API_PATH}/types`).reply(200, []);
    await client({ baseUrl: `${BASE}/` }).listTypes();
    expect(scope.isDone()).toBe(true);
  });

  it("uses the fetch it is given", async () => {
    const urls: string[] = [];
    const fakeFetch = (async (input: Parameters<typeof fetch>[0]) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return new Response(JSON.stringify(["t"]), { status: 200 });
    }) as typeof fetch;
    await expect(client({ fetch: fakeFetch }).listTypes()).resolves.toEqual(["t"]);
    expect(urls).toEqual([`${BASE}/types`]);
  });

  it("logs one debug event per request, with method, path, status and time", async () => {
    domo().get(`${API_PATH}/types`).reply(200, []);
    await client().listTypes();
    const events = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      level: "debug",
      event: "http.request",
      method: "GET",
      path: "/types",
      status: 200,
    });
    expect(typeof events[0]?.ms).toBe("number");
  });
});

describe("createDomoClient: HTTP errors", () => {
  it("401: an auth error saying the token is wrong or expired", async () => {
    domo().get(`${API_PATH}/types`).reply(401, "Unauthorized", { "content-type": "text/plain" });
    const error = await failure(client().listTypes());
    expect(error).toMatchObject({
      kind: "auth",
      code: "AUTH",
      status: 401,
      method: "GET",
      bodyFirstLine: "Unauthorized",
    });
    expect(error.message).toBe("GET /types → 401 Unauthorized: Unauthorized");
    expect(error.hint).toMatch(/wrong, expired or revoked/);
    expect(error.url).toBe(`${BASE}/types`);
  });

  it("403: an auth error saying the user lacks the grant, quoting Domo's JSON message and toe", async () => {
    domo().post(`${API_PATH}/${DS}/accounts/12`).reply(403, {
      status: 403,
      statusReason: "Forbidden",
      message: "User lacks permission",
      toe: "TOE-403",
    });
    const error = await failure(client().migrate(DS, "12", { catalog: "c", schema: "s", table: "t" }));
    expect(error).toMatchObject({ kind: "auth", code: "AUTH", status: 403, toe: "TOE-403" });
    expect(error.message).toBe(
      `POST /${DS}/accounts/12 → 403 Forbidden: User lacks permission (toe TOE-403)`,
    );
    expect(error.hint).toMatch(/grant/);
  });

  it("404: another error, not retried, naming the path", async () => {
    domo().get(`${API_PATH}/candidates/99`).reply(404, "Not Found");
    const error = await failure(client().listCandidates("99"));
    expect(error).toMatchObject({ kind: "other", code: "API", status: 404 });
    expect(error.message).toBe("GET /candidates/99 → 404 Not Found: Not Found");
  });

  it("500 on a POST is ambiguous: it may have changed something, so it is read back before any retry", async () => {
    domo().post(`${API_PATH}/${DS}/reverse`).reply(500, "");
    const error = await failure(client().reverse(DS));
    expect(error).toMatchObject({ kind: "ambiguous", status: 500, bodyFirstLine: undefined });
    expect(error.message).toBe(`POST /${DS}/reverse → 500 Internal Server Error`);
  });

  it("502 with an HTML page: transient, quoting the page's title", async () => {
    domo()
      .get(`${API_PATH}/types`)
      .reply(
        502,
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>",
        {
          "content-type": "text/html",
        },
      );
    const error = await failure(client().listTypes());
    expect(error).toMatchObject({ kind: "transient", status: 502, bodyFirstLine: "<!DOCTYPE html>" });
    expect(error.message).toBe('GET /types → 502 Bad Gateway: an HTML page titled "502 Bad Gateway"');
  });

  it("303 to the IP allow-list block page: a setup error, the redirect not followed", async () => {
    let requests = 0;
    const scope = domo()
      .get(`${API_PATH}/types`)
      .reply(() => {
        requests++;
        return [303, "", { Location: `${ORIGIN}/whitelist/blocked` }];
      });
    const blockedPage = domo().get("/whitelist/blocked").reply(200, "<html><title>Blocked</title></html>");
    const error = await failure(client().listTypes());
    expect(error).toMatchObject({ kind: "setup", code: "SETUP", status: 303 });
    expect(error.message).toBe(
      `GET /types → 303 See Other: redirected to ${ORIGIN}/whitelist/blocked; fedmigrate does not follow redirects (this is Domo's IP allow-list blocking this machine's address)`,
    );
    expect(error.hint).toMatch(/IP allow-list/);
    expect(requests).toBe(1);
    expect(scope.isDone()).toBe(true);
    expect(blockedPage.isDone()).toBe(false);
  });

  it("302 elsewhere: a setup error telling to check the domain", async () => {
    domo().post(`${API_PATH}/${DS}/reverse`).reply(302, "", { Location: "https://login.example.com/sso" });
    const error = await failure(client().reverse(DS));
    expect(error).toMatchObject({ kind: "setup", status: 302 });
    expect(error.message).toMatch(
      /redirected to https:\/\/login\.example\.com\/sso; fedmigrate does not follow redirects$/,
    );
    expect(error.hint).toMatch(/Check the domain/);
  });

  it("a redirect from a real server is not followed either (undici's manual mode)", async () => {
    let blockedHits = 0;
    const server = await loopbackServer((req, res) => {
      if (req.url?.startsWith("/whitelist")) {
        blockedHits++;
        res.end("blocked");
        return;
      }
      res.writeHead(303, { Location: "/whitelist/blocked" }).end();
    });
    try {
      const error = await failure(client({ baseUrl: server.base }).listTypes());
      expect(error).toMatchObject({ kind: "setup", status: 303 });
      expect(error.message).toMatch(/IP allow-list/);
      expect(blockedHits).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("keeps the Retry-After of a 429, as seconds", async () => {
    domo().get(`${API_PATH}/types`).reply(429, "Too Many Requests", { "Retry-After": "7" });
    const error = await failure(client().listTypes());
    expect(error).toMatchObject({ kind: "transient", status: 429, retryAfterMs: 7000 });
  });

  it("quotes no more than the first line of a long body", async () => {
    domo()
      .get(`${API_PATH}/types`)
      .reply(400, `${"y".repeat(300)}\nsecond line`);
    const error = await failure(client().listTypes());
    expect(error.bodyFirstLine).toHaveLength(200);
    expect(error.message).not.toContain("second line");
  });
});

describe("createDomoClient: success statuses with the wrong body", () => {
  it("HTML on 200 is an error, never a success", async () => {
    domo()
      .get(`${API_PATH}/types`)
      .reply(200, "<html><head><title>Scheduled maintenance</title></head></html>", {
        "content-type": "text/html",
      });
    const error = await failure(client().listTypes());
    expect(error).toMatchObject({ kind: "other", code: "API", status: 200 });
    expect(error.message).toBe(
      'GET /types → 200 OK, but the body is an HTML page, not JSON: an HTML page titled "Scheduled maintenance"',
    );
    expect(error.hint).toMatch(/maintenance page/);
  });

  it("a malformed JSON body is an error quoting its first line", async () => {
    domo()
      .get(`${API_PATH}/candidates/12`)
      .reply(200, '[{"id": "a",\n"name": ', { "content-type": "application/json" });
    const error = await failure(client().listCandidates("12"));
    expect(error).toMatchObject({ kind: "other", status: 200, bodyFirstLine: '[{"id": "a",' });
    expect(error.message).toBe('GET /candidates/12 → 200 OK, but the body is not JSON: [{"id": "a",');
  });

  it("an empty 200 is an error", async () => {
    domo().get(`${API_PATH}/types`).reply(200, "");
    const error = await failure(client().listTypes());
    expect(error.message).toBe("GET /types → 200 OK, but the body is not JSON: (empty body)");
  });

  it.each<
    [string, () => nock.Interceptor, (c: ReturnType<typeof client>) => Promise<unknown>, unknown, RegExp]
  >([
    [
      "types as an object",
      () => domo().get(`${API_PATH}/types`),
      (c) => c.listTypes(),
      { types: [] },
      /not a list of integration types/,
    ],
    [
      "an account without a name",
      () => domo().get(`${API_PATH}/accounts/t`),
      (c) => c.listAccounts("t"),
      [{ id: "1", type: "t" }],
      /item 1: "name" is missing/,
    ],
    [
      "migrated as text",
      () => domo().get(`${API_PATH}/candidates/1`),
      (c) => c.listCandidates("1"),
      [{ id: "a", name: "A", migrated: "no", migrationDate: null }],
      /"migrated" is the text "no"/,
    ],
    [
      "an unknown state",
      () => domo().post(`${API_PATH}/${DS}/accounts/1`),
      (c) => c.migrate(DS, "1", { catalog: "c", schema: "s", table: "t" }),
      { ...record("COMPLETE"), state: "DONE" },
      /"state" is the text "DONE"/,
    ],
    [
      "a reverse answered with a V1_TO_V2 record",
      () => domo().post(`${API_PATH}/${DS}/reverse`),
      (c) => c.reverse(DS),
      record("COMPLETE", "V1_TO_V2"),
      /"direction" is the text "V1_TO_V2", expected "V2_TO_V1"/,
    ],
  ])("%s on 200 is an error quoting status and body", async (_label, intercept, call, body, problem) => {
    intercept().reply(200, body as nock.Body);
    const error = await failure(call(client()));
    // A POST answered 200 was processed: an unreadable record leaves open what it did (read back).
    expect(error).toMatchObject({ kind: error.method === "POST" ? "ambiguous" : "other", status: 200 });
    expect(error.message).toMatch(/→ 200 OK, but the body is not /);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(JSON.stringify(body).slice(0, 20));
  });

  it("keeps the toe of a malformed migration record", async () => {
    domo()
      .post(`${API_PATH}/${DS}/accounts/1`)
      .reply(200, { ...record("COMPLETE"), state: "WEIRD" });
    const error = await failure(client().migrate(DS, "1", { catalog: "c", schema: "s", table: "t" }));
    expect(error.toe).toBe("DM4X9GT6H5-5ERQX-MPDO6");
    expect(error.kind).toBe("ambiguous");
    expect(error.message).toMatch(/"state" is the text "WEIRD".*; the request may have been applied$/);
  });

  it("an HTML page on 200 to a POST is ambiguous: it may have been applied", async () => {
    domo().post(`${API_PATH}/${DS}/reverse`).reply(200, "<html><title>OK</title></html>", {
      "content-type": "text/html",
    });
    const error = await failure(client().reverse(DS));
    expect(error).toMatchObject({ kind: "ambiguous", status: 200 });
  });
});

describe("createDomoClient: no response", () => {
  it("a GET that times out is transient", async () => {
    domo().get(`${API_PATH}/types`).delay(10_000).reply(200, []);
    const error = await failure(client({ timeoutMs: 30 }).listTypes());
    expect(error).toMatchObject({
      kind: "transient",
      code: "API",
      status: undefined,
      networkError: "timeout",
    });
    expect(error.message).toBe("GET /types → no response within 30 ms");
  });

  it("a POST that times out is ambiguous: it may have reached Domo", async () => {
    domo().post(`${API_PATH}/${DS}/accounts/12`).delay(10_000).reply(200, record("COMPLETE"));
    const error = await failure(
      client({ timeoutMs: 30 }).migrate(DS, "12", { catalog: "c", schema: "s", table: "t" }),
    );
    expect(error).toMatchObject({ kind: "ambiguous", networkError: "timeout" });
    expect(error.message).toBe(
      `POST /${DS}/accounts/12 → no response within 30 ms; the request may have reached Domo`,
    );
  });

  it.each([
    ["GET", "transient"],
    ["POST", "ambiguous"],
  ])("a real socket closed after the request was sent: %s is %s", async (method, kind) => {
    let received = 0;
    const server = await loopbackServer((req) => {
      req.resume();
      req.on("end", () => {
        received++;
        req.socket.destroy();
      });
    });
    try {
      const api = client({ baseUrl: server.base });
      const call = method === "GET" ? api.listTypes() : api.reverse(DS);
      const error = await failure(call);
      expect(error).toMatchObject({ kind, networkError: "reset-after-send", status: undefined });
      expect(received).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("a refused connection is transient even for a POST: nothing was sent", async () => {
    const server = await loopbackServer(() => undefined);
    await server.close();
    const error = await failure(client({ baseUrl: server.base }).reverse(DS));
    expect(error).toMatchObject({ kind: "transient", networkError: "refused" });
    expect(error.message).toMatch(/no response: connection refused \(ECONNREFUSED\)$/);
  });

  it("an abort by the caller rejects with the caller's reason, not an API error", async () => {
    domo().get(`${API_PATH}/types`).delay(10_000).reply(200, []);
    const controller = new AbortController();
    const reason = new Error("SIGINT");
    const call = client().listTypes({ signal: controller.signal });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});

describe("createDomoClient: through the retry policy", () => {
  function policy(clock: ManualClock) {
    const gate = new RateGate({ now: clock.now, sleep: clock.autoSleep });
    return { gate, retry: createRetryPolicy({ retries: 3, minDelayMs: 0, gate, sleep: clock.autoSleep }) };
  }

  it("503 then 200: retried, succeeds", async () => {
    const clock = new ManualClock();
    const scope = domo()
      .get(`${API_PATH}/types`)
      .reply(503, "Service Unavailable")
      .get(`${API_PATH}/types`)
      .reply(200, ["t"]);
    const api = client();
    await expect(policy(clock).retry.run(() => api.listTypes())).resolves.toEqual(["t"]);
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ["seconds", (_now: number) => "7", 7000],
    ["an HTTP date", (now: number) => new Date(now + 9000).toUTCString(), 9000],
  ])(
    "429 with Retry-After as %s: the gate pauses everyone, then success",
    async (_label, header, pauseMs) => {
      const clock = new ManualClock();
      clock.advance(Date.parse("2024-04-15T19:48:00.000Z")); // whole seconds, as HTTP dates are
      const { retry } = policy(clock);
      const start = clock.now();
      const requestTimes: number[] = [];
      domo()
        .get(`${API_PATH}/types`)
        .reply(() => {
          requestTimes.push(clock.now());
          return [429, "slow down", { "Retry-After": header(clock.now()) }];
        })
        .get(`${API_PATH}/types`)
        .reply(() => {
          requestTimes.push(clock.now());
          return [200, ["t"]];
        });
      const api = client({ now: clock.now });
      await expect(retry.run(() => api.listTypes())).resolves.toEqual(["t"]);
      expect(clock.sleeps).toEqual([pauseMs]);
      expect(requestTimes).toEqual([start, start + pauseMs]);
    },
  );

  it("a POST timeout comes out of send as ambiguous, for the caller to read back before it may retry", async () => {
    const clock = new ManualClock();
    domo().post(`${API_PATH}/${DS}/reverse`).delay(10_000).reply(200, record("COMPLETE", "V2_TO_V1"));
    const api = client({ timeoutMs: 30 });
    const { retry } = policy(clock);
    const error = await failure(retry.send(() => api.reverse(DS)));
    expect(error.kind).toBe("ambiguous");
    await expect(retry.backoff(error, 1)).resolves.toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("401 is not retried", async () => {
    const clock = new ManualClock();
    domo().get(`${API_PATH}/types`).reply(401, "Unauthorized");
    const api = client();
    const error = await failure(policy(clock).retry.run(() => api.listTypes()));
    expect(error.kind).toBe("auth");
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("createDomoClient: the token stays secret", () => {
  it("a body that echoes the token is quoted with the token blanked", async () => {
    domo().get(`${API_PATH}/types`).reply(400, `Bad header X-DOMO-Developer-Token: ${TOKEN}`);
    const error = await failure(client().listTypes());
    expect(error.message).toBe("GET /types → 400 Bad Request: Bad header X-DOMO-Developer-Token: [REDACTED]");
  });

  it("logging the errors (pino's err serializer, cause chains included) never shows the token", async () => {
    const logger = memoryLogger();
    domo()
      .get(`${API_PATH}/types`)
      .reply(503, `echo ${TOKEN}`, { Location: `/x?t=${TOKEN}` });
    domo().post(`${API_PATH}/${DS}/reverse`).delay(10_000).reply(200, {});
    const api = client({ timeoutMs: 30 });
    const errors = [await failure(api.listTypes()), await failure(api.reverse(DS))];
    for (const err of errors) logger.error({ err, event: "test" }, "failed");
    expect(logLines.length).toBeGreaterThanOrEqual(4);
  });

  it.each<[string, string, RegExp]>([
    ["a line break", `${TOKEN}\n`, /line break/],
    ["a space", `Bearer ${TOKEN}`, /space/],
    ["nothing", "", /empty/],
  ])("refuses a token with %s, without quoting it", (_label, token, message) => {
    let thrown: unknown;
    try {
      createDomoClient({ baseUrl: BASE, token, timeoutMs: 1000 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toMatch(message);
    errorsSeen.push(thrown);
  });

  it.each<[Partial<DomoClientOptions>, RegExp]>([
    [{ baseUrl: "acme.domo.com" }, /not a URL/],
    [{ baseUrl: "ftp://acme.domo.com/x" }, /https/],
    [{ baseUrl: `${BASE}?x=1` }, /query/],
    [{ timeoutMs: 0 }, /timeout/],
    [{ timeoutMs: Number.NaN }, /timeout/],
  ])("refuses bad options %o, naming them", (overrides, message) => {
    expect(() => createDomoClient({ baseUrl: BASE, token: TOKEN, timeoutMs: 1000, ...overrides })).toThrow(
      message,
    );
  });
});
