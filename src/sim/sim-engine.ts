import type { IncomingMessage, ServerResponse } from "node:http";
import type { MigrationState, Target } from "../domo/types.js";
import {
  checkBehaviour,
  type Fixture,
  type FixtureBehaviour,
  formatFixturePath,
  type LatencyRange,
} from "./fixture.js";
import { FixtureError } from "./fixture-error.js";
import { RequestLog } from "./request-log.js";
import { hashParts, keyedRandom, seededRandom } from "./seeded-random.js";
import { isoWithOffset, SimState } from "./sim-state.js";
import { createToeGenerator } from "./toe-generator.js";
import { TokenBucket } from "./token-bucket.js";
import {
  REQUEST_OUTCOMES,
  type RequestLogEntry,
  type RequestOutcome,
  type RequestStartEvent,
  SIM_ROUTES,
  type SimRoute,
  type SimStats,
} from "./types.js";

/** SPEC section 1: every call lives under this path. */
export const API_PREFIX = "/api/query/migration/federated/v1/to/v2";
/** The simulator's own endpoints (stats, state, configuration): no token, outside the API. */
export const CONTROL_PREFIX = "/_sim/";

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = "application/json;charset=UTF-8";

const STATUS_REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** nginx-style pages, as a load balancer in front of Domo answers. */
const GATEWAY_PAGES: Record<number, string> = {
  502: "502 Bad Gateway",
  503: "503 Service Temporarily Unavailable",
  504: "504 Gateway Time-out",
};

const MAINTENANCE_PAGE = [
  "<!DOCTYPE html>",
  "<html><head><title>Domo is down for scheduled maintenance</title></head>",
  "<body><h1>We'll be back soon</h1><p>Domo is undergoing scheduled maintenance. Please try again later.</p></body>",
  "</html>",
  "",
].join("\n");

/** Domo's JSON error body. */
interface ErrorBody {
  status: number;
  statusReason: string;
  message: string;
  toe: string | null;
}

/** A request body as read: the text up to the cap. */
interface Body {
  text: string;
  tooLarge: boolean;
}

/** One request from arrival to its answer (or drop). */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly route: SimRoute;
  /** The URL-decoded parameter of a GET: the type of `accounts`. */
  readonly param: string | null;
  readonly datasourceId: string | null;
  readonly accountId: string | null;
  readonly arrivalMs: number;
  readonly inFlightAtArrival: number;
  status: number | null;
  state: MigrationState | null;
  toe: string | null;
  outcome: RequestOutcome;
  applied: boolean;
  clientClosed: boolean;
  settled: boolean;
}

/** The fault shares' draws for one request, always all taken, in this order, so each knob replays alone. */
interface Draws {
  rate429: number;
  rate5xx: number;
  status5xx: number;
  htmlBody: number;
  dropBefore: number;
  dropAfter: number;
  aborted: number;
}

/**
 * The simulated API behind `node:http`: routing, the fault pipeline, stats and the request log.
 * `start-simulator.ts` owns the server's lifecycle; this owns what a request does.
 *
 * A request's pipeline, in order: read the body; wait while held; wait the latency; mode
 * (maintenance 503 / ip-blocked 303); token (401 / 403); rate limit (429); route (404); drawn
 * 429; drawn 5xx; the datasource's `status-503-once`; body check (400); drop before apply (drawn
 * or `drop-before-apply-once`); decide and apply; drop after apply (drawn or
 * `drop-after-apply-once`); answer 200 with the migration record.
 */
export class SimEngine {
  readonly state: SimState;
  readonly log: RequestLog;
  #fixture: Fixture;
  readonly #now: () => number;
  readonly #nextToe: () => string;
  readonly #latencyRandom: () => number;
  readonly #drawCounts = new Map<string, number>();
  #bucket: TokenBucket | undefined;
  #stats: SimStats;
  #inFlight = 0;
  readonly #holds = new Set<object>();
  #heldWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  readonly #startListeners = new Set<(event: RequestStartEvent) => void>();
  readonly #endListeners = new Set<(entry: RequestLogEntry) => void>();
  readonly #goneListeners = new Set<(event: RequestStartEvent) => void>();

