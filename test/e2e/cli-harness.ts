import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { inject } from "vitest";
import type { Fixture } from "../../src/sim/fixture.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { type GenerateFixtureOptions, generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { captureText, captureTree, testToken } from "../leak/leak-capture.js";

/**
 * The built CLI: end-to-end tests run what users run. The e2e and slow projects build it first
 * when src/ changed (test/helpers/fresh-build.ts); the unit project does not, so spawning it there
 * is refused (see spawnCli).
 */
export const CLI = path.resolve(import.meta.dirname, "../../dist/cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How the CLI's Node is started: options for Node itself, and a command that runs it. */
export interface Launch {
  /** Before the CLI's path, e.g. `["--import", hook]`. */
  nodeArgs?: readonly string[];
  /** A command Node runs under, e.g. `["setpriv", "--reuid", "65534", "--"]`. */
  prefix?: readonly string[];
}

/** Spawns the CLI; `done` resolves when it exits, with everything it printed. */
export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
  launch: Launch = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  if (!inject("freshBuild")) {
    throw new Error(
      "this test spawns dist/cli.js, which only the e2e and slow projects rebuild when src/ changes: " +
        "put its file under test/e2e/ (or name it in vitest.config.ts's e2e or slow list)",
    );
  }
  const [file, ...rest] = [
    ...(launch.prefix ?? []),
    process.execPath,
    ...(launch.nodeArgs ?? []),
    CLI,
    ...args,
  ] as [string, ...string[]];
  const child = spawn(file, rest, {
    cwd,
    // These tests read stderr's events: JSON lines, as a log collector asks for them.
    env: { FEDMIGRATE_LOG_FORMAT: "json", ...env, CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      // For the leak scan (test/leak): everything the CLI printed.
      captureText(`${args[0] ?? "cli"}-stdout`, stdout);
      captureText(`${args[0] ?? "cli"}-stderr`, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
  launch?: Launch,
): Promise<CliResult> {
  return spawnCli(args, env, cwd, launch).done;
}

/** A simulator, a manifest that matches its fixture, and a journal path in a fresh folder. */
export interface Workspace {
  sim: TestSimulator;
  fixture: Fixture;
  dir: string;
  manifest: string;
  journal: string;
  env: NodeJS.ProcessEnv;
  /** Attempts in the journal, read with plain SQL as an operator would. */
  attempts(): JournalAttempt[];
  close(): Promise<void>;
}

export interface JournalAttempt {
  id: number;
  run_id: string;
  datasource_id: string;
  direction: string;
  state: string;
  toe: string | null;
  error_message: string | null;
  http_status: number | null;
  table_name: string | null;
}

export async function makeWorkspace(fixture: Fixture | GenerateFixtureOptions): Promise<Workspace> {
  // A token of its own, so that the leak scan (test/leak) can tell a leak from a fixture constant.
  const token = testToken();
  const fx = "accounts" in fixture ? { ...fixture, token } : generateFixture({ ...fixture, token });
  const sim = await startTestSimulator(fx);
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-e2e-"));
  const manifest = path.join(dir, "migrations.yaml");
  writeFileSync(manifest, fixtureManifest(sim.sim.fixture()));
  const journal = path.join(dir, "fedmigrate.db");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOMO_DOMAIN: sim.url,
    DOMO_DEVELOPER_TOKEN: sim.token,
    FEDMIGRATE_JOURNAL: journal,
    FEDMIGRATE_RETRY_MIN_MS: "0",
  };
  return {
    sim,
    fixture: sim.sim.fixture(),
    dir,
    manifest,
    journal,
    env,
    attempts: () => {
      const db = new Database(journal, { readonly: true, fileMustExist: true });
      try {
        return db.prepare("SELECT * FROM attempts ORDER BY id").all() as JournalAttempt[];
      } finally {
        db.close();
      }
    },
    close: async () => {
      await sim.close();
      captureTree("workspace", dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs the simulator received for each datasource, by route. */
export function postsByDatasource(
  ws: Workspace,
  route: "migrate" | "reverse" = "migrate",
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of ws.sim.requestLog()) {
    if (entry.route !== route || !entry.datasourceId) continue;
    counts.set(entry.datasourceId, (counts.get(entry.datasourceId) ?? 0) + 1);
  }
  return counts;
}

/** Applied changes the simulator made for each datasource (its ground truth). */
export function appliedByDatasource(
  ws: Workspace,
  route: "migrate" | "reverse" = "migrate",
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of ws.sim.requestLog()) {
    if (entry.route !== route || !entry.applied || !entry.datasourceId) continue;
    counts.set(entry.datasourceId, (counts.get(entry.datasourceId) ?? 0) + 1);
  }
  return counts;
}
