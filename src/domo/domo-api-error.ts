import { STATUS_CODES } from "node:http";
import { type ErrorCode, FedmigrateError } from "../errors.js";
import { classifyError, type ErrorKind, type NetworkErrorKind } from "./classify-error.js";
import { clipQuote } from "./clip-quote.js";
import type { NetworkErrorDescription } from "./describe-network-error.js";
import type { BodySummary } from "./summarize-body.js";

/** Where a failed call went: what every `DomoApiError` names. */
export interface RequestIdentity {
  method: string;
  /** The full URL. Safe to show: the token travels in a header, never in the URL. */
  url: string;
  /** The URL's path below the API base (`/types`, `/495e…/accounts/12`), for messages. */
  path: string;
}

/** Everything a `DomoApiError` carries; `detail` is the message after `METHOD path → `. */
export interface DomoApiErrorInit extends RequestIdentity {
  kind: ErrorKind;
  detail: string;
  status?: number | undefined;
  bodyFirstLine?: string | undefined;
  retryAfterMs?: number | undefined;
  toe?: string | undefined;
  networkError?: NetworkErrorKind | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * A Domo API call failed: an HTTP error status, a redirect, no response at all, or a
 * response that is not the documented shape. `kind` says what to do about it (see
 * `classifyError`); the message names the method, the path and what came back, like ky's
 * `HTTPError`: `POST /495e…/accounts/12 → 503 Service Unavailable: <first line of body>`.
 * Never contains the token.
 */
export class DomoApiError extends FedmigrateError {
  override name = "DomoApiError";
  readonly kind: ErrorKind;
  readonly method: string;
  readonly url: string;
  readonly path: string;
  /** The HTTP status; undefined when no response came. */
  readonly status: number | undefined;
  /** The body's first non-empty line, trimmed, at most 200 characters. */
  readonly bodyFirstLine: string | undefined;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  /** The `toe` of a Domo error body or of a malformed migration record, for Domo support. */
  readonly toe: string | undefined;
  /** How the request failed when no response came. */
  readonly networkError: NetworkErrorKind | undefined;

  constructor(init: DomoApiErrorInit) {
    super(errorCodeFor(init.kind), `${init.method} ${init.path} → ${init.detail}`, {
      cause: init.cause,
      ...(init.hint === undefined ? {} : { hint: init.hint }),
    });
    this.kind = init.kind;
    this.method = init.method;
    this.url = init.url;
    this.path = init.path;
    this.status = init.status;
    this.bodyFirstLine = init.bodyFirstLine;
    this.retryAfterMs = init.retryAfterMs;
    this.toe = init.toe;
    this.networkError = init.networkError;
  }

  /** A plain summary for logs and reports (`cause` left out: it may be large). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      kind: this.kind,
      message: this.message,
      hint: this.hint ?? null,
      method: this.method,
      url: this.url,
      status: this.status ?? null,
      bodyFirstLine: this.bodyFirstLine ?? null,
      retryAfterMs: this.retryAfterMs ?? null,
      toe: this.toe ?? null,
      networkError: this.networkError ?? null,
    };
  }

  /** An HTTP status other than success (redirects included). */
  static fromStatus(
    request: RequestIdentity,
    response: {
      status: number;
      statusText: string;
      location: string | null;
      retryAfterMs: number | undefined;
      body: BodySummary;
    },
  ): DomoApiError {
    const { status, body } = response;
    const kind = classifyError({ method: request.method, status });
    const statusLine = `${status} ${response.statusText || STATUS_CODES[status] || "(no reason phrase)"}`;
    const common = {
      ...request,
      kind,
      status,
      bodyFirstLine: body.firstLine,
      retryAfterMs: response.retryAfterMs,
      toe: body.toe,
    };
    if (kind === "setup") {
      const location = response.location?.trim();
      const blocked = location !== undefined && /whitelist|allow-?list/i.test(location);
      const where = location ? `redirected to ${clipQuote(location)}` : "a redirect without a Location";
      return new DomoApiError({
        ...common,
        detail: `${statusLine}: ${where}; fedmigrate does not follow redirects${
          blocked ? " (this is Domo's IP allow-list blocking this machine's address)" : ""
        }`,
        hint: blocked
          ? "Ask a Domo admin to add this machine's public IP address to the instance's IP allow-list (Admin > Security), or run from a network that is already allowed."
          : "Check the domain: it should be the instance's own host (acme.domo.com). A redirect usually means a wrong domain, a login page or a proxy in front of the API.",
      });
    }
    const quoted = body.quote ? `: ${body.quote}` : "";
    const toe = body.toe ? ` (toe ${body.toe})` : "";
    return new DomoApiError({
      ...common,
      detail: `${statusLine}${quoted}${toe}`,
      hint: hintForStatus(status),
    });
  }

