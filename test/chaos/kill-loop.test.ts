import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/sim/seeded-random.js";
import { type CliResult, makeWorkspace, runCli, spawnCli, type Workspace } from "../e2e/cli-harness.js";
import {
  checkAfterRun,
  faultsInjected,
  isErrorView,
  LONG,
  reportOf,
  seedsFrom,
  totalFaults,
} from "./chaos-workspace.js";
import { serverStatuses } from "./invariants.js";

/**
 * Issue 8, the kill loop: `migrate` on 200 entries with latency and light faults, killed with
 * SIGKILL at a moment drawn from the seed (the n-th request event the simulator sees: a request
 * arriving, or one ending, which is just before its answer reaches the client), again on the rerun
 * (which is then resolving what the first left in flight), then run to completion. After every
 * kill and every run the invariants hold. A failing seed is in the test's name and its message;
 * replay it with FEDMIGRATE_KILL_SEEDS=<seed>.
 */
const ENTRIES = 200;
/** Kills per seed: the first run, then the rerun that resolves what it left. */
const KILLS_PER_SEED = 2;
const SEEDS = seedsFrom("FEDMIGRATE_KILL_SEEDS", LONG ? range(1, 10) : [1, 2, 3]);
const MAX_RUNS = 6;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

const MIGRATE_ARGS = ["--concurrency", "8", "--retries", "4", "--json"];

/**
 * Starts `migrate` and kills it with SIGKILL at the `at`-th request event (arrivals and ends
 * counted together); resolves with the result, and whether the kill came before the run ended.
 */
async function migrateAndKill(w: Workspace, at: number): Promise<{ killed: boolean; result: CliResult }> {
  const { child, done } = spawnCli(["migrate", w.manifest, ...MIGRATE_ARGS], w.env);
  let events = 0;
  const onEvent = () => {
    events += 1;
    if (events === at) child.kill("SIGKILL");
  };
  const stopStart = w.sim.sim.onRequestStart(onEvent);
  const stopEnd = w.sim.sim.onRequestEnd(onEvent);
  if (at === 0) child.kill("SIGKILL");
  try {
    const result = await done;
    return { killed: result.signal === "SIGKILL", result };
  } finally {
    stopStart();
    stopEnd();
  }
}

describe(`kill loop: migrate on ${ENTRIES} entries, SIGKILL at random moments, then to completion`, () => {
  let killsSurvived = 0;

  it.each(SEEDS)(
    "seed %i",
    async (seed) => {
      const replay = `FEDMIGRATE_KILL_SEEDS=${seed}`;
      const random = seededRandom(seed * 7919);
      ws = await makeWorkspace({
        count: ENTRIES,
        seed: 1000 + seed,
        latencyMs: { min: 2, max: 10 },
        migrateLatencyMs: { min: 5, max: 40 },
        faults: {
          rate5xx: 0.05,
          dropAfterApply: 0.02,
          dropBeforeApply: 0.02,
          incompleteOnce: 0.03,
          status5xxAfterApply: 0.02,
          resetAfterApply: 0.02,
          unknownState: 0.01,
        },
      });
      const w = ws;
      const initial = serverStatuses(w.sim.sim.state());

      const kills: number[] = [];
      /** Rows each kill left IN_FLIGHT: what the next run had to resolve from the server. */
      const leftInFlight: number[] = [];
      for (let k = 0; k < KILLS_PER_SEED; k++) {
        // Somewhere in what is left to do: about two events per request still to come.
        const remaining = [...w.sim.sim.state().values()].filter((ds) => ds.status !== "MIGRATED").length;
        const at = Math.floor(random() * (2 * remaining + 10));
        const { killed, result } = await migrateAndKill(w, at);
        if (killed) {
          kills.push(at);
          killsSurvived += 1;
          leftInFlight.push(w.attempts().filter((row) => row.state === "IN_FLIGHT").length);
          checkAfterRun(w, initial, `${replay} (after kill ${k + 1} at event ${at})`, { exact: false });
        } else {
          // The run ended before the drawn moment: it is an ordinary run, held to the same rules.
          const view = reportOf(result, replay);
          checkAfterRun(w, initial, replay, {
            exact: false,
            result,
            report: isErrorView(view) ? undefined : view,
          });
        }
      }

      let final: CliResult | undefined;
      for (let run = 0; run < MAX_RUNS; run++) {
        final = await runCli(["migrate", w.manifest, ...MIGRATE_ARGS], w.env);
        const view = reportOf(final, replay);
        checkAfterRun(w, initial, replay, {
          exact: false,
          result: final,
          report: isErrorView(view) ? undefined : view,
        });
        if (final.code === 0) break;
      }
      expect(final?.code, `migrate did not complete; replay with ${replay}`).toBe(0);
      expect([...w.sim.sim.state().values()].filter((ds) => ds.status !== "MIGRATED")).toEqual([]);
      expect(w.attempts().filter((row) => row.state === "IN_FLIGHT")).toEqual([]);
      // Every datasource was changed from V1 to MIGRATED by one applied COMPLETE migration, or by an
      // INCOMPLETE one and then its re-attempt: never migrated again once MIGRATED (checked above).
      const faults = faultsInjected(w.sim.stats(), w.sim.requestLog());
      console.log(
        JSON.stringify({
          killLoop: { seed, entries: ENTRIES },
          kills,
          leftInFlight,
          faults,
          faultsTotal: totalFaults(faults),
        }),
      );
    },
    120_000,
  );

  it("killed runs were really killed, not left to finish", () => {
    // Each seed draws its moments within the work left, so most kills land mid-run.
    expect(killsSurvived).toBeGreaterThanOrEqual(Math.ceil((SEEDS.length * KILLS_PER_SEED) / 2));
    console.log(JSON.stringify({ killsSurvived, seeds: SEEDS.length }));
  });
});