  constructor(
    fixture: Fixture,
    options: { requestLogPath?: string | undefined; now?: (() => number) | undefined },
  ) {
    this.#fixture = fixture;
    this.#now = options.now ?? Date.now;
    this.state = new SimState(fixture, isoWithOffset(this.#now()));
    this.log = new RequestLog(options.requestLogPath);
    // Toes differ between simulators (a journal may outlive one); outcomes depend on the seed only.
    this.#nextToe = createToeGenerator(
      hashParts(fixture.seed, "toe", this.#now(), process.pid, Math.random()),
    );
    this.#latencyRandom = seededRandom(hashParts(fixture.seed, "latency"));
    this.#bucket = this.#makeBucket();
    this.#stats = emptyStats(0);
  }

  fixture(): Fixture {
    return this.#fixture;
  }

  stats(): SimStats {
    return { ...this.#stats, inFlight: this.#inFlight };
  }

  resetStats(): void {
    this.#stats = emptyStats(this.#inFlight);
  }

  update(behaviour: FixtureBehaviour): void {
    const check = checkBehaviour(behaviour, this.#fixture.faults);
    if (!check.ok) {
      throw new FixtureError(
        "(update)",
        check.issues.map((issue) => ({ path: formatFixturePath(issue.path), message: issue.message })),
      );
    }
    const rateLimitChanged = "rateLimit" in check.behaviour;
    this.#fixture = { ...this.#fixture, ...check.behaviour };
    if (rateLimitChanged) this.#bucket = this.#makeBucket();
  }

  hold(): () => void {
    const token = {};
    this.#holds.add(token);
    return () => {
      if (this.#holds.delete(token) && this.#holds.size === 0) this.#releaseHeld();
    };
  }

  /** Lets every held request go, for good: the simulator is closing. */
  releaseAllHolds(): void {
    this.#holds.clear();
    this.#releaseHeld();
  }

  onRequestStart(listener: (event: RequestStartEvent) => void): () => void {
    this.#startListeners.add(listener);
    return () => this.#startListeners.delete(listener);
  }

  onRequestEnd(listener: (entry: RequestLogEntry) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  onClientGone(listener: (event: RequestStartEvent) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  /** Resolves when no API request is in flight. */
  drained(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** The `node:http` request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (path.startsWith(CONTROL_PREFIX)) {
      this.#control(req, res, path).catch((error: unknown) =>
        sendRaw(res, 500, JSON_TYPE, JSON.stringify(errorJson(500, String(error), null))),
      );
      return;
    }
    const x = this.#arrive(req, res, path);
    res.once("close", () => {
      if (x.settled || res.writableFinished) return;
      x.clientClosed = true;
      const event: RequestStartEvent = {
        method: x.method,
        path: x.path,
        route: x.route,
        datasourceId: x.datasourceId,
        inFlight: this.#inFlight,
      };
      for (const listener of this.#goneListeners) callListener(listener, event);
    });
    this.#process(x, req).catch((error: unknown) => {
      // A simulator bug: answer 500 rather than leave the client hanging.
      if (!x.settled)
        this.#sendJson(x, 500, errorJson(500, `simulator error: ${String(error)}`, this.#toe(x)), "answered");
    });
  }

  #arrive(req: IncomingMessage, res: ServerResponse, path: string): Exchange {
    const method = req.method ?? "GET";
    const { route, param, datasourceId, accountId } = classify(method, path);
    this.#inFlight++;
    const stats = this.#stats;
    stats.requests++;
    stats.byRoute[route]++;
    if (this.#inFlight > stats.maxInFlight) stats.maxInFlight = this.#inFlight;
    const x: Exchange = {
      req,
      res,
      method,
      path,
      route,
      param,
      datasourceId,
      accountId,
      arrivalMs: this.#now(),
      inFlightAtArrival: this.#inFlight,
      status: null,
      state: null,
      toe: null,
      outcome: "answered",
      applied: false,
      clientClosed: false,
      settled: false,
    };
    const event: RequestStartEvent = { method, path, route, datasourceId, inFlight: this.#inFlight };
    for (const listener of this.#startListeners) callListener(listener, event);
    return x;
  }

  async #process(x: Exchange, req: IncomingMessage): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      x.clientClosed = true;
      this.#settle(x);
      return;
    }
    if (this.#holds.size > 0) await new Promise<void>((resolve) => this.#heldWaiters.push(resolve));
    const latency = this.#drawLatency(x.route === "migrate" || x.route === "reverse");
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));

    const fixture = this.#fixture;
    if (fixture.mode === "maintenance") {
      this.#send(x, 503, "text/html;charset=UTF-8", MAINTENANCE_PAGE, "maintenance");
      return;
    }
    if (fixture.mode === "ip-blocked") {
      const host = req.headers.host ?? "127.0.0.1";
      this.#send(x, 303, "text/html;charset=UTF-8", "", "ip-blocked", {
        location: `https://${host}/whitelist/blocked`,
      });
      return;
    }
    const token = req.headers["x-domo-developer-token"];
    if (token !== fixture.token) {
      if (fixture.forbiddenToken !== undefined && token === fixture.forbiddenToken) {
        this.#sendJson(
          x,
          403,
          errorJson(
            403,
            "The user of this token is not allowed to migrate Federated datasources.",
            this.#toe(x),
          ),
          "unauthorized",
        );
      } else {
        this.#send(x, 401, "text/plain;charset=UTF-8", "Unauthorized", "unauthorized");
      }
      return;
    }
    if (this.#bucket) {
      const wait = this.#bucket.take();
      if (wait > 0) {
        this.#tooMany(x, wait, "Rate limit exceeded");
        return;
      }
    }
    if (x.route === "other") {
      this.#sendJson(x, 404, errorJson(404, `No API at ${x.method} ${x.path}`, this.#toe(x)), "answered");
      return;
    }

    const draws = this.#draws(x);
    const faults = fixture.faults;
    if (draws.rate429 < faults.rate429) {
      this.#tooMany(x, faults.retryAfterSeconds, "Too many requests (simulated fault)");
      return;
    }
    if (draws.rate5xx < faults.rate5xx) {
      const status = draws.status5xx < 1 / 3 ? 502 : draws.status5xx < 2 / 3 ? 503 : 504;
      this.#gatewayFault(x, status, draws.htmlBody < 0.5);
      return;
    }
    switch (x.route) {
      case "types":
        this.#send(x, 200, JSON_TYPE, this.state.typesJson(), "answered");
        return;
      case "accounts":
        this.#send(x, 200, JSON_TYPE, this.state.accountsJson(x.param ?? ""), "answered");
        return;
      case "candidates": {
        const json = this.state.candidatesJson(x.accountId ?? "");
        if (json === undefined) {
          this.#sendJson(
            x,
            404,
            errorJson(404, `Account ${x.accountId} not found`, this.#toe(x)),
            "answered",
          );
        } else {
          this.#send(x, 200, JSON_TYPE, json, "answered");
        }
        return;
      }
      case "migrate":
        this.#migrate(x, body, draws);
        return;
      case "reverse":
        this.#reverse(x, draws);
        return;
    }
  }

  #migrate(x: Exchange, body: Body, draws: Draws): void {
    const datasourceId = x.datasourceId ?? "";
    const ds = this.state.datasources.get(datasourceId);
    if (ds?.fault === "status-503-once" && !ds.onceFaultSpent) {
      ds.onceFaultSpent = true;
      this.#gatewayFault(x, 503, false);
      return;
    }
    if (body.tooLarge) {
      const message = `The request body is larger than ${MAX_BODY_BYTES} bytes.`;
      this.#sendJson(x, 413, errorJson(413, message, this.#toe(x)), "answered");
      return;
    }
    const target = parseTarget(body.text);
    if (typeof target === "string") {
      this.#sendJson(x, 400, errorJson(400, target, this.#toe(x)), "answered");
      return;
    }
    let dropBefore = draws.dropBefore < this.#fixture.faults.dropBeforeApply;
    if (ds?.fault === "drop-before-apply-once" && !ds.onceFaultSpent) {
      ds.onceFaultSpent = true;
      dropBefore = true;
    }
    if (dropBefore) {
      this.#drop(x, "dropped-before");
      return;
    }
    const decision = this.state.migrate(
      datasourceId,
      x.accountId ?? "",
      target,
      {
        abort: draws.aborted < this.#fixture.faults.aborted,
        incompleteOnceShare: this.#fixture.faults.incompleteOnce,
      },
      isoWithOffset(this.#now()),
    );
    this.#stats.migrateStates[decision.state]++;
    if (decision.applied) this.#stats.migrations++;
    x.applied = decision.applied;
    x.state = decision.state;
    const record = this.#record(x, "V1_TO_V2", decision.state, decision.errorMessage);
    const dropAfterOnce = decision.firstApply && ds?.fault === "drop-after-apply-once";
    if (draws.dropAfter < this.#fixture.faults.dropAfterApply || dropAfterOnce) {
      this.#drop(x, "dropped-after");
      return;
    }
    this.#sendJson(x, 200, record, "answered");
  }

  #reverse(x: Exchange, draws: Draws): void {
    if (draws.dropBefore < this.#fixture.faults.dropBeforeApply) {
      this.#drop(x, "dropped-before");
      return;
    }
    const decision = this.state.reverse(x.datasourceId ?? "");
    this.#stats.reverseStates[decision.state]++;
    if (decision.applied) this.#stats.reversals++;
    x.applied = decision.applied;
    x.state = decision.state;
    const record = this.#record(x, "V2_TO_V1", decision.state, decision.errorMessage);
    if (draws.dropAfter < this.#fixture.faults.dropAfterApply) {
      this.#drop(x, "dropped-after");
      return;
    }
    this.#sendJson(x, 200, record, "answered");
  }

