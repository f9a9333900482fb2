import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createDomoClient } from "../../src/domo/create-domo-client.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import type { Direction } from "../../src/domo/types.js";
import type { Journal } from "../../src/journal/journal.js";
import { openJournal } from "../../src/journal/open-journal.js";
import { type ExecuteResult, executeItems } from "../../src/run/execute-items.js";
import { StopController } from "../../src/run/stop-controller.js";
import type { WorkItem } from "../../src/run/types.js";
import type { Fixture } from "../../src/sim/fixture.js";
import { type OwnAnswer, type RewriteProxy, startRewriteProxy } from "../chaos/rewrite-proxy.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { API, startTestSimulator, type TestSimulator, workItemsOf } from "../helpers/sim.js";
import { aRun } from "../journal/journal-fixtures.js";

/**
 * The executor over real HTTP: the real client, retry policy and rate gate, a SQLite journal file,
 * the simulator, and a loopback proxy in front of it that lets a POST through and answers a 502
 * in place of the record (the simulator has no such fault), or answers a 404 itself.
 */

let sim: TestSimulator | undefined;
let proxy: RewriteProxy | undefined;
let dir: string | undefined;
let journal: Journal | undefined;
afterEach(async () => {
  journal?.close();
  journal = undefined;
  await proxy?.close();
  proxy = undefined;
  await sim?.close();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const BAD_GATEWAY: OwnAnswer = {
  status: 502,
  contentType: "text/html",
  body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
};

async function setUp(count: number, faults: Partial<Fixture["faults"]> = {}) {
  const fixture = generateFixture({ count, seed: 11, faults });
  sim = await startTestSimulator(fixture);
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-exec-"));
  journal = openJournal(path.join(dir, "journal.db"));
  journal.startRun(aRun({ id: "run-1", domain: "sim", startedAt: new Date(0).toISOString() }));
  return { fixture: sim.sim.fixture(), sim, journal };
}

async function execute(baseUrl: string, items: WorkItem[], open: Journal): Promise<ExecuteResult> {
  let ms = 0;
  return executeItems(
    items,
    {
      api: createDomoClient({ baseUrl: `${baseUrl}${API}`, token: sim?.token ?? "", timeoutMs: 10_000 }),
      journal: open,
      retry: createRetryPolicy({ retries: 3, minDelayMs: 0, gate: new RateGate({ now: () => ms++ }) }),
      now: () => new Date(ms++),
      logger: pino({ level: "silent" }),
    },
    { runId: "run-1", domain: "sim", concurrency: 2, stop: new StopController() },
  );
}

const postsTo = (s: TestSimulator, route: "migrate" | "reverse", id: string) =>
  s.requestLog().filter((e) => e.route === route && e.datasourceId === id).length;

describe.each<["migrate", Direction] | ["reverse", Direction]>([
  ["migrate", "V1_TO_V2"],
  ["reverse", "V2_TO_V1"],
])("%s over HTTP", (route, direction) => {
  it("a 502 after the change was applied ends COMPLETE with one POST, read back from the candidate list", async () => {
    const { fixture, sim: s, journal: j } = await setUp(3);
    if (direction === "V2_TO_V1") {
      const migrated = await execute(s.url, workItemsOf(fixture, "V1_TO_V2"), j);
      expect(migrated.outcomes.every((o) => o.outcome === "complete")).toBe(true);
    }
    const target = fixture.datasources[1]?.id as string;
    let replaced = 0;
    proxy = await startRewriteProxy(
      s.url,
      () => false,
      () => undefined,
      (method, url) =>
        method === "POST" && url.includes(encodeURIComponent(target)) && replaced++ === 0
          ? BAD_GATEWAY
          : undefined,
    );
    const result = await execute(proxy.url, workItemsOf(fixture, direction), j);

    expect(replaced).toBe(1);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(["complete", "complete", "complete"]);
    const outcome = result.outcomes.find((o) => o.datasource === target);
    expect(outcome).toMatchObject({
      attempts: 1,
      state: "COMPLETE",
      httpStatus: 502,
      resolvedBy: "readback",
    });
    expect(outcome?.reason).toMatch(/confirmed by the candidate list after a 502 answer/);
    expect(postsTo(s, route, target)).toBe(1);
    expect(s.sim.state().get(target)?.status).toBe(direction === "V1_TO_V2" ? "MIGRATED" : "V1");
    const rows = j
      .attemptsOfRun("run-1")
      .filter((r) => r.datasourceId === target && r.direction === direction);
    expect(rows.map((r) => [r.state, r.resolvedBy, r.httpStatus])).toEqual([["COMPLETE", "readback", 502]]);
    expect(rows[0]?.errorMessage).toMatch(/502 Bad Gateway.*the candidate list confirms it took effect/);
  });

  it("a 404 is final: not sent again, the record says which id Domo does not know", async () => {
    const { fixture, sim: s, journal: j } = await setUp(2);
    if (direction === "V2_TO_V1") await execute(s.url, workItemsOf(fixture, "V1_TO_V2"), j);
    const target = fixture.datasources[0]?.id as string;
    let answered = 0;
    proxy = await startRewriteProxy(
      s.url,
      () => false,
      (method, url) => {
        if (method !== "POST" || !url.includes(encodeURIComponent(target))) return undefined;
        answered += 1;
        return {
          status: 404,
          contentType: "application/json",
          body: JSON.stringify({ status: 404, message: `DataSource ${target} not found` }),
        };
      },
    );
    const result = await execute(proxy.url, workItemsOf(fixture, direction), j);
    expect(answered).toBe(1);
    const outcome = result.outcomes.find((o) => o.datasource === target);
    expect(outcome).toMatchObject({ outcome: "failed", attempts: 1, httpStatus: 404 });
    expect(outcome?.reason).toMatch(new RegExp(`^Domo does not know datasource ${target}: POST .* 404`));
    expect(result.outcomes.find((o) => o.datasource !== target)?.outcome).toBe("complete");
  });

  it("a connection dropped after the change: read back, COMPLETE, one POST", async () => {
    const { fixture, sim: s, journal: j } = await setUp(2);
    if (direction === "V2_TO_V1") await execute(s.url, workItemsOf(fixture, "V1_TO_V2"), j);
    s.sim.update({ faults: { dropAfterApply: 1 } });
    const result = await execute(s.url, workItemsOf(fixture, direction), j);
    expect(result.outcomes.map((o) => [o.outcome, o.attempts, o.resolvedBy])).toEqual([
      ["complete", 1, "readback"],
      ["complete", 1, "readback"],
    ]);
    for (const ds of fixture.datasources) expect(postsTo(s, route, ds.id)).toBe(1);
  });

  it("a 5xx before the change: read back, sent again, COMPLETE", async () => {
    const { fixture, sim: s, journal: j } = await setUp(2);
    if (direction === "V2_TO_V1") await execute(s.url, workItemsOf(fixture, "V1_TO_V2"), j);
    const target = fixture.datasources[0]?.id as string;
    let failedOnce = false;
    proxy = await startRewriteProxy(
      s.url,
      () => false,
      (method, url) => {
        if (method !== "POST" || !url.includes(encodeURIComponent(target)) || failedOnce) return undefined;
        failedOnce = true;
        return { status: 503, contentType: "text/plain", body: "Service Unavailable" };
      },
    );
    const result = await execute(proxy.url, workItemsOf(fixture, direction), j);
    const outcome = result.outcomes.find((o) => o.datasource === target);
    expect(outcome).toMatchObject({ outcome: "complete", attempts: 2, resolvedBy: null });
    expect(postsTo(s, route, target)).toBe(1);
    const rows = j
      .attemptsOfRun("run-1")
      .filter((r) => r.datasourceId === target && r.direction === direction);
    expect(rows.map((r) => [r.state, r.resolvedBy])).toEqual([
      ["FAILED", "readback"],
      ["COMPLETE", null],
    ]);
  });
});
