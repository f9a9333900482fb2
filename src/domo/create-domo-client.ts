import ky, { type KyInstance } from "ky";
import type { Logger } from "pino";
import { UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { createServerTextCleaner } from "./clean-server-text.js";
import { describeNetworkError } from "./describe-network-error.js";
import { DomoApiError, type RequestIdentity } from "./domo-api-error.js";
import {
  type BodyCheck,
  parseAccountsBody,
  parseCandidatesBody,
  parseMigrationRecordBody,
  parseTypesBody,
} from "./parse-response-body.js";
import { parseRetryAfter } from "./retry-timing.js";
import { summarizeBody } from "./summarize-body.js";
import { type CallOptions, type DomoApi, SIMULATOR_HEADER } from "./types.js";

/** How to reach one Domo instance's migration API. */
export interface DomoClientOptions {
  /** The API base: the instance's origin + `/api/query/migration/federated/v1/to/v2`. */
  baseUrl: string;
  /** The developer token. Sent as a header only; never logged nor put in an error. */
  token: string;
  /** Per request, from sending to the last byte of the body. */
  timeoutMs: number;
  /** Gets one debug event per request (`http.request`). */
  logger?: Logger;
  /** Replaces global `fetch` (tests); by default global `fetch`, so a proxy dispatcher and nock apply. */
  fetch?: typeof fetch;
  /** Reads the clock for `Retry-After` dates. Default `Date.now`. */
  now?: () => number;
}

type Method = "GET" | "POST";

/**
 * The `DomoApi` port over ky: one HTTP attempt per call. ky's own retry is off (the retry
 * policy owns retries), redirects are not followed (a 3xx is a setup error), and every status
 * and body is checked here, so that anything undocumented is a `DomoApiError`, never a success.
 */
export function createDomoClient(opts: DomoClientOptions): DomoApi {
  const baseUrl = checkBaseUrl(opts.baseUrl);
  checkToken(opts.token);
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) {
    throw new UsageError(
      `The request timeout must be a positive number of milliseconds, got ${opts.timeoutMs}.`,
    );
  }
  const { token, timeoutMs, logger } = opts;
  const now = opts.now ?? Date.now;
  // The one boundary where server text enters (SPEC section 5): a server may echo the token
  // (raw, escaped, entity- or percent-encoded) and may send terminal control sequences in any
  // string; nothing it wrote reaches a journal, a report or a terminal before this.
  const clean = createServerTextCleaner([token]);
  let simulatorSeen = false;

  const http: KyInstance = ky.create({
    retry: 0,
    throwHttpErrors: false,
    redirect: "manual",
    // One deadline of our own covers the headers and the body: ky's `timeout` stops at the
    // response headers, and a body that stalls would hang until undici's 300 s body timeout.
    timeout: false,
    headers: {
      "X-DOMO-Developer-Token": token,
      accept: "application/json",
      "user-agent": `fedmigrate/${VERSION}`,
    },
    ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }),
  });

  async function send<T>(
    method: Method,
    segments: string[],
    check: (body: unknown) => BodyCheck<T>,
    options: CallOptions & { json?: unknown },
  ): Promise<T> {
    const path = `/${segments.map(encodeSegment).join("/")}`;
    const request: RequestIdentity = { method, url: `${baseUrl}${path}`, path };
    const userSignal = options.signal;
    userSignal?.throwIfAborted();

    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`No response within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    const signal = userSignal ? AbortSignal.any([userSignal, deadline.signal]) : deadline.signal;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    let response: Response;
    let text: string;
    try {
      response = await http(request.url, {
        method,
        signal,
        ...(method === "POST" ? { headers: { "content-type": "application/json" } } : {}),
        ...(options.json === undefined ? {} : { json: options.json }),
      });
      text = await response.text();
    } catch (error) {
      // The caller stopped the run: not an API failure, so its own reason goes up untouched.
      if (userSignal?.aborted) throw userSignal.reason;
      const described = describeNetworkError(deadline.signal.aborted ? deadline.signal.reason : error);
      // A proxy's or a TLS peer's words may quote what it was sent.
      const failure = { ...described, detail: clean.text(described.detail) };
      logger?.debug(
        {
          event: "http.request",
          method,
          path,
          status: null,
          ms: elapsed(),
          error: failure.kind,
          code: failure.code,
        },
        "request failed",
      );
      throw DomoApiError.fromNetworkError(request, failure, { timeoutMs, cause: error });
    } finally {
      clearTimeout(timer);
    }
    logger?.debug({ event: "http.request", method, path, status: response.status, ms: elapsed() }, "request");
    if (response.headers.get(SIMULATOR_HEADER) === "1") simulatorSeen = true;

    // Cleaned before and after: the summary decodes JSON escapes and HTML entities of its own.
    const cleanText = clean.text(text);
    const summary = summarizeBody(cleanText, response.headers.get("content-type"));
    const cleanOptional = (field: string | undefined) =>
      field === undefined ? undefined : clean.text(field);
    const body = {
      ...summary,
      firstLine: cleanOptional(summary.firstLine),
      quote: cleanOptional(summary.quote),
      toe: cleanOptional(summary.toe),
    };
    const statusText = clean.text(response.statusText);
    if (response.status !== 200) {
      const location = response.headers.get("location");
      throw DomoApiError.fromStatus(request, {
        status: response.status,
        statusText,
        location: location === null ? null : clean.text(location),
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
        body,
      });
    }
    let value: unknown;
    try {
      // Parsed from what was sent, then every string cleaned: `\u` escapes are decoded by then.
      // Without a backslash JSON decodes nothing, so every string is a piece of the text as
      // sent: when cleaning the whole text changed nothing, no piece needs it (a 50,000-entry
      // candidate list would otherwise take half a second more).
      const parsed: unknown = JSON.parse(text);
      value = cleanText === text && !text.includes("\\") ? parsed : clean.value(parsed);
    } catch {
      const problem = body.isHtml ? "the body is an HTML page, not JSON" : "the body is not JSON";
      throw DomoApiError.unexpectedBody(request, {
        status: 200,
        statusText,
        body,
        problem,
      });
    }
    const checked = check(value);
    if (!checked.ok) {
      throw DomoApiError.unexpectedBody(request, {
        status: 200,
        statusText,
        body,
        problem: checked.problem,
        toe: checked.toe,
      });
    }
    return checked.value;
  }

  return {
    listTypes: (options = {}) => send("GET", ["types"], parseTypesBody, options),
    listAccounts: (integrationType, options = {}) =>
      send("GET", ["accounts", integrationType], parseAccountsBody, options),
    listCandidates: (accountId, options = {}) =>
      send("GET", ["candidates", accountId], parseCandidatesBody, options),
    migrate: (datasourceId, accountId, target, options = {}) =>
      send(
        "POST",
        [datasourceId, "accounts", accountId],
        (body) => parseMigrationRecordBody(body, { direction: "V1_TO_V2", datasourceId }),
        // Exactly the three documented fields, whatever else the caller's object holds.
        { ...options, json: { catalog: target.catalog, schema: target.schema, table: target.table } },
      ),
    reverse: (datasourceId, options = {}) =>
      send(
        "POST",
        [datasourceId, "reverse"],
        (body) => parseMigrationRecordBody(body, { direction: "V2_TO_V1", datasourceId }),
        options,
      ),
    isSimulator: () => simulatorSeen,
  };
}

/**
 * One path segment, percent-encoded. `.` and `..` cannot be sent as segments at all (URL
 * parsing resolves them, even as `%2E`), so they are refused rather than sent somewhere else.
 */
function encodeSegment(segment: string): string {
  if (segment === "" || segment === "." || segment === "..") {
    throw new TypeError(`Cannot put ${JSON.stringify(segment)} in a Domo API path.`);
  }
  return encodeURIComponent(segment);
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`The Domo API base URL is not a URL: ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `The Domo API base URL must be https:// (or http:// on loopback), got ${url.protocol}`,
    );
  }
  if (url.search || url.hash) {
    throw new UsageError("The Domo API base URL must not have a query or a fragment.");
  }
  return url.href.replace(/\/+$/, "");
}

/** A header value must be visible ASCII; say so without quoting the token. */
function checkToken(token: string): void {
  if (token === "") throw new UsageError("The Domo developer token is empty.");
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      "The Domo developer token contains a space, a line break or a non-ASCII character, which cannot be sent in a header.",
      { hint: "Check the token file or DOMO_DEVELOPER_TOKEN: it should hold the token alone." },
    );
  }
}