  #record(
    x: Exchange,
    direction: "V1_TO_V2" | "V2_TO_V1",
    state: MigrationState,
    errorMessage: string | null,
  ) {
    return {
      toe: this.#toe(x),
      datasourceId: x.datasourceId,
      direction,
      startTime: isoWithOffset(x.arrivalMs),
      state,
      errorMessage,
      endTime: isoWithOffset(this.#now()),
    };
  }

  #tooMany(x: Exchange, retryAfterSeconds: number, message: string): void {
    this.#sendJson(
      x,
      429,
      errorJson(429, `${message}: retry after ${retryAfterSeconds} s.`, this.#toe(x)),
      "rate-limited",
      { "retry-after": String(retryAfterSeconds) },
    );
  }

  #gatewayFault(x: Exchange, status: number, html: boolean): void {
    if (html) {
      const title = GATEWAY_PAGES[status] ?? String(status);
      const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
      this.#send(x, status, "text/html", page, "fault-5xx");
    } else {
      this.#sendJson(
        x,
        status,
        errorJson(status, "The service is temporarily unavailable (simulated fault).", this.#toe(x)),
        "fault-5xx",
      );
    }
  }

  #sendJson(
    x: Exchange,
    status: number,
    body: unknown,
    outcome: RequestOutcome,
    headers: Record<string, string> = {},
  ): void {
    this.#send(x, status, JSON_TYPE, JSON.stringify(body), outcome, headers);
  }

  #send(
    x: Exchange,
    status: number,
    contentType: string,
    body: string,
    outcome: RequestOutcome,
    headers: Record<string, string> = {},
  ): void {
    x.status = status;
    x.outcome = x.clientClosed || x.res.destroyed ? "client-closed" : outcome;
    // Settle before writing: the log entry exists before the client can see the answer.
    this.#settle(x);
    if (x.outcome === "client-closed") return;
    sendRaw(x.res, status, contentType, body, headers);
  }

  #drop(x: Exchange, outcome: "dropped-before" | "dropped-after"): void {
    x.outcome = outcome;
    this.#settle(x);
    x.req.socket.destroy();
  }

  #settle(x: Exchange): void {
    if (x.settled) return;
    x.settled = true;
    this.#inFlight--;
    const stats = this.#stats;
    const statusKey =
      x.outcome === "dropped-before" || x.outcome === "dropped-after"
        ? "dropped"
        : x.outcome === "client-closed"
          ? "client-closed"
          : String(x.status);
    stats.byStatus[statusKey] = (stats.byStatus[statusKey] ?? 0) + 1;
    stats.byOutcome[x.outcome]++;
    const end = this.#now();
    const entry: RequestLogEntry = {
      t: new Date(end).toISOString(),
      method: x.method,
      path: x.path,
      route: x.route,
      datasourceId: x.datasourceId,
      accountId: x.accountId,
      status: x.outcome === "dropped-before" || x.outcome === "dropped-after" ? null : x.status,
      state: x.state,
      toe: x.toe,
      outcome: x.outcome,
      applied: x.applied,
      inFlight: x.inFlightAtArrival,
      ms: end - x.arrivalMs,
    };
    this.log.append(entry);
    for (const listener of this.#endListeners) callListener(listener, entry);
    if (this.#inFlight === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  #toe(x: Exchange): string {
    x.toe ??= this.#nextToe();
    return x.toe;
  }

  /**
   * Draws keyed by what the request is about and how many such requests came before, so a
   * datasource's n-th POST meets the same faults whatever order concurrency put it in.
   */
  #draws(x: Exchange): Draws {
    const key =
      x.route === "migrate" || x.route === "reverse"
        ? `ds\u0000${x.datasourceId}`
        : `${x.route}\u0000${x.param ?? x.accountId ?? ""}`;
    const count = this.#drawCounts.get(key) ?? 0;
    this.#drawCounts.set(key, count + 1);
    const random = keyedRandom(this.#fixture.seed, key, count);
    return {
      rate429: random(),
      rate5xx: random(),
      status5xx: random(),
      htmlBody: random(),
      dropBefore: random(),
      dropAfter: random(),
      aborted: random(),
    };
  }

  #drawLatency(post: boolean): number {
    const range: LatencyRange =
      (post ? this.#fixture.migrateLatencyMs : undefined) ?? this.#fixture.latencyMs;
    if (range.max <= 0) return 0;
    return range.min + this.#latencyRandom() * (range.max - range.min);
  }

  #makeBucket(): TokenBucket | undefined {
    const limit = this.#fixture.rateLimit;
    return limit ? new TokenBucket(limit.perSecond, limit.burst, this.#now) : undefined;
  }

  #releaseHeld(): void {
    const waiters = this.#heldWaiters;
    this.#heldWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = await readBody(req);
    const route = `${req.method} ${path}`;
    switch (route) {
      case "GET /_sim/stats":
        sendRaw(res, 200, JSON_TYPE, JSON.stringify(this.stats()));
        return;
      case "POST /_sim/reset-stats":
        this.resetStats();
        sendRaw(res, 200, JSON_TYPE, JSON.stringify(this.stats()));
        return;
      case "GET /_sim/state":
        sendRaw(res, 200, JSON_TYPE, JSON.stringify([...this.state.datasources.values()]));
        return;
      case "GET /_sim/requests":
        sendRaw(res, 200, JSON_TYPE, JSON.stringify(this.log.entries()));
        return;
      case "POST /_sim/configure": {
        let behaviour: unknown;
        try {
          behaviour = JSON.parse(body?.text ?? "");
        } catch {
          sendRaw(res, 400, JSON_TYPE, JSON.stringify(errorJson(400, "The body must be JSON.", null)));
          return;
        }
        try {
          this.update(behaviour as FixtureBehaviour);
        } catch (error) {
          if (!(error instanceof FixtureError)) throw error;
          sendRaw(
            res,
            400,
            JSON_TYPE,
            JSON.stringify({ status: 400, message: error.message, issues: error.issues }),
          );
          return;
        }
        sendRaw(res, 200, JSON_TYPE, JSON.stringify({ ok: true }));
        return;
      }
      default:
        sendRaw(
          res,
          404,
          JSON_TYPE,
          JSON.stringify(errorJson(404, `No simulator endpoint at ${route}`, null)),
        );
    }
  }
}

