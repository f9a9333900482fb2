import type { NetworkErrorKind } from "./classify-error.js";

/** A request that got no HTTP response, in the terms `classifyError` decides on. */
export interface NetworkErrorDescription {
  kind: NetworkErrorKind;
  /** The most specific error code found (`ECONNREFUSED`, `UND_ERR_SOCKET`, …), if any. */
  code: string | undefined;
  /** Plain words for the operator, e.g. "connection refused (ECONNREFUSED)". */
  detail: string;
}

/** Node's certificate and TLS failure codes that are not caught by the prefixes below. */
const TLS_CODES = new Set([
  "EPROTO",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "UND_ERR_PRX_TLS",
]);

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA"]);

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

interface Link {
  name: string | undefined;
  code: string | undefined;
  message: string;
  /** undici's socket info on a `SocketError`: how much had been written when it closed. */
  bytesWritten: number | undefined;
}

/**
 * Describes why a fetch failed without a response. Node's fetch (undici) rejects with
 * `TypeError: fetch failed` and hides the reason in `cause` (sometimes an `AggregateError`
 * of one error per address tried), so the whole chain is searched, most specific rule first.
 *
 * Whether a POST may have reached the server is the question that matters. A refused or
 * unresolved connection, or a connect timeout, sent nothing. A socket closed with undici's
 * `bytesWritten === 0`, or during the TLS handshake, sent nothing either. Any other reset
 * (`ECONNRESET`, undici's "other side closed") is counted as after sending: `bytesWritten`
 * counts the whole life of a kept-alive socket, so it cannot prove the opposite.
 */
export function describeNetworkError(error: unknown): NetworkErrorDescription {
  const chain = flatten(error);
  const find = (test: (link: Link) => boolean) => chain.find(test);

  const timeout = find(
    (l) => l.name === "TimeoutError" || (l.code !== undefined && TIMEOUT_CODES.has(l.code)),
  );
  if (timeout) return { kind: "timeout", code: timeout.code, detail: "timed out waiting for Domo" };

  const connectTimeout = find((l) => l.code === "UND_ERR_CONNECT_TIMEOUT");
  if (connectTimeout) {
    return { kind: "connect-timeout", code: connectTimeout.code, detail: "could not connect in time" };
  }

  const refused = find((l) => l.code === "ECONNREFUSED");
  if (refused) return { kind: "refused", code: refused.code, detail: "connection refused" };

  const dns = find((l) => l.code !== undefined && DNS_CODES.has(l.code));
  if (dns) return { kind: "dns", code: dns.code, detail: "the host name could not be resolved" };

  const proxy = find((l) => /Proxy response \(\d+\)/.test(l.message));
  if (proxy) {
    return { kind: "proxy", code: proxy.code, detail: `the proxy refused the connection: ${proxy.message}` };
  }

  const tls = find((l) => l.code !== undefined && isTlsCode(l.code));
  if (tls) return { kind: "tls", code: tls.code, detail: `TLS failed: ${tls.message}` };

  const reset = find((l) => l.code !== undefined && RESET_CODES.has(l.code));
  if (reset) {
    const beforeSend =
      reset.bytesWritten === 0 || chain.some((l) => l.message.includes("before secure TLS connection"));
    return beforeSend
      ? {
          kind: "reset-before-send",
          code: reset.code,
          detail: "connection closed before the request was sent",
        }
      : {
          kind: "reset-after-send",
          code: reset.code,
          detail: `connection closed after the request was sent (${reset.message})`,
        };
  }

  const innermost = chain.at(-1);
  return {
    kind: "other",
    code: chain.find((l) => l.code !== undefined)?.code,
    detail: innermost?.message || "the request failed without a response",
  };
}

function isTlsCode(code: string): boolean {
  return (
    TLS_CODES.has(code) ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    code.startsWith("CERT_")
  );
}

/** The error, its causes and the members of any AggregateError, outermost first. */
function flatten(error: unknown): Link[] {
  const links: Link[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || value === undefined || seen.has(value) || depth > 8) return;
    seen.add(value);
    if (typeof value !== "object") {
      links.push({ name: undefined, code: undefined, message: String(value), bytesWritten: undefined });
      return;
    }
    const record = value as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      socket?: { bytesWritten?: unknown } | null;
      cause?: unknown;
      errors?: unknown;
    };
    const bytesWritten = record.socket?.bytesWritten;
    links.push({
      name: typeof record.name === "string" ? record.name : undefined,
      code: typeof record.code === "string" ? record.code : undefined,
      message: typeof record.message === "string" ? record.message : "",
      bytesWritten: typeof bytesWritten === "number" ? bytesWritten : undefined,
    });
    visit(record.cause, depth + 1);
    if (Array.isArray(record.errors)) for (const member of record.errors) visit(member, depth + 1);
  };
  visit(error, 0);
  return links;
}
