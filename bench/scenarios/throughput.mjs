// Scenario 1: how close a migrate run comes to what Domo allows, and to an operator's own
// `xargs -P 16 curl` of the same 2000 POSTs (no journal, no plan, no retries).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, runCommand, startSimulatorProcess } from "../cli-process.mjs";
import { manifestItems, writeScenario } from "../write-scenario.mjs";

const BARE_CLIENT = fileURLToPath(new URL("../bare-client.mjs", import.meta.url));
const BARE_KY_CLIENT = fileURLToPath(new URL("../bare-ky-client.mjs", import.meta.url));

const API = "/api/query/migration/federated/v1/to/v2";
// The seed's headers (docs/domo-federated-v1-to-v2-migration-api.md), the token aside.
const SEED_HEADERS = [
  "content-type: application/json",
  "accept: application/json,*/*;q=0.8",
  "accept-language: en-US,en;q=0.9",
  "cache-control: max-age=0",
];

/** @param {{ entries?: number, latencyMs?: number, concurrency?: number }} [options] */
export async function benchThroughput({ entries = 2000, latencyMs = 50, concurrency = 16 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-bench-throughput-"));
  try {
    const { fixture, fixtureFile, manifestFile } = await writeScenario(dir, { count: entries, latencyMs });
    const idealMs = Math.ceil(entries / concurrency) * latencyMs;
    const migrateArgs = ["migrate", manifestFile, "--concurrency", String(concurrency)];

    const sim = await startSimulatorProcess(fixtureFile);
    let ours;
    let oursStats;
    const spawnedAt = Date.now();
    try {
      ours = await runCli(migrateArgs, {
        env: {
          DOMO_DOMAIN: sim.url,
          DOMO_DEVELOPER_TOKEN: fixture.token,
          FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
        },
      });
      oursStats = await sim.stats();
    } finally {
      await sim.close();
    }
    const phases = phasesOf(ours.stderr, spawnedAt, latencyMs);

    // The same POSTs by curl, on a fresh simulator: the first one changed its state.
    const fresh = await startSimulatorProcess(fixtureFile);
    let curl;
    let curlStats;
    const argsFile = path.join(dir, "curl-args.txt");
    writeFileSync(argsFile, curlArgLines(fixture, fresh.url));
    const header = (h) => `-H '${h}'`;
    const curlCommand = (token) =>
      `xargs -P ${concurrency} -n 3 curl -s -o /dev/null -X POST ${[...SEED_HEADERS, `X-DOMO-Developer-Token: ${token}`].map(header).join(" ")} < ${argsFile}`;
    try {
      curl = await runCommand("sh", ["-c", curlCommand(fixture.token)], { discardOutput: true });
      curlStats = await fresh.stats();
    } finally {
      await fresh.close();
    }

    // The references, each on a fresh simulator: the least any Node client could do with the same
    // POSTs (node:http), and the least a client on fedmigrate's stack (ky over fetch) could.
    const bareRun = async (client) => {
      const sim = await startSimulatorProcess(fixtureFile);
      try {
        writeFileSync(argsFile, curlArgLines(fixture, sim.url));
        const run = await runCommand(process.execPath, [client, argsFile, String(concurrency)], {
          env: { PATH: process.env.PATH, FEDMIGRATE_BENCH_TOKEN: fixture.token },
          discardOutput: true,
        });
        return { run, stats: await sim.stats() };
      } finally {
        await sim.close();
      }
    };
    const { run: bare, stats: bareStats } = await bareRun(BARE_CLIENT);
    const { run: bareKy, stats: bareKyStats } = await bareRun(BARE_KY_CLIENT);

    return {
      id: "throughput",
      title: `1. Throughput: ${entries} entries, latency ${latencyMs} ms, concurrency ${concurrency}`,
      commands: [
        `fedmigrate ${migrateArgs.join(" ").replace(manifestFile, "migrations.yaml")}`,
        curlCommand("{developer-token}").replace(argsFile, "curl-args.txt"),
        `node bench/bare-client.mjs curl-args.txt ${concurrency}`,
        `node bench/bare-ky-client.mjs curl-args.txt ${concurrency}`,
      ],
      figures: {
        idealMs,
        oursMs: ours.wallMs,
        oursExit: ours.code,
        oursRatio: idealMs / ours.wallMs,
        oursMaxRssKb: ours.maxRssKb,
        oursRequests: oursStats.requests,
        oursMigrations: oursStats.migrations,
        oursMaxInFlight: oursStats.maxInFlight,
        curlMs: curl.wallMs,
        curlExit: curl.code,
        curlRatio: idealMs / curl.wallMs,
        curlRequests: curlStats.requests,
        curlMigrations: curlStats.migrations,
        curlMaxInFlight: curlStats.maxInFlight,
        oursBeforeFirstPostMs: phases?.beforeFirstPostMs,
        oursPostsMs: phases?.postsMs,
        oursAfterLastPostMs: phases ? ours.wallMs - phases.beforeFirstPostMs - phases.postsMs : undefined,
        bareMs: bare.wallMs,
        bareExit: bare.code,
        bareRatio: idealMs / bare.wallMs,
        bareMigrations: bareStats.migrations,
        bareKyMs: bareKy.wallMs,
        bareKyExit: bareKy.code,
        bareKyRatio: idealMs / bareKy.wallMs,
        bareKyMigrations: bareKyStats.migrations,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One `URL -d 'BODY'` line per manifest entry. */
function curlArgLines(fixture, baseUrl) {
  const lines = manifestItems(fixture).map(({ datasource, account, catalog, schema, table }) => {
    const body = JSON.stringify({ catalog, schema, table });
    return `${baseUrl}${API}/${encodeURIComponent(datasource)}/accounts/${encodeURIComponent(account)} -d '${body}'`;
  });
  return `${lines.join("\n")}\n`;
}

/**
 * Where the time of a migrate run went, from its JSON log lines: up to the first POST (start-up,
 * manifest, journal, the plan's GETs), the POSTs, and after the last answer. A POST's start is its
 * answer's log time less the simulator's latency; log times have millisecond resolution.
 */
function phasesOf(stderr, spawnedAt, latencyMs) {
  const done = [];
  for (const line of stderr.split("\n")) {
    if (!line.includes('"migrate.done"')) continue;
    try {
      done.push(Date.parse(JSON.parse(line).time));
    } catch {
      // Not a log line.
    }
  }
  if (done.length === 0) return undefined;
  const firstPost = Math.min(...done) - latencyMs;
  return { beforeFirstPostMs: firstPost - spawnedAt, postsMs: Math.max(...done) - firstPost };
}