/** Which call a request is; path segments are URL-decoded, an undecodable or empty one is no call. */
function classify(
  method: string,
  path: string,
): { route: SimRoute; param: string | null; datasourceId: string | null; accountId: string | null } {
  const none = { route: "other" as const, param: null, datasourceId: null, accountId: null };
  if (!path.startsWith(`${API_PREFIX}/`)) return none;
  let segments: string[];
  try {
    segments = path
      .slice(API_PREFIX.length + 1)
      .split("/")
      .map(decodeURIComponent);
  } catch {
    return none;
  }
  if (segments.some((segment) => segment === "")) return none;
  const [first, second, third] = segments;
  if (method === "GET") {
    if (segments.length === 1 && first === "types") return { ...none, route: "types" };
    if (segments.length === 2 && first === "accounts")
      return { ...none, route: "accounts", param: second ?? null };
    if (segments.length === 2 && first === "candidates")
      return { ...none, route: "candidates", accountId: second ?? null };
  }
  if (method === "POST") {
    if (segments.length === 3 && second === "accounts") {
      return { ...none, route: "migrate", datasourceId: first ?? null, accountId: third ?? null };
    }
    if (segments.length === 2 && second === "reverse")
      return { ...none, route: "reverse", datasourceId: first ?? null };
  }
  return none;
}

