import type { IncomingMessage, ServerResponse } from "node:http";
import { parseTarget } from "./classify-request.js";
import { type Draws, drawFaults, gatewayStatus, serverErrorStatus } from "./draw-faults.js";
import {
  checkBehaviour,
  type DatasourceFault,
  type Fixture,
  type FixtureBehaviour,
  formatFixturePath,
  type LatencyRange,
} from "./fixture.js";
import { FixtureError } from "./fixture-error.js";
import { CONTROL_PREFIX, handleControl } from "./handle-control.js";
import { checkHost } from "./request-guard.js";
import { type Exchange, RequestTracker } from "./request-tracker.js";
import { hashParts, seededRandom } from "./seeded-random.js";
import {
  type Body,
  errorJson,
  gatewayPage,
  JSON_TYPE,
  MAINTENANCE_PAGE,
  MAX_BODY_BYTES,
  readBody,
  SIMULATOR_HEADER,
  sendJsonRaw,
  sendRaw,
} from "./sim-http.js";
import { isoWithOffset, type SimDecision, SimState } from "./sim-state.js";
import { createToeGenerator } from "./toe-generator.js";
import { TokenBucket } from "./token-bucket.js";
import type { RequestOutcome } from "./types.js";

/** The `state` of an `unknown-state` answer: one Domo does not document. */
const UNKNOWN_STATE = "PENDING";

/** How a request ended without an answer. */
type Unanswered = "dropped-before" | "dropped-after" | "reset-after" | "hung-before" | "hung-after";

/**
 * The simulated API behind `node:http`: routing, the fault pipeline, stats and the request log.
 * `start-simulator.ts` owns the server's lifecycle; this owns what a request does.
 *
 * Every request: the `Host` check (421); every answer carries `x-fedmigrate-simulator: 1`.
 * An API request's pipeline, in order: read the body; wait while held; wait the latency; mode
 * (maintenance 503 / ip-blocked 303); token (401 / 403, and 401 once revoked after
 * `revokeTokenAfter`); rate limit (429); route (404); drawn 429; drawn 5xx; the datasource's
 * `status-503-once`; unknown ids (404 with `unknownIds: not-found`); body check (400); drop or
 * hang before apply (drawn or `-once`); decide and apply; then drop, reset, hang, 5xx or
 * unknown state after apply (drawn, or the datasource's `-once` fault on its first applied
 * migrate); else answer 200 with the migration record.
 */
export class SimEngine {
  readonly state: SimState;
  readonly requests: RequestTracker;
  #fixture: Fixture;
  readonly #now: () => number;
  readonly #nextToe: () => string;
  readonly #latencyRandom: () => number;
  readonly #drawCounts = new Map<string, number>();
  #bucket: TokenBucket | undefined;
  /** API requests that presented the token since `revokeTokenAfter` was set. */
  #tokenUses = 0;
  #ownHosts: ReadonlySet<string> = new Set();

