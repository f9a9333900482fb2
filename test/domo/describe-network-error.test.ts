import { describe, expect, it } from "vitest";
import type { NetworkErrorKind } from "../../src/domo/classify-error.js";
import { describeNetworkError } from "../../src/domo/describe-network-error.js";

/** The shape Node's fetch rejects with: `TypeError: fetch failed` with the reason as `cause`. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function coded(code: string, message = code, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

function socketError(message: string, bytesWritten: number | undefined): Error {
  const error = coded("UND_ERR_SOCKET", message);
  error.name = "SocketError";
  return Object.assign(error, { socket: bytesWritten === undefined ? null : { bytesWritten, bytesRead: 0 } });
}

describe("describeNetworkError", () => {
  it.each<[string, unknown, NetworkErrorKind, string | undefined]>([
    [
      "our deadline (DOMException TimeoutError)",
      new DOMException("No response", "TimeoutError"),
      "timeout",
      undefined,
    ],
    [
      "ky's TimeoutError",
      Object.assign(new Error("Request timed out"), { name: "TimeoutError" }),
      "timeout",
      undefined,
    ],
    [
      "undici headers timeout",
      fetchFailed(coded("UND_ERR_HEADERS_TIMEOUT")),
      "timeout",
      "UND_ERR_HEADERS_TIMEOUT",
    ],
    ["undici body timeout", fetchFailed(coded("UND_ERR_BODY_TIMEOUT")), "timeout", "UND_ERR_BODY_TIMEOUT"],
    ["ETIMEDOUT", fetchFailed(coded("ETIMEDOUT")), "timeout", "ETIMEDOUT"],
    [
      "connect timeout",
      fetchFailed(coded("UND_ERR_CONNECT_TIMEOUT")),
      "connect-timeout",
      "UND_ERR_CONNECT_TIMEOUT",
    ],
    [
      "ECONNREFUSED",
      fetchFailed(coded("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.1:443")),
      "refused",
      "ECONNREFUSED",
    ],
    [
      "ECONNREFUSED on every address (AggregateError)",
      fetchFailed(
        Object.assign(new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")]), {
          code: undefined,
        }),
      ),
      "refused",
      "ECONNREFUSED",
    ],
    ["ENOTFOUND", fetchFailed(coded("ENOTFOUND", "getaddrinfo ENOTFOUND acme.domo.com")), "dns", "ENOTFOUND"],
    ["EAI_AGAIN", fetchFailed(coded("EAI_AGAIN")), "dns", "EAI_AGAIN"],
    [
      "expired certificate",
      fetchFailed(coded("CERT_HAS_EXPIRED", "certificate has expired")),
      "tls",
      "CERT_HAS_EXPIRED",
    ],
    [
      "self-signed chain",
      fetchFailed(coded("SELF_SIGNED_CERT_IN_CHAIN")),
      "tls",
      "SELF_SIGNED_CERT_IN_CHAIN",
    ],
    [
      "unknown issuer",
      fetchFailed(coded("UNABLE_TO_GET_ISSUER_CERT_LOCALLY")),
      "tls",
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    ],
    [
      "wrong host name",
      fetchFailed(coded("ERR_TLS_CERT_ALTNAME_INVALID")),
      "tls",
      "ERR_TLS_CERT_ALTNAME_INVALID",
    ],
    [
      "SSL protocol",
      fetchFailed(coded("ERR_SSL_WRONG_VERSION_NUMBER")),
      "tls",
      "ERR_SSL_WRONG_VERSION_NUMBER",
    ],
    [
      "proxy tunnel refused",
      fetchFailed(coded("UND_ERR_ABORTED", "Proxy response (407) !== 200 when HTTP Tunneling")),
      "proxy",
      "UND_ERR_ABORTED",
    ],
    [
      "other side closed after writing",
      fetchFailed(socketError("other side closed", 230)),
      "reset-after-send",
      "UND_ERR_SOCKET",
    ],
    [
      "other side closed before writing",
      fetchFailed(socketError("other side closed", 0)),
      "reset-before-send",
      "UND_ERR_SOCKET",
    ],
    [
      "socket error without socket info",
      fetchFailed(socketError("closed", undefined)),
      "reset-after-send",
      "UND_ERR_SOCKET",
    ],
    ["ECONNRESET", fetchFailed(coded("ECONNRESET", "read ECONNRESET")), "reset-after-send", "ECONNRESET"],
    ["EPIPE", fetchFailed(coded("EPIPE")), "reset-after-send", "EPIPE"],
    [
      "reset during the TLS handshake",
      fetchFailed(
        coded(
          "ECONNRESET",
          "Client network socket disconnected before secure TLS connection was established",
        ),
      ),
      "reset-before-send",
      "ECONNRESET",
    ],
    [
      "an error nock throws directly",
      coded("ECONNRESET", "socket hang up"),
      "reset-after-send",
      "ECONNRESET",
    ],
    ["fetch failed with no cause", new TypeError("fetch failed"), "other", undefined],
    ["a non-error value", "boom", "other", undefined],
    ["undefined", undefined, "other", undefined],
  ])("%s → %s", (_label, error, kind, code) => {
    const description = describeNetworkError(error);
    expect(description.kind).toBe(kind);
    expect(description.code).toBe(code);
    expect(description.detail).not.toBe("");
  });

  it("does not loop on a cyclic cause chain", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(describeNetworkError(a).kind).toBe("other");
  });
});
