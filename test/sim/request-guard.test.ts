import { afterEach, describe, expect, it } from "vitest";
import { API, type CallResult, call, startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { testToken } from "../leak/leak-capture.js";

/**
 * Attacks on the simulator from a web page the operator has open while it runs: a cross-origin
 * "simple" POST (no preflight) to its control endpoints, and DNS rebinding (a page whose name now
 * resolves to 127.0.0.1, so the browser sends the page's own name in `Host`).
 */
let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<TestSimulator> {
  sim = await startTestSimulator({
    token: testToken(),
    accounts: [{ id: "12", type: "snowflake-federated" }],
    datasources: [{ id: "secret-ds", type: "snowflake-federated", catalog: "C", schema: "S", table: "T" }],
  });
  return sim;
}

const answered = (result: CallResult) => (result.dropped ? { dropped: result.error } : result);
const EVIL = "http://evil.example";

describe("the control endpoints refuse what a web page can send", () => {
  it.each([
    [
      "a cross-origin text/plain POST (a fetch with mode no-cors)",
      { origin: EVIL, "content-type": "text/plain" },
      403,
    ],
    ["a cross-origin form POST", { origin: EVIL, "content-type": "application/x-www-form-urlencoded" }, 403],
    [
      "a cross-origin JSON POST (after a preflight nobody answers)",
      { origin: EVIL, "content-type": "application/json" },
      403,
    ],
    ["an opaque origin (a sandboxed page)", { origin: "null", "content-type": "application/json" }, 403],
    [
      "a cross-site fetch metadata",
      { "sec-fetch-site": "cross-site", "content-type": "application/json" },
      403,
    ],
    ["a text/plain POST without Origin", { "content-type": "text/plain" }, 415],
    ["a POST without content-type", {}, 415],
  ])("refuses %s, and changes nothing", async (_what, headers, status) => {
    const s = await start();
    const body = JSON.stringify({ mode: "maintenance", faults: { rate5xx: 1 } });
    const result = await call(s.url, "POST", "/_sim/configure", {
      body,
      headers: { "content-type": "", ...headers },
    });
    expect(answered(result)).toMatchObject({ status });
    expect(s.sim.fixture().mode).toBe("normal");
    expect(s.sim.fixture().faults.rate5xx).toBe(0);
    expect((await call(s.url, "GET", `${API}/types`, { token: s.token })) as CallResult).toMatchObject({
      status: 200,
    });
  });

  it("refuses a cross-origin reset of the stats", async () => {
    const s = await start();
    await call(s.url, "GET", `${API}/types`, { token: s.token });
    const result = await call(s.url, "POST", "/_sim/reset-stats", {
      headers: { origin: EVIL, "content-type": "text/plain" },
    });
    expect(answered(result)).toMatchObject({ status: 403 });
    expect(s.stats().requests).toBe(1);
  });

  it("refuses a cross-origin read of its state", async () => {
    const s = await start();
    const result = await call(s.url, "GET", "/_sim/state", { headers: { origin: EVIL } });
    expect(answered(result)).toMatchObject({ status: 403 });
    expect(result.dropped ? "" : result.text).not.toContain("secret-ds");
  });

  it("takes JSON from its own origin, or from a tool that sends no Origin", async () => {
    const s = await start();
    const own = await call(s.url, "POST", "/_sim/configure", {
      body: JSON.stringify({ faults: { rate429: 0.5 } }),
      headers: { origin: s.url, "content-type": "application/json; charset=utf-8" },
    });
    expect(answered(own)).toMatchObject({ status: 200 });
    const tool = await call(s.url, "POST", "/_sim/configure", {
      body: JSON.stringify({ mode: "maintenance" }),
    });
    expect(answered(tool)).toMatchObject({ status: 200 });
    expect(s.sim.fixture()).toMatchObject({ mode: "maintenance", faults: { rate429: 0.5 } });
  });
});

describe("DNS rebinding: a request addressed to another host is refused (421)", () => {
  it.each([
    ["the state, for a rebound name", "GET", "/_sim/state", "evil.example"],
    ["the stats, for a rebound name with the port", "GET", "/_sim/stats", "evil.example:PORT"],
    ["the configuration", "POST", "/_sim/configure", "evil.example:PORT"],
    ["the API", "GET", `${API}/candidates/12`, "evil.example:PORT"],
    ["another port of loopback", "GET", "/_sim/state", "127.0.0.1:1"],
  ] as const)("refuses %s", async (_what, method, path, host) => {
    const s = await start();
    const result = await call(s.url, method, path, {
      token: s.token,
      headers: { host: host.replace("PORT", String(s.sim.port)) },
      ...(method === "POST" ? { body: JSON.stringify({ mode: "maintenance" }) } : {}),
    });
    expect(answered(result)).toMatchObject({ status: 421, headers: { "x-fedmigrate-simulator": "1" } });
    expect(result.dropped ? "" : result.text).not.toContain("secret-ds");
    expect(result.dropped ? "" : result.text).toContain(`127.0.0.1:${s.sim.port}`);
    expect(s.sim.fixture().mode).toBe("normal");
    // Not an API request: not counted, not logged.
    expect(s.stats().requests).toBe(0);
    expect(s.requestLog()).toEqual([]);
  });

  it("answers its own address and localhost, with its port", async () => {
    const s = await start();
    for (const host of [`127.0.0.1:${s.sim.port}`, `localhost:${s.sim.port}`, `LOCALHOST:${s.sim.port}`]) {
      const result = await call(s.url, "GET", `${API}/types`, { token: s.token, headers: { host } });
      expect(answered(result), host).toMatchObject({ status: 200 });
    }
    expect([...s.sim.hosts]).toEqual([`127.0.0.1:${s.sim.port}`, `localhost:${s.sim.port}`]);
  });
});
