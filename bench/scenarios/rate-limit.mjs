// Scenario 2: a server that takes R requests a second (a token bucket answering 429 with
// Retry-After): how close a run comes to N/R, and how often it is told to slow down.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli, startSimulatorProcess } from "../cli-process.mjs";
import { writeScenario } from "../write-scenario.mjs";

/** @param {{ entries?: number, perSecond?: number, latencyMs?: number, concurrency?: number }} [options] */
export async function benchRateLimit({
  entries = 1000,
  perSecond = 50,
  latencyMs = 50,
  concurrency = 16,
} = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-bench-rate-"));
  try {
    const { fixture, fixtureFile, manifestFile } = await writeScenario(dir, {
      count: entries,
      latencyMs,
      rateLimit: { perSecond },
    });
    const idealMs = (entries / perSecond) * 1000;
    const args = ["migrate", manifestFile, "--concurrency", String(concurrency)];
    const sim = await startSimulatorProcess(fixtureFile);
    let run;
    let stats;
    try {
      run = await runCli(args, {
        env: {
          DOMO_DOMAIN: sim.url,
          DOMO_DEVELOPER_TOKEN: fixture.token,
          FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
        },
        discardOutput: true,
      });
      stats = await sim.stats();
    } finally {
      await sim.close();
    }
    const rateLimited = stats.byStatus["429"] ?? 0;
    return {
      id: "rate-limit",
      title: `2. Rate limit: ${entries} entries, ${perSecond} requests/s (burst ${perSecond}), latency ${latencyMs} ms, concurrency ${concurrency}`,
      commands: [`fedmigrate ${args.join(" ").replace(manifestFile, "migrations.yaml")}`],
      figures: {
        idealMs,
        wallMs: run.wallMs,
        exit: run.code,
        overIdeal: run.wallMs / idealMs,
        requests: stats.requests,
        rateLimited,
        rateLimitedShare: rateLimited / stats.requests,
        migrations: stats.migrations,
        maxInFlight: stats.maxInFlight,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
