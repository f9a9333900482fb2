import { request as httpRequest } from "node:http";
import type { Direction } from "../../src/domo/types.js";
import type { WorkItem } from "../../src/run/types.js";
import type { Fixture, FixtureInput } from "../../src/sim/fixture.js";
import { loadFixture } from "../../src/sim/load-fixture.js";
import { startSimulator } from "../../src/sim/start-simulator.js";
import type { RequestLogEntry, SimStats, Simulator, StartSimulatorOptions } from "../../src/sim/types.js";

/** The API prefix of SPEC section 1. */
export const API = "/api/query/migration/federated/v1/to/v2";

/** An in-process simulator for a test: real HTTP on 127.0.0.1, a free port. */
export interface TestSimulator {
  /** `http://127.0.0.1:PORT`, usable as `DOMO_DOMAIN`. */
  url: string;
  /** The token the fixture accepts. */
  token: string;
  stats(): SimStats;
  requestLog(): readonly RequestLogEntry[];
  /**
   * Resolves as soon as `predicate(stats())` holds, checked as requests start and end and as
   * clients go away: no polling, no sleeping.
   */
  waitFor(predicate: (stats: SimStats) => boolean): Promise<void>;
  close(): Promise<void>;
  /** The full simulator, for `hold()`, `update()`, `state()`… */
  sim: Simulator;
}

/**
 * Starts a simulator from a fixture object or a fixture YAML file, on port 0.
 * Close it in `afterEach`/`afterAll`.
 */
export async function startTestSimulator(
  fixture: Fixture | FixtureInput | string,
  options: Omit<StartSimulatorOptions, "fixture"> = {},
): Promise<TestSimulator> {
  const loaded = typeof fixture === "string" ? await loadFixture(fixture) : fixture;
  const sim = await startSimulator({ ...options, fixture: loaded, port: options.port ?? 0 });
  return {
    url: sim.url,
    token: sim.fixture().token,
    stats: () => sim.stats(),
    requestLog: () => sim.log(),
    waitFor: (predicate) =>
      new Promise<void>((resolve) => {
        if (predicate(sim.stats())) {
          resolve();
          return;
        }
        const check = () => {
          if (!predicate(sim.stats())) return;
          stopStart();
          stopEnd();
          stopGone();
          resolve();
        };
        const stopStart = sim.onRequestStart(check);
        const stopEnd = sim.onRequestEnd(check);
        const stopGone = sim.onClientGone(check);
      }),
    close: () => sim.close(),
    sim,
  };
}

/** What a raw call got: a response, or the connection dropped unanswered. */
export type CallResult =
  | { dropped: false; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  | { dropped: true; error: string };

/**
 * One raw HTTP call (node:http, a fresh connection): sees every status, header and body as sent,
 * and a dropped connection as `{ dropped: true }` rather than an exception.
 */
export function call(
  baseUrl: string,
  method: "GET" | "POST",
  path: string,
  options: { token?: string | undefined; body?: string; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method,
        agent: false,
        headers: {
          accept: "application/json",
          ...(options.token === undefined ? {} : { "X-DOMO-Developer-Token": options.token }),
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            dropped: false,
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", (error) => resolve({ dropped: true, error: String(error) }));
      },
    );
    req.on("error", (error) => resolve({ dropped: true, error: String(error) }));
    req.end(options.body);
  });
}

/** A call that must be answered: its status and parsed JSON body (or text when not JSON). */
export async function callJson(
  baseUrl: string,
  method: "GET" | "POST",
  path: string,
  options: { token?: string | undefined; body?: string } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}> {
  const result = await call(baseUrl, method, path, options);
  if (result.dropped) throw new Error(`${method} ${path}: connection dropped (${result.error})`);
  let body: unknown = result.text;
  try {
    body = JSON.parse(result.text);
  } catch {
    // not JSON: the text it is
  }
  return { status: result.status, headers: result.headers, body, text: result.text };
}

/** One work item per datasource of the fixture, to the last account of its type the fixture lists. */
export function workItemsOf(fixture: Fixture, direction: Direction): WorkItem[] {
  const accountOf = new Map(fixture.accounts.map((a) => [a.type, a.id]));
  return fixture.datasources.map((ds) => ({
    datasourceId: ds.id,
    name: ds.name,
    accountId: accountOf.get(ds.type) as string,
    direction,
    target: { catalog: ds.catalog, schema: ds.schema, table: ds.table },
  }));
}
