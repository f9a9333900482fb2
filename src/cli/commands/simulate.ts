import type { Argv } from "yargs";
import { UsageError } from "../../errors.js";
import { plural } from "../../report/plural.js";
import type { CliIo } from "../context.js";
import { defineCommand, type GlobalOptionArgs } from "../define-command.js";

export interface SimulateArgs {
  fixture: string;
  port: number;
  requestLog?: string;
  seed?: number;
}

/** `simulate`'s options. */
const simulateOptions = (yargs: Argv<GlobalOptionArgs>) =>
  yargs
    .option("fixture", {
      type: "string",
      demandOption: true,
      description: "Fixture YAML: token, accounts, datasources, latency, faults",
    })
    .option("port", { type: "number", default: 0, description: "Port on 127.0.0.1 (0: a free one)" })
    .option("request-log", { type: "string", description: "Write every request as a JSON line to FILE" })
    .option("seed", { type: "number", description: "Override the fixture's seed (faults replay per seed)" })
    .example("$0 simulate --fixture manifests/demo/fixture.yaml", "Serve the demo instance")
    .example(
      "$0 simulate --fixture fixture.yaml --port 8787 --request-log requests.jsonl",
      "A fixed port, every request logged as a JSON line",
    );

export const simulateCommand = defineCommand({
  command: "simulate",
  describe: "Serve a simulated Domo migration API on loopback, for rehearsals, demos and tests",
  builder: simulateOptions,
  run: async (args, io) => {
    return runSimulate(args, io, untilSignal(io));
  },
});

/**
 * Serves the fixture until `stop` resolves, then closes (the request log flushed) and returns the
 * exit code. The first line of stdout is the base URL and nothing else, so scripts can read it.
 */
export async function runSimulate(args: SimulateArgs, io: CliIo, stop: Promise<unknown>): Promise<number> {
  // yargs' demandOption alone does not stop the handler when main's fail() only records the failure.
  if (typeof args.fixture !== "string" || args.fixture === "") {
    throw new UsageError("simulate needs a fixture: --fixture FILE", {
      hint: "Try: fedmigrate simulate --fixture manifests/demo/fixture.yaml",
    });
  }
  const { resolve } = await import("node:path");
  const { loadFixture } = await import("../../sim/load-fixture.js");
  const { startSimulator } = await import("../../sim/start-simulator.js");
  const fixturePath = resolve(io.cwd, args.fixture);
  const fixture = await loadFixture(fixturePath);
  const requestLogPath = args.requestLog === undefined ? undefined : resolve(io.cwd, args.requestLog);
  const sim = await startSimulator({
    fixture,
    port: args.port,
    ...(requestLogPath === undefined ? {} : { requestLogPath }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
  });
  const served = sim.fixture();
  const types = new Set(served.accounts.map((account) => account.type));
  const latency = served.latencyMs;
  const faulty = served.datasources.filter((ds) => ds.fault !== undefined).length;
  const shares = Object.entries(served.faults)
    .filter(([key, share]) => key !== "retryAfterSeconds" && share > 0)
    .map(([key, share]) => `${key} ${Math.round(share * 1000) / 10}%`);
  io.stdout.write(
    [
      sim.url,
      "Simulated Domo Federated V1 → V2 migration API",
      `  fixture: ${args.fixture} (${plural(types.size, "type", "types")}, ${plural(served.accounts.length, "account", "accounts")}, ${plural(served.datasources.length, "datasource", "datasources")})`,
      `  seed ${served.seed}, latency ${latency.min === latency.max ? latency.min : `${latency.min}–${latency.max}`} ms, mode ${served.mode}; token: as in the fixture`,
      `  faults: ${shares.length > 0 ? shares.join(", ") : "none drawn"}; ${faulty} datasource${faulty === 1 ? "" : "s"} with a set fault${served.rateLimit ? `; rate limit ${served.rateLimit.perSecond}/s` : ""}`,
      ...(requestLogPath === undefined ? [] : [`  request log: ${args.requestLog}`]),
      `  stats: ${sim.url}/_sim/stats`,
      `Use it as the domain: DOMO_DOMAIN=${sim.url}. Stop with Ctrl-C or SIGTERM.`,
      "",
    ].join("\n"),
  );
  await stop;
  await sim.close();
  io.stdout.write(`Stopped after ${plural(sim.stats().requests, "request", "requests")}.\n`);
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM (watched through `io`), then stops watching. */
function untilSignal(io: CliIo): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const unwatch = io.onSignal?.((signal) => {
      unwatch?.();
      resolve(signal);
    });
  });
}
