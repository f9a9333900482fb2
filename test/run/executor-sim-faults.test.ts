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
import { type ExecuteOptions, type ExecuteResult, executeItems } from "../../src/run/execute-items.js";
import { StopController } from "../../src/run/stop-controller.js";
import type { WorkItem } from "../../src/run/types.js";
import type { DatasourceFault, Fixture, ReverseFault } from "../../src/sim/fixture.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { API, startTestSimulator, type TestSimulator, workItemsOf } from "../helpers/sim.js";
import { aRun } from "../journal/journal-fixtures.js";

/**
 * The executor against the simulator's own faults (issue 14), over real HTTP: the real client,
 * retry policy and rate gate, a SQLite journal file. The ground truth is the simulator's request
 * log and state; no proxy rewrites anything.
 */

let sim: TestSimulator | undefined;
let dir: string | undefined;
let journal: Journal | undefined;
afterEach(async () => {
  journal?.close();
  journal = undefined;
  await sim?.close();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Faults {
  fault?: DatasourceFault;
  reverseFault?: ReverseFault;
}

/** Three datasources (the second one gets `faults`), a journal with one run open. */
async function setUp(faults: Faults = {}, top: Partial<Fixture> = {}) {
  const generated = generateFixture({ count: 3, seed: 11 });
  const target = generated.datasources[1];
  if (!target) throw new Error("no datasource");
  Object.assign(target, faults);
  sim = await startTestSimulator({ ...generated, ...top });
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-exec-sim-"));
  journal = openJournal(path.join(dir, "journal.db"));
  journal.startRun(aRun({ id: "run-1", domain: "sim", startedAt: new Date(0).toISOString() }));
  return { fixture: sim.sim.fixture(), s: sim, j: journal, id: target.id };
}

async function execute(
  s: TestSimulator,
  items: WorkItem[],
  open: Journal,
  options: Partial<ExecuteOptions> = {},
): Promise<ExecuteResult> {
  let ms = 0;
  return executeItems(
    items,
    {
      api: createDomoClient({ baseUrl: `${s.url}${API}`, token: s.token, timeoutMs: 10_000 }),
      journal: open,
      retry: createRetryPolicy({ retries: 3, minDelayMs: 0, gate: new RateGate({ now: () => ms++ }) }),
      now: () => new Date(ms++),
      logger: pino({ level: "silent" }),
    },
    { runId: "run-1", domain: "sim", concurrency: 2, stop: new StopController(), ...options },
  );
}

const postsTo = (s: TestSimulator, direction: Direction, id: string) =>
  s
    .requestLog()
    .filter((e) => e.route === (direction === "V1_TO_V2" ? "migrate" : "reverse") && e.datasourceId === id);

const rowsOf = (j: Journal, id: string, direction: Direction) =>
  j.attemptsOfRun("run-1").filter((r) => r.datasourceId === id && r.direction === direction);

describe("a 5xx after the change was applied (the simulator's own fault)", () => {
  it("migrate, status-502-after-apply-once: COMPLETE from the read-back, one POST", async () => {
    const { fixture, s, j, id } = await setUp({ fault: "status-502-after-apply-once" });
    const result = await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);

    expect(result.outcomes.map((o) => o.outcome)).toEqual(["complete", "complete", "complete"]);
    expect(postsTo(s, "V1_TO_V2", id)).toEqual([
      expect.objectContaining({ status: 502, outcome: "fault-5xx", applied: true }),
    ]);
    expect(result.outcomes.find((o) => o.datasource === id)).toMatchObject({
      attempts: 1,
      state: "COMPLETE",
      httpStatus: 502,
      resolvedBy: "readback",
    });
    expect(rowsOf(j, id, "V1_TO_V2").map((r) => [r.state, r.resolvedBy, r.httpStatus])).toEqual([
      ["COMPLETE", "readback", 502],
    ]);
    expect(s.sim.state().get(id)?.status).toBe("MIGRATED");
  });

  it("reverse, every answer replaced by a 5xx after the change: COMPLETE from the read-back, one POST each", async () => {
    const { fixture, s, j } = await setUp();
    await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);
    s.sim.update({ faults: { status5xxAfterApply: 1 } });
    const result = await execute(s, workItemsOf(fixture, "V2_TO_V1"), j);

    expect(result.outcomes.map((o) => [o.outcome, o.attempts, o.resolvedBy])).toEqual([
      ["complete", 1, "readback"],
      ["complete", 1, "readback"],
      ["complete", 1, "readback"],
    ]);
    for (const ds of fixture.datasources) {
      const posts = postsTo(s, "V2_TO_V1", ds.id);
      expect(posts).toHaveLength(1);
      expect(posts[0]).toMatchObject({ outcome: "fault-5xx", applied: true });
      expect(posts[0]?.status).toBeGreaterThanOrEqual(500);
      expect(s.sim.state().get(ds.id)?.status).toBe("V1");
    }
  });
});