  constructor(
    fixture: Fixture,
    options: { requestLogPath?: string | undefined; now?: (() => number) | undefined },
  ) {
    this.#fixture = fixture;
    this.#now = options.now ?? Date.now;
    this.state = new SimState(fixture, isoWithOffset(this.#now()));
    this.requests = new RequestTracker(options.requestLogPath, this.#now);
    // Toes differ between simulators (a journal may outlive one); outcomes depend on the seed only.
    this.#nextToe = createToeGenerator(
      hashParts(fixture.seed, "toe", this.#now(), process.pid, Math.random()),
    );
    this.#latencyRandom = seededRandom(hashParts(fixture.seed, "latency"));
    this.#bucket = this.#makeBucket();
  }

  /** The `Host` values to answer (its own address and port), known once it listens. */
  listeningAs(hosts: ReadonlySet<string>): void {
    this.#ownHosts = hosts;
  }

  fixture(): Fixture {
    return this.#fixture;
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
    if ("revokeTokenAfter" in check.behaviour) this.#tokenUses = 0;
    this.#fixture = { ...this.#fixture, ...check.behaviour };
    if (rateLimitChanged) this.#bucket = this.#makeBucket();
  }

  /** The `node:http` request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader(SIMULATOR_HEADER, "1");
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    const misdirected = checkHost(req, this.#ownHosts);
    if (misdirected) {
      // Not an API request: not counted, not logged (a web page's probe, not the run's traffic).
      req.resume();
      sendJsonRaw(res, misdirected.status, errorJson(misdirected.status, misdirected.message, null));
      return;
    }
    if (path.startsWith(CONTROL_PREFIX)) {
      const target = {
        stats: () => this.requests.stats(),
        resetStats: () => this.requests.resetStats(),
        datasources: () => this.state.datasources.values(),
        requests: () => this.requests.log.entries(),
        update: (behaviour: FixtureBehaviour) => this.update(behaviour),
      };
      handleControl(target, req, res, path, this.#ownHosts).catch((error: unknown) =>
        sendJsonRaw(res, 500, errorJson(500, String(error), null)),
      );
      return;
    }
    const x = this.requests.arrive(req, res, path);
    this.#process(x, req).catch((error: unknown) => {
      // A simulator bug: answer 500 rather than leave the client hanging.
      if (!x.settled)
        this.#sendJson(x, 500, errorJson(500, `simulator error: ${String(error)}`, this.#toe(x)), "answered");
    });
  }

  async #process(x: Exchange, req: IncomingMessage): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      x.clientClosed = true;
      this.requests.settle(x);
      return;
    }
    await this.requests.waitWhileHeld();
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
    if (!this.#checkToken(x, req.headers["x-domo-developer-token"])) return;
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
      this.#serverError(x, gatewayStatus(draws.status5xx), draws.htmlBody < 0.5, "fault-5xx");
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

  /** The token: 401 (text) for a wrong or revoked one, 403 (JSON) for the fixture's forbidden one. */
  #checkToken(x: Exchange, token: string | string[] | undefined): boolean {
    const fixture = this.#fixture;
    if (token === fixture.token) {
      if (fixture.revokeTokenAfter === undefined) return true;
      this.#tokenUses++;
      if (this.#tokenUses <= fixture.revokeTokenAfter) return true;
    } else if (fixture.forbiddenToken !== undefined && token === fixture.forbiddenToken) {
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
      return false;
    }
    this.#send(x, 401, "text/plain;charset=UTF-8", "Unauthorized", "unauthorized");
    return false;
  }

  /** With `unknownIds: not-found`, a migrate or reverse naming an unknown id is answered 404. */
  #unknownIdNotFound(x: Exchange): boolean {
    if (this.#fixture.unknownIds !== "not-found") return false;
    let message: string | undefined;
    if (!this.state.datasources.has(x.datasourceId ?? "")) {
      message = `Datasource ${x.datasourceId} not found.`;
    } else if (x.route === "migrate" && !this.state.account(x.accountId ?? "")) {
      message = `Account ${x.accountId} not found.`;
    }
    if (message === undefined) return false;
    this.#sendJson(x, 404, errorJson(404, message, this.#toe(x)), "answered");
    return true;
  }

  #migrate(x: Exchange, body: Body, draws: Draws): void {
    const datasourceId = x.datasourceId ?? "";
    const ds = this.state.datasources.get(datasourceId);
    if (ds?.fault === "status-503-once" && !ds.onceFaultSpent) {
      ds.onceFaultSpent = true;
      this.#serverError(x, 503, false, "fault-5xx");
      return;
    }
    if (this.#unknownIdNotFound(x)) return;
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
    const faults = this.#fixture.faults;
    let dropBefore = draws.dropBefore < faults.dropBeforeApply;
    let hangBefore = draws.hangBefore < faults.hangBeforeApply;
    if (ds && !ds.onceFaultSpent) {
      if (ds.fault === "drop-before-apply-once") dropBefore = ds.onceFaultSpent = true;
      if (ds.fault === "hang-before-apply-once") hangBefore = ds.onceFaultSpent = true;
    }
    if (dropBefore) {
      this.#unanswered(x, "dropped-before");
      return;
    }
    if (hangBefore) {
      this.#unanswered(x, "hung-before");
      return;
    }
    // One reading of the clock: the record's endTime is the candidate's migrationDate.
    const decidedAt = isoWithOffset(this.#now());
    const decision = this.state.migrate(
      datasourceId,
      x.accountId ?? "",
      target,
      { abort: draws.aborted < faults.aborted, incompleteOnceShare: faults.incompleteOnce },
      decidedAt,
    );
    this.requests.counters.migrateStates[decision.state]++;
    if (decision.applied) this.requests.counters.migrations++;
    this.#answer(x, "V1_TO_V2", decision, draws, decision.firstApply ? ds?.fault : undefined, decidedAt);
  }

  #reverse(x: Exchange, draws: Draws): void {
    if (this.#unknownIdNotFound(x)) return;
    const faults = this.#fixture.faults;
    if (draws.dropBefore < faults.dropBeforeApply) {
      this.#unanswered(x, "dropped-before");
      return;
    }
    if (draws.hangBefore < faults.hangBeforeApply) {
      this.#unanswered(x, "hung-before");
      return;
    }
    const decision = this.state.reverse(x.datasourceId ?? "", {
      abort: draws.reverseAborted < faults.reverseAborted,
      incompleteOnceShare: faults.reverseIncompleteOnce,
    });
    this.requests.counters.reverseStates[decision.state]++;
    if (decision.applied) this.requests.counters.reversals++;
    this.#answer(x, "V2_TO_V1", decision, draws, undefined, isoWithOffset(this.#now()));
  }

  /**
   * Answers a decided migrate or reverse: the record, unless an after-apply fault (drawn, or the
   * datasource's `-once` fault on its first applied migrate) loses, cuts, stalls, replaces or
   * garbles the answer. The change stands either way.
   */
  #answer(
    x: Exchange,
    direction: "V1_TO_V2" | "V2_TO_V1",
    decision: SimDecision,
    draws: Draws,
    onceFault: DatasourceFault | undefined,
    decidedAt: string,
  ): void {
    x.applied = decision.applied;
    x.state = decision.state;
    const record = {
      toe: this.#toe(x),
      datasourceId: x.datasourceId,
      direction,
      startTime: isoWithOffset(x.arrivalMs),
      state: decision.state as string,
      errorMessage: decision.errorMessage,
      endTime: decidedAt,
    };
    const faults = this.#fixture.faults;
    if (draws.dropAfter < faults.dropAfterApply || onceFault === "drop-after-apply-once") {
      this.#unanswered(x, "dropped-after");
      return;
    }
    if (draws.resetAfter < faults.resetAfterApply || onceFault === "reset-after-apply-once") {
      this.#unanswered(x, "reset-after");
      return;
    }
    if (draws.hangAfter < faults.hangAfterApply || onceFault === "hang-after-apply-once") {
      this.#unanswered(x, "hung-after");
      return;
    }
    const onceStatus = /^status-(\d{3})-after-apply-once$/.exec(onceFault ?? "")?.[1];
    if (draws.status5xxAfter < faults.status5xxAfterApply || onceStatus !== undefined) {
      const status = onceStatus === undefined ? serverErrorStatus(draws.statusAfter) : Number(onceStatus);
      this.#serverError(x, status, draws.htmlAfter < 0.5, "fault-5xx");
      return;
    }
    if (draws.unknownState < faults.unknownState || onceFault === "unknown-state-once") {
      this.#sendJson(x, 200, { ...record, state: UNKNOWN_STATE }, "unknown-state");
      return;
    }
    this.#sendJson(x, 200, record, "answered");
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

  #serverError(x: Exchange, status: number, html: boolean, outcome: RequestOutcome): void {
    if (html) {
      this.#send(x, status, "text/html", gatewayPage(status), outcome);
    } else {
      this.#sendJson(
        x,
        status,
        errorJson(status, "The service is temporarily unavailable (simulated fault).", this.#toe(x)),
        outcome,
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
    this.requests.settle(x);
    if (x.outcome === "client-closed") return;
    sendRaw(x.res, status, contentType, body, headers);
  }

  /** Ends a request without an answer: its connection dropped (FIN), reset (RST), or left hanging. */
  #unanswered(x: Exchange, outcome: Unanswered): void {
    if (outcome === "hung-before" || outcome === "hung-after") {
      this.requests.hang(x, outcome);
      return;
    }
    x.outcome = outcome;
    this.requests.settle(x);
    if (outcome === "reset-after") x.req.socket.resetAndDestroy();
    else x.req.socket.destroy();
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
    return drawFaults(this.#fixture.seed, key, count);
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
}