  /** No response came: the connection failed, or our deadline passed. */
  static fromNetworkError(
    request: RequestIdentity,
    failure: NetworkErrorDescription,
    options: { timeoutMs: number; cause: unknown },
  ): DomoApiError {
    const kind = classifyError({ method: request.method, networkError: failure.kind });
    const what =
      failure.kind === "timeout"
        ? `no response within ${formatMs(options.timeoutMs)}`
        : `no response: ${failure.detail}${failure.code && !failure.detail.includes(failure.code) ? ` (${failure.code})` : ""}`;
    const maybeSent = kind === "ambiguous" ? "; the request may have reached Domo" : "";
    return new DomoApiError({
      ...request,
      kind,
      networkError: failure.kind,
      detail: `${what}${maybeSent}`,
      hint: hintForNetwork(failure.kind),
      cause: options.cause,
    });
  }

  /**
   * A success status whose body is not the documented shape: never treated as a success. For a
   * POST it is ambiguous (the server processed it, the record does not say how): read back.
   */
  static unexpectedBody(
    request: RequestIdentity,
    response: {
      status: number;
      statusText: string;
      body: BodySummary;
      problem: string;
      toe?: string | undefined;
    },
  ): DomoApiError {
    const { status, body } = response;
    const statusLine = `${status} ${response.statusText || STATUS_CODES[status] || ""}`.trim();
    const quoted = body.isHtml
      ? `: ${body.quote}`
      : body.firstLine
        ? `: ${body.firstLine}`
        : ": (empty body)";
    const kind = classifyError({ method: request.method, unreadableBody: true });
    const maybeApplied = kind === "ambiguous" ? "; the request may have been applied" : "";
    return new DomoApiError({
      ...request,
      kind,
      status,
      bodyFirstLine: body.firstLine,
      toe: response.toe ?? body.toe,
      detail: `${statusLine}, but ${response.problem}${quoted}${maybeApplied}`,
      hint: body.isHtml
        ? "The answer came from something other than the API: a maintenance page, a proxy or a login page. Check the domain and try again later."
        : undefined,
    });
  }
}

function errorCodeFor(kind: ErrorKind): ErrorCode {
  if (kind === "auth") return "AUTH";
  if (kind === "setup") return "SETUP";
  return "API";
}

function hintForStatus(status: number): string | undefined {
  switch (status) {
    case 401:
      return "Domo refused the developer token: it is wrong, expired or revoked. Create a new one (Admin > Authentication > Access tokens) and pass it through DOMO_DEVELOPER_TOKEN or --token-file.";
    case 403:
      return "Domo knows the token, but its user may not do this: the user needs the grant to manage Federated datasources and accounts, and access to the datasource and account. Ask a Domo admin.";
    case 404:
      return "Domo does not know this path: check the datasource, account or type id, and that Federated V2 is enabled on the instance.";
    default:
      return undefined;
  }
}

function hintForNetwork(kind: NetworkErrorKind): string | undefined {
  switch (kind) {
    case "dns":
      return "Check the domain (--domain or DOMO_DOMAIN) and this machine's DNS.";
    case "refused":
    case "connect-timeout":
      return "Check the domain and the network path; behind a corporate proxy, set HTTPS_PROXY (and NO_PROXY).";
    case "tls":
      return "Check the domain and this machine's clock. If your network inspects TLS, point NODE_EXTRA_CA_CERTS at its CA certificate bundle.";
    case "proxy":
      return "Check HTTPS_PROXY (its address and credentials) and NO_PROXY.";
    default:
      return undefined;
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