/** The migrate body, or why it is refused (a 400). */
function parseTarget(body: string): Target | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'The request body must be JSON: {"catalog": "…", "schema": "…", "table": "…"}.';
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return 'The request body must be a JSON object: {"catalog": "…", "schema": "…", "table": "…"}.';
  }
  const record = value as Record<string, unknown>;
  const missing = (["catalog", "schema", "table"] as const).filter(
    (field) => typeof record[field] !== "string" || record[field] === "",
  );
  if (missing.length > 0) return `The request body lacks a non-empty string ${missing.join(", ")}.`;
  return {
    catalog: record.catalog as string,
    schema: record.schema as string,
    table: record.table as string,
  };
}

/** Reads the body (kept up to the cap, the rest drained); undefined when the client went away. */
function readBody(req: IncomingMessage): Promise<Body | undefined> {
  if (req.readableEnded) return Promise.resolve({ text: "", tooLarge: false });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once("end", () =>
      resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge: size > MAX_BODY_BYTES }),
    );
    req.once("error", () => resolve(undefined));
    req.once("close", () => {
      if (!req.readableEnded) resolve(undefined);
    });
  });
}

function sendRaw(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Domo's JSON error shape: `{status, statusReason, message, toe}`. */
function errorJson(status: number, message: string, toe: string | null): ErrorBody {
  return { status, statusReason: STATUS_REASONS[status] ?? "Error", message, toe };
}

function emptyStats(inFlight: number): SimStats {
  return {
    requests: 0,
    inFlight,
    maxInFlight: inFlight,
    byRoute: Object.fromEntries(SIM_ROUTES.map((route) => [route, 0])) as Record<SimRoute, number>,
    byStatus: {},
    byOutcome: Object.fromEntries(REQUEST_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
      RequestOutcome,
      number
    >,
    migrations: 0,
    reversals: 0,
    migrateStates: { COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0 },
    reverseStates: { COMPLETE: 0, INCOMPLETE: 0, ABORTED: 0 },
  };
}

/** A listener that throws must not break the request it observes; its error still surfaces. */
function callListener<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