describe("a 404 on a POST (unknownIds: not-found) is final", () => {
  it.each<[string, Direction, "datasource" | "account"]>([
    ["migrate of an unknown datasource", "V1_TO_V2", "datasource"],
    ["migrate to an unknown account", "V1_TO_V2", "account"],
    ["reverse of an unknown datasource", "V2_TO_V1", "datasource"],
  ])("%s: one POST, not retried, the record names the id", async (_, direction, unknown) => {
    const { fixture, s, j } = await setUp({}, { unknownIds: "not-found" });
    if (direction === "V2_TO_V1") await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);
    // The plan refuses unknown ids before any POST; the server changed after it was made.
    const [first, ...rest] = workItemsOf(fixture, direction);
    if (!first) throw new Error("no item");
    const item: WorkItem =
      unknown === "datasource"
        ? { ...first, datasourceId: "00000000-dead-4bee-8000-000000000000" }
        : { ...first, accountId: "999" };
    const result = await execute(s, [item, ...rest], j);

    const outcome = result.outcomes[0];
    const id = unknown === "datasource" ? `datasource ${item.datasourceId}` : "account 999";
    expect(outcome).toMatchObject({ outcome: "failed", attempts: 1, httpStatus: 404, state: "FAILED" });
    expect(outcome?.reason).toMatch(new RegExp(`^Domo does not know ${id}: POST .* 404`));
    expect(postsTo(s, direction, item.datasourceId)).toEqual([
      expect.objectContaining({ status: 404, state: null }),
    ]);
    // No read-back either: a 404 is not ambiguous.
    expect(rowsOf(j, item.datasourceId, direction).map((r) => [r.state, r.resolvedBy])).toEqual([
      ["FAILED", null],
    ]);
    expect(result.outcomes.slice(1).map((o) => o.outcome)).toEqual(["complete", "complete"]);
  });
});

describe("a 200 whose record has a state Domo does not document (unknown-state)", () => {
  it("migrate, unknown-state-once: ambiguous, read back, COMPLETE with one POST and the toe kept", async () => {
    const { fixture, s, j, id } = await setUp({ fault: "unknown-state-once" });
    const result = await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);

    const posts = postsTo(s, "V1_TO_V2", id);
    expect(posts).toEqual([
      expect.objectContaining({ status: 200, outcome: "unknown-state", applied: true }),
    ]);
    const toe = posts[0]?.toe;
    expect(toe).toBeTruthy();
    expect(result.outcomes.find((o) => o.datasource === id)).toMatchObject({
      outcome: "complete",
      attempts: 1,
      state: "COMPLETE",
      httpStatus: 200,
      resolvedBy: "readback",
      toe,
    });
    const rows = rowsOf(j, id, "V1_TO_V2");
    expect(rows.map((r) => [r.state, r.resolvedBy, r.httpStatus, r.toe])).toEqual([
      ["COMPLETE", "readback", 200, toe],
    ]);
    expect(rows[0]?.errorMessage).toMatch(/PENDING.*the candidate list confirms it took effect/);
    expect(s.sim.state().get(id)?.status).toBe("MIGRATED");
  });

  it("reverse, every record PENDING: read back, COMPLETE with one POST each", async () => {
    const { fixture, s, j } = await setUp();
    await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);
    s.sim.update({ faults: { unknownState: 1 } });
    const result = await execute(s, workItemsOf(fixture, "V2_TO_V1"), j);
    expect(result.outcomes.map((o) => [o.outcome, o.attempts, o.resolvedBy])).toEqual([
      ["complete", 1, "readback"],
      ["complete", 1, "readback"],
      ["complete", 1, "readback"],
    ]);
    for (const ds of fixture.datasources) expect(postsTo(s, "V2_TO_V1", ds.id)).toHaveLength(1);
  });
});

describe("a reversal answered INCOMPLETE, whose re-attempt loses its answer", () => {
  it("is read back: the half-reversed datasource was listed migrated, so 'not migrated' confirms the re-attempt", async () => {
    const { fixture, s, j, id } = await setUp({ reverseFault: "incomplete-once" });
    await execute(s, workItemsOf(fixture, "V1_TO_V2"), j);
    // Once the first reversal has ended INCOMPLETE, every answer is lost after the change.
    const stop = s.sim.onRequestEnd((entry) => {
      if (entry.route === "reverse" && entry.datasourceId === id) {
        stop();
        s.sim.update({ faults: { dropAfterApply: 1 } });
      }
    });
    const item = workItemsOf(fixture, "V2_TO_V1").find((i) => i.datasourceId === id) as WorkItem;
    const result = await execute(s, [item], j, { migratedBeforeReversal: new Set([id]) });

    expect(postsTo(s, "V2_TO_V1", id).map((e) => [e.state, e.outcome])).toEqual([
      ["INCOMPLETE", "answered"],
      ["COMPLETE", "dropped-after"],
    ]);
    expect(s.sim.state().get(id)?.status).toBe("V1");
    expect(result.outcomes[0]).toMatchObject({ outcome: "complete", attempts: 2, resolvedBy: "readback" });
    expect(rowsOf(j, id, "V2_TO_V1").map((r) => [r.state, r.resolvedBy])).toEqual([
      ["INCOMPLETE", null],
      ["COMPLETE", "readback"],
    ]);
  });
});
