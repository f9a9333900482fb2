/**
 * What a failed call means for the caller, decided from facts alone (method, status, how the
 * connection failed). Pure, so the whole table is tested; the retry policy and the executor act
 * on the kind, never on raw statuses.
 * - `auth`: the token was refused (401/403); the run stops.
 * - `transient`: nothing changed on the server, or repeating is harmless; retry with backoff.
 * - `ambiguous`: a POST may have been applied (no answer after sending, any 5xx answer, or a 200
 *   whose body is not a readable migration record); read the item back before any retry.
 * - `setup`: the network path is wrong (redirect, TLS, proxy); retrying cannot help.
 * - `other`: any other failure; reported, not retried.
 */
export type ErrorKind = "auth" | "transient" | "ambiguous" | "setup" | "other";

/**
 * How a request failed without an HTTP response (see `describeNetworkError`).
 * - `timeout`: our deadline (or undici's header/body timeout) passed; the request was sent.
 * - `connect-timeout`: no connection within the connect timeout, so nothing was sent.
 * - `reset-before-send`: the connection closed before any byte of the request was written.
 * - `reset-after-send`: the connection closed once the request was (or may have been) written.
 * - `refused`, `dns`: no connection was made, so nothing was sent.
 * - `tls`: the TLS handshake failed (certificate, protocol).
 * - `proxy`: the proxy refused to open a tunnel (407 and the like).
 * - `other`: anything else; the request may have been sent.
 */
export type NetworkErrorKind =
  | "timeout"
  | "connect-timeout"
  | "reset-before-send"
  | "reset-after-send"
  | "refused"
  | "dns"
  | "tls"
  | "proxy"
  | "other";

/** The facts `classifyError` decides on: an HTTP status or a network failure. */
export interface ClassifyInput {
  method: string;
  status?: number;
  networkError?: NetworkErrorKind;
  /** A success status whose body is not the documented shape (not JSON, an undocumented `state`…). */
  unreadableBody?: boolean;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Classifies a failed call. A success status is not a failure and is never passed here; when
 * neither `status` nor `networkError` is given the failure is `other`.
 */
export function classifyError(input: ClassifyInput): ErrorKind {
  const { status, networkError } = input;
  // A POST answered 200 was processed, but an unreadable record does not say how (a `state` Domo
  // does not document): as ambiguous as no answer. A GET's unreadable list is just an error.
  if (input.unreadableBody) return isSafeMethod(input.method) ? "other" : "ambiguous";
  if (status !== undefined) {
    if (status === 401 || status === 403) return "auth";
    // A gateway or server error says nothing of whether the POST behind it was applied (a 502
    // after Domo changed the datasource): as ambiguous as no answer at all.
    if (status >= 500 && status < 600 && !isSafeMethod(input.method)) return "ambiguous";
    if (TRANSIENT_STATUSES.has(status)) return "transient";
    // Redirects are never followed: a 3xx means something sits between us and the API
    // (an IP allow-list block page, a login page, a wrong domain).
    if (status >= 300 && status < 400) return "setup";
    return "other";
  }
  switch (networkError) {
    case undefined:
      return "other";
    case "tls":
    case "proxy":
      return "setup";
    case "refused":
    case "dns":
    case "connect-timeout":
    case "reset-before-send":
      // Nothing reached the server: repeating cannot do anything twice.
      return "transient";
    case "timeout":
    case "reset-after-send":
    case "other":
      // The request may have been processed. Repeating a GET is harmless; a POST must be
      // read back first, so that a migration is never requested twice.
      return isSafeMethod(input.method) ? "transient" : "ambiguous";
  }
}

/** GET and HEAD change nothing on the server (RFC 9110 safe methods we use). */
function isSafeMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === "GET" || upper === "HEAD" || upper === "OPTIONS";
}
