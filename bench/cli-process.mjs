// How the bench runs things: the built CLI as a user runs it (its own process), the simulator in
// another process, and plain commands (curl, node -e 0), each timed from spawn to exit.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RSS_HOOK = pathToFileURL(fileURLToPath(new URL("./record-max-rss.mjs", import.meta.url))).href;

/** The CLI under test: the built one by default; FEDMIGRATE_BENCH_CLI points at another build. */
export const CLI = path.resolve(ROOT, process.env.FEDMIGRATE_BENCH_CLI ?? "dist/cli.js");

/**
 * Runs a command to its end and times it, spawn to exit. `stdout`/`stderr` are kept in memory
 * unless `discardOutput` (a migrate's JSON logs are large and not needed).
 * @returns {Promise<{code: number|null, signal: string|null, wallMs: number, stdout: string, stderr: string}>}
 */
export function runCommand(command, args, { env = process.env, cwd = ROOT, discardOutput = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ["ignore", discardOutput ? "ignore" : "pipe", discardOutput ? "ignore" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      resolve({ code, signal, wallMs: performance.now() - started, stdout, stderr });
    });
  });
}

/**
 * Runs `fedmigrate ARGS` from the built CLI, timed, with its peak RSS (kilobytes) measured inside
 * the process by `record-max-rss.mjs`. CI=true, as in automation: no progress bar, JSON logs.
 */
export async function runCli(args, { env = {}, cwd = ROOT, discardOutput = false } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-bench-rss-"));
  const rssFile = path.join(dir, "rss");
  try {
    const result = await runCommand(process.execPath, ["--import", RSS_HOOK, CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: "true",
        // The scenarios read the run's events from its log (the first and last POST): JSON lines,
        // as a log collector gets them, not the readable lines stderr carries off a terminal.
        FEDMIGRATE_LOG_FORMAT: "json",
        ...env,
        FEDMIGRATE_BENCH_RSS_FILE: rssFile,
      },
      cwd,
      discardOutput,
    });
    let maxRssKb = null;
    try {
      maxRssKb = Number(readFileSync(rssFile, "utf8"));
    } catch {
      // The process died before its exit hook ran: the figure stays unknown.
    }
    return { ...result, maxRssKb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `fedmigrate simulate --fixture FILE` in its own process, so the client is measured like a
 * real one, and resolves once it prints its URL.
 * @returns {Promise<{url: string, stats(): Promise<any>, close(): Promise<void>}>}
 */
export async function startSimulatorProcess(fixtureFile) {
  const child = spawn(process.execPath, [CLI, "simulate", "--fixture", fixtureFile], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => resolve(line.trim()));
    exited.then((code) =>
      reject(new Error(`the simulator exited (${code}) before printing its URL: ${stderr}`)),
    );
  });
  // Keep reading so that a full pipe never blocks the simulator.
  child.stdout.resume();
  return {
    url,
    async stats() {
      const response = await fetch(`${url}/_sim/stats`);
      return response.json();
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
