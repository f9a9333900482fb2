// npm run bench: every scenario of issue 7 in one run, against the built CLI (dist/), the
// simulator in a process of its own; writes bench/RESULTS.md. Figures, not a test: it exits 0
// even when a goal is missed or a scenario fails, and says so in the results.
//   FEDMIGRATE_BENCH_CLI=path/to/cli.js   measure another build
//   FEDMIGRATE_BENCH_ONLY=throughput,rate-limit,scale,journal,start-up   a subset
//   FEDMIGRATE_BENCH_OUT=path             write the results elsewhere
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "./cli-process.mjs";
import { goalsOf, renderResults } from "./render-results.mjs";
import { benchJournalSize } from "./scenarios/journal-size.mjs";
import { benchRateLimit } from "./scenarios/rate-limit.mjs";
import { benchScale } from "./scenarios/scale.mjs";
import { benchStartUp } from "./scenarios/start-up.mjs";
import { benchThroughput } from "./scenarios/throughput.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCENARIOS = [
  ["throughput", "1. Throughput", benchThroughput],
  ["rate-limit", "2. Rate limit", benchRateLimit],
  ["scale", "3. Scale", benchScale],
  ["journal", "4. Journal", benchJournalSize],
  ["start-up", "5. Start-up", benchStartUp],
];

const only = process.env.FEDMIGRATE_BENCH_ONLY?.split(",").map((id) => id.trim());
const out = path.resolve(ROOT, process.env.FEDMIGRATE_BENCH_OUT ?? "bench/RESULTS.md");
const load = () => os.loadavg()[0].toFixed(2);
const startedAt = new Date().toISOString();
const loadStart = load();
const began = performance.now();

const results = [];
for (const [id, title, bench] of SCENARIOS) {
  if (only && !only.includes(id)) continue;
  process.stderr.write(`bench: ${title}…\n`);
  const scenarioStart = performance.now();
  try {
    results.push(await bench());
  } catch (error) {
    results.push({
      id,
      title,
      commands: [],
      figures: {},
      error: error instanceof Error ? error.message : String(error),
    });
  }
  process.stderr.write(
    `bench: ${title} done in ${((performance.now() - scenarioStart) / 1000).toFixed(1)} s\n`,
  );
}

const machine = {
  cpuCount: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGb: (os.totalmem() / 1024 ** 3).toFixed(1),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  loadStart,
  loadEnd: load(),
  build: describeBuild(),
};
const totalMs = performance.now() - began;
const text = renderResults({
  results,
  machine,
  command: process.env.npm_lifecycle_event === "bench" ? "npm run bench" : `node bench/run-bench.mjs`,
  startedAt,
  totalMs,
  notes: process.env.FEDMIGRATE_BENCH_NOTE ? [process.env.FEDMIGRATE_BENCH_NOTE, ""] : [],
});
writeFileSync(out, text);
formatMarkdown(out);
for (const [goal, figure, verdict] of goalsOf(Object.fromEntries(results.map((r) => [r.id, r])))) {
  process.stderr.write(`${verdict.replaceAll("*", "").padEnd(8)} ${goal}: ${figure}\n`);
}
process.stderr.write(
  `bench: wrote ${path.relative(process.cwd(), out)} in ${(totalMs / 1000).toFixed(0)} s\n`,
);

/** The CLI measured and the commit it was built from (read only: git is never changed here). */
function describeBuild() {
  const cli = path.relative(ROOT, CLI);
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    return `${cli}, built from ${commit}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    return cli;
  }
}

/** Aligns the tables as the repository's formatter does, so `npm run lint` passes on the results. */
function formatMarkdown(file) {
  try {
    execFileSync(path.join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", file], {
      cwd: ROOT,
      stdio: "ignore",
    });
  } catch {
    // No formatter here (or it refused the file): the results are right, only less aligned.
  }
}
