// Scenario 3: the offline commands on a 50,000-entry manifest: wall time and peak memory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../cli-process.mjs";
import { writeScenario } from "../write-scenario.mjs";

/** @param {{ entries?: number }} [options] */
export async function benchScale({ entries = 50_000 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-bench-scale-"));
  try {
    const { manifestFile } = await writeScenario(dir, { count: entries });
    // An offline plan still needs the instance (the journal is keyed by it); no journal exists yet.
    const env = { DOMO_DOMAIN: "acme.domo.com", FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db") };
    const validate = await runCli(["validate", manifestFile], { env, discardOutput: true });
    const plan = await runCli(["plan", manifestFile, "--offline"], { env, discardOutput: true });
    const shown = (args) => `fedmigrate ${args.join(" ")}`;
    return {
      id: "scale",
      title: `3. Scale: ${entries.toLocaleString("en")}-entry manifest, offline commands (stdout to /dev/null)`,
      commands: [shown(["validate", "migrations.yaml"]), shown(["plan", "migrations.yaml", "--offline"])],
      figures: {
        validateMs: validate.wallMs,
        validateExit: validate.code,
        validateMaxRssKb: validate.maxRssKb,
        planMs: plan.wallMs,
        planExit: plan.code,
        planMaxRssKb: plan.maxRssKb,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
