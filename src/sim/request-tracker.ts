import type { IncomingMessage, ServerResponse } from "node:http";
import type { MigrationState } from "../domo/types.js";
import { classifyRequest } from "./classify-request.js";
import { RequestLog } from "./request-log.js";
import { emptyStats, isUnanswered, statusKey } from "./sim-stats.js";
import type { RequestLogEntry, RequestOutcome, RequestStartEvent, SimRoute, SimStats } from "./types.js";

/** One API request from arrival to its answer (or drop). */
export interface Exchange {
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
  /** Set while the request hangs: the outcome it ends with when its client gives up. */
  hang: "hung-before" | "hung-after" | null;
}

/**
 * The bookkeeping of API requests, apart from what they do: in flight, stats, the request log,
 * listeners, holds, hanging requests, and the wait for none in flight.
 */
export class RequestTracker {
  readonly log: RequestLog;
  readonly #now: () => number;
  #stats: SimStats = emptyStats(0);
  #inFlight = 0;
  readonly #holds = new Set<object>();
  #heldWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  readonly #hung = new Set<Exchange>();
  /** `releaseAll` was called: nothing may hang any more. */
  #closing = false;
  readonly #startListeners = new Set<(event: RequestStartEvent) => void>();
  readonly #endListeners = new Set<(entry: RequestLogEntry) => void>();
  readonly #goneListeners = new Set<(event: RequestStartEvent) => void>();

  constructor(requestLogPath: string | undefined, now: () => number) {
    this.log = new RequestLog(requestLogPath);
    this.#now = now;
  }

  /** The live counters, for the pipeline to count decisions in. */
  get counters(): SimStats {
    return this.#stats;
  }

  stats(): SimStats {
    return { ...this.#stats, inFlight: this.#inFlight };
  }

  resetStats(): void {
    this.#stats = emptyStats(this.#inFlight);
  }

  /** A new request: counted in flight, announced to the start listeners, watched for its client going away. */
  arrive(req: IncomingMessage, res: ServerResponse, path: string): Exchange {
    const method = req.method ?? "GET";
    const { route, param, datasourceId, accountId } = classifyRequest(method, path);
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
      hang: null,
    };
    const event: RequestStartEvent = { method, path, route, datasourceId, inFlight: this.#inFlight };
    for (const listener of this.#startListeners) callListener(listener, event);
    res.once("close", () => this.#clientGone(x));
    return x;
  }

  /** Leaves a request unanswered until its client gives up (or `releaseAll` cuts it). */
  hang(x: Exchange, outcome: "hung-before" | "hung-after"): void {
    if (x.clientClosed || x.res.destroyed) {
      x.outcome = outcome;
      this.settle(x);
      return;
    }
    x.hang = outcome;
    this.#hung.add(x);
    if (this.#closing) x.req.socket.destroy();
  }

  #clientGone(x: Exchange): void {
    if (x.settled || x.res.writableFinished) return;
    x.clientClosed = true;
    const event: RequestStartEvent = {
      method: x.method,
      path: x.path,
      route: x.route,
      datasourceId: x.datasourceId,
      inFlight: this.#inFlight,
    };
    for (const listener of this.#goneListeners) callListener(listener, event);
    if (x.hang) {
      this.#hung.delete(x);
      x.outcome = x.hang;
      this.settle(x);
    }
  }

  /** A request ends: out of flight, counted, logged, announced. Idempotent. */
  settle(x: Exchange): void {
    if (x.settled) return;
    x.settled = true;
    this.#inFlight--;
    const stats = this.#stats;
    const key = statusKey(x.outcome, x.status);
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
    stats.byOutcome[x.outcome]++;
    const end = this.#now();
    const entry: RequestLogEntry = {
      t: new Date(end).toISOString(),
      method: x.method,
      path: x.path,
      route: x.route,
      datasourceId: x.datasourceId,
      accountId: x.accountId,
      status: isUnanswered(x.outcome) ? null : x.status,
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

  hold(): () => void {
    const token = {};
    this.#holds.add(token);
    return () => {
      if (this.#holds.delete(token) && this.#holds.size === 0) this.#releaseHeld();
    };
  }

  /** Resolves at once, or when the last hold is released. */
  waitWhileHeld(): Promise<void> | undefined {
    if (this.#holds.size === 0) return undefined;
    return new Promise<void>((resolve) => this.#heldWaiters.push(resolve));
  }

  /** Lets every held request go, for good, and cuts every hanging one: the simulator is closing. */
  releaseAll(): void {
    this.#closing = true;
    this.#holds.clear();
    this.#releaseHeld();
    for (const x of this.#hung) x.req.socket.destroy();
  }

  /** Resolves when no API request is in flight. */
  drained(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
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

  #releaseHeld(): void {
    const waiters = this.#heldWaiters;
    this.#heldWaiters = [];
    for (const resolve of waiters) resolve();
  }
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
