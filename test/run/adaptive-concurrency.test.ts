import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createDomoClient } from "../../src/domo/create-domo-client.js";
import { RateGate } from "../../src/domo/rate-gate.js";
import { createRetryPolicy } from "../../src/domo/retry-policy.js";
import { openJournal } from "../../src/journal/open-journal.js";
import { executeItems } from "../../src/run/execute-items.js";
import { StopController } from "../../src/run/stop-controller.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { API, startTestSimulator, type TestSimulator, workItemsOf } from "../helpers/sim.js";
import { aRun } from "../journal/journal-fixtures.js";

/**
 * The executor against a real simulator that rate-limits (a token bucket answering 429 with
 * Retry-After), through the real client, retry policy and rate gate: the number of requests it
 * keeps in flight follows what the gate learns from the 429s, instead of staying at
 * --concurrency and hammering. Counts only, never times.
 */

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ENTRIES = 300;
const CONCURRENCY = 16;

describe("executeItems under a server rate limit", () => {
  it("keeps fewer than --concurrency requests in flight once the gate has learnt the rate, with few 429s", async () => {
    // 150 requests/s at 50 ms each sustain about 8 at once: 16 would be answered 429 over and over.
    // A burst of 8, not 15: on a loaded machine a first cohort of 16 trickles in slowly enough
    // for a bucket of 15 to refill, and no 429 came at all.
    const fixture = generateFixture({
      count: ENTRIES,
      seed: 5,
      latencyMs: 50,
      rateLimit: { perSecond: 150, burst: 8 },
    });
    sim = await startTestSimulator(fixture);
    const items = workItemsOf(fixture, "V1_TO_V2");

    // In flight at the server as each request arrives, once half the entries are done: by then the
    // first cohort (sent before any 429 was seen) and its retries are long over.
    let inFlight = 0;
    let answered = 0;
    let steadyPeak = 0;
    sim.sim.onRequestStart(() => {
      inFlight += 1;
      if (answered >= ENTRIES / 2) steadyPeak = Math.max(steadyPeak, inFlight);
    });
    sim.sim.onRequestEnd((entry) => {
      inFlight -= 1;
      if (entry.status === 200) answered += 1;
    });

    const journal = openJournal(":memory:");
    journal.startRun(aRun({ id: "run-1", domain: "sim", startedAt: new Date().toISOString() }));
    const gate = new RateGate({ now: Date.now });
    const result = await executeItems(
      items,
      {
        api: createDomoClient({ baseUrl: `${sim.url}${API}`, token: sim.token, timeoutMs: 30_000 }),
        journal,
        retry: createRetryPolicy({ retries: 10, minDelayMs: 0, maxDelayMs: 0, gate }),
        now: () => new Date(),
        logger: pino({ level: "silent" }),
      },
      { runId: "run-1", domain: "sim", concurrency: CONCURRENCY, stop: new StopController() },
    );
    journal.close();

    const stats = sim.stats();
    const limited = stats.byStatus["429"] ?? 0;
    expect(result.outcomes.every((o) => o.outcome === "complete")).toBe(true);
    expect(stats.migrations).toBe(ENTRIES);
    // The first cohort went out at full --concurrency, before the server had said anything.
    expect(stats.maxInFlight).toBe(CONCURRENCY);
    expect(gate.concurrencyLimit()).toBeLessThan(CONCURRENCY);
    expect(steadyPeak).toBeGreaterThan(0);
    expect(steadyPeak).toBeLessThan(CONCURRENCY);
    // With a fixed 16 at once this server answers about one request in five with 429.
    expect(limited / stats.requests).toBeLessThanOrEqual(0.05);
  }, 60_000);
});
