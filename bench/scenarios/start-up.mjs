// Scenario 5: what the CLI costs before it does anything: `fedmigrate --version` against a bare
// `node -e 0`, runs interleaved so that both see the same load.
import { CLI, runCommand } from "../cli-process.mjs";

/** @param {{ runs?: number }} [options] */
export async function benchStartUp({ runs = 10 } = {}) {
  const ours = [];
  const bare = [];
  for (let i = 0; i < runs; i++) {
    ours.push((await runCommand(process.execPath, [CLI, "--version"])).wallMs);
    bare.push((await runCommand(process.execPath, ["-e", "0"])).wallMs);
  }
  const oursMs = median(ours);
  const bareMs = median(bare);
  return {
    id: "start-up",
    title: `5. Start-up: median of ${runs}`,
    commands: ["fedmigrate --version", "node -e 0"],
    figures: { runs, oursMs, bareMs, ratio: oursMs / bareMs },
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
