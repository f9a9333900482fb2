import { describe, expect, it } from "vitest";
import type { ErrorKind } from "../../src/domo/classify-error.js";
import { DomoApiError } from "../../src/domo/domo-api-error.js";
import { summarizeBody } from "../../src/domo/summarize-body.js";
import { FedmigrateError } from "../../src/errors.js";

const request = { method: "POST", url: "https://acme.domo.com/api/x/ds/reverse", path: "/ds/reverse" };

describe("DomoApiError", () => {
  it.each<[ErrorKind, string]>([
    ["auth", "AUTH"],
    ["setup", "SETUP"],
    ["transient", "API"],
    ["ambiguous", "API"],
    ["other", "API"],
  ])("a %s error has the FedmigrateError code %s", (kind, code) => {
    const error = new DomoApiError({ ...request, kind, detail: "x" });
    expect(error).toBeInstanceOf(FedmigrateError);
    expect(error.code).toBe(code);
    expect(error.name).toBe("DomoApiError");
    expect(error.message).toBe("POST /ds/reverse → x");
  });

  it("keeps its cause", () => {
    const cause = new TypeError("fetch failed");
    expect(new DomoApiError({ ...request, kind: "other", detail: "x", cause }).cause).toBe(cause);
  });

  it("serializes to a plain summary without the cause", () => {
    const error = DomoApiError.fromStatus(request, {
      status: 429,
      statusText: "Too Many Requests",
      location: null,
      retryAfterMs: 2000,
      body: summarizeBody('{"message":"slow down","toe":"T-1"}', "application/json"),
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "DomoApiError",
      code: "API",
      kind: "transient",
      message: "POST /ds/reverse → 429 Too Many Requests: slow down (toe T-1)",
      hint: null,
      method: "POST",
      url: request.url,
      status: 429,
      bodyFirstLine: '{"message":"slow down","toe":"T-1"}',
      retryAfterMs: 2000,
      toe: "T-1",
      networkError: null,
    });
  });

  it("fills in a missing reason phrase (HTTP/2 has none)", () => {
    const error = DomoApiError.fromStatus(request, {
      status: 503,
      statusText: "",
      location: null,
      retryAfterMs: undefined,
      body: summarizeBody("", null),
    });
    expect(error.message).toBe("POST /ds/reverse → 503 Service Unavailable");
  });

  it.each<[string | null, RegExp, RegExp]>([
    ["https://acme.domo.com/whitelist/blocked", /IP allow-list blocking/, /allow-list/],
    ["https://acme.domo.com/auth/index", /redirects$/, /Check the domain/],
    [null, /a redirect without a Location/, /Check the domain/],
  ])("a redirect to %o is a setup error", (location, message, hint) => {
    const error = DomoApiError.fromStatus(request, {
      status: 302,
      statusText: "Found",
      location,
      retryAfterMs: undefined,
      body: summarizeBody("", null),
    });
    expect(error.kind).toBe("setup");
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
  });

  it.each<[Parameters<typeof DomoApiError.fromNetworkError>[1], string, string, RegExp | undefined]>([
    [
      { kind: "refused", code: "ECONNREFUSED", detail: "connection refused" },
      "transient",
      "POST /ds/reverse → no response: connection refused (ECONNREFUSED)",
      /domain/,
    ],
    [
      {
        kind: "reset-after-send",
        code: "ECONNRESET",
        detail: "connection closed after the request was sent (read ECONNRESET)",
      },
      "ambiguous",
      "POST /ds/reverse → no response: connection closed after the request was sent (read ECONNRESET); the request may have reached Domo",
      undefined,
    ],
    [
      { kind: "tls", code: "CERT_HAS_EXPIRED", detail: "TLS failed: certificate has expired" },
      "setup",
      "POST /ds/reverse → no response: TLS failed: certificate has expired (CERT_HAS_EXPIRED)",
      /NODE_EXTRA_CA_CERTS/,
    ],
    [
      { kind: "timeout", code: undefined, detail: "timed out" },
      "ambiguous",
      "POST /ds/reverse → no response within 300 s; the request may have reached Domo",
      undefined,
    ],
    [
      { kind: "dns", code: "ENOTFOUND", detail: "the host name could not be resolved" },
      "transient",
      "POST /ds/reverse → no response: the host name could not be resolved (ENOTFOUND)",
      /DNS/,
    ],
    [
      {
        kind: "proxy",
        code: "UND_ERR_ABORTED",
        detail: "the proxy refused the connection: Proxy response (407)",
      },
      "setup",
      "POST /ds/reverse → no response: the proxy refused the connection: Proxy response (407) (UND_ERR_ABORTED)",
      /HTTPS_PROXY/,
    ],
  ])("no response: %o", (failure, kind, message, hint) => {
    const error = DomoApiError.fromNetworkError(request, failure, { timeoutMs: 300_000, cause: undefined });
    expect(error.kind).toBe(kind);
    expect(error.networkError).toBe(failure.kind);
    expect(error.message).toBe(message);
    if (hint) expect(error.hint).toMatch(hint);
    else expect(error.hint).toBeUndefined();
  });
});
