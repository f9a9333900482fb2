import { type SpawnOptions, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DockerStage, execForm, parseCopy, parseDockerfile } from "./parse-dockerfile.js";

/**
 * What users get, tested as they get it: the Dockerfile's build steps run in a temporary folder
 * (no Docker engine needed), the image's files are assembled from them and run, then the package
 * is packed with `npm pack`, installed from the tarball into an empty project, and the packed CLI
 * runs `--help` and the demo. Slow (two installs that compile better-sqlite3): one install each.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const INSTALL_TIMEOUT_MS = 10 * 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for child npm and CLI processes: npm's lifecycle variables from an outer
 * `npm test` (its prefix, package and script) must not leak into an install elsewhere; where to
 * find Node's headers (the Node 22 leg of .ci/run sets npm_config_nodedir) and the cache may.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const keep = new Set([
    "npm_config_nodedir",
    "npm_config_cache",
    "npm_config_registry",
    "npm_config_userconfig",
  ]);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.has(key.toLowerCase())) continue;
    env[key] = value;
  }
  // The node running this test first on PATH: the packed CLI's `#!/usr/bin/env node` and npm's
  // install scripts then use the same Node (20 or 22) that the suite runs on.
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ""}`;
  return { ...env, CI: "true", NO_COLOR: "1", ...extra };
}

function run(command: string, args: readonly string[], options: SpawnOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a shell command and fails with its output when it exits non-zero. */
async function sh(script: string, cwd: string, env: NodeJS.ProcessEnv = childEnv()): Promise<Run> {
  const result = await run("sh", ["-c", script], { cwd, env });
  if (result.code !== 0) {
    throw new Error(`'${script}' in ${cwd} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Whether this npm has `allowScripts` and `npm install-scripts` (npm 11.16 and later). */
function npmHasAllowScripts(): boolean {
  const version = spawnSync("npm", ["--version"], { encoding: "utf8", env: childEnv() }).stdout.trim();
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 11 || (major === 11 && minor >= 16);
}

/** Folder of a `WORKDIR`/`COPY` destination inside the temporary root that stands for `/`. */
function inRoot(root: string, workdir: string, target: string): string {
  return path.join(root, path.posix.resolve(workdir, target));
}

const stages = parseDockerfile(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
const buildStage = stages[0] as DockerStage;
const runtimeStage = stages.at(-1) as DockerStage;

let tmp: string;
/** Stands for the build stage's `/`. */
let buildRoot: string;
/** The build stage's WORKDIR, once its steps ran. */
let buildDir: string;
/** Stands for the runtime image's `/`. */
let imageRoot: string;
let imageWorkdir = "/";
/** Where the runtime stage copied the app to (its WORKDIR at the COPY lines). */
let imageAppDir = "/";
let tarball: string;
let packedFiles: string[];
/** The empty project the tarball is installed into. */
let app: string;
let installLog = "";

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fedmigrate-pack-"));
  buildRoot = path.join(tmp, "build");
  imageRoot = path.join(tmp, "image");

  // 1. The build stage, step by step, in a folder that stands for its `/`.
  let workdir = "/";
  for (const step of buildStage.instructions) {
    if (step.keyword === "WORKDIR") {
      workdir = path.posix.resolve(workdir, step.args);
      mkdirSync(inRoot(buildRoot, workdir, "."), { recursive: true });
    } else if (step.keyword === "COPY") {
      const copy = parseCopy(step.args);
      const destination = inRoot(buildRoot, workdir, copy.destination);
      for (const source of copy.sources) {
        const from = path.join(ROOT, source);
        const to = copy.destination.endsWith("/")
          ? path.join(destination, path.basename(source))
          : destination;
        cpSync(from, to, { recursive: true });
      }
    } else if (step.keyword === "RUN") {
      // The OS packages (python3, make, g++ for node-gyp) are on this machine already.
      if (/^apt-get /.test(step.args)) continue;
      await sh(step.args, inRoot(buildRoot, workdir, "."));
    } else if (!["ENV", "ARG", "LABEL"].includes(step.keyword)) {
      throw new Error(
        `Dockerfile line ${step.line}: ${step.keyword} in the build stage is not replayed by this test`,
      );
    }
  }
  buildDir = inRoot(buildRoot, workdir, ".");

  // 2. The runtime image's files: what its COPY --from=build lines take.
  for (const step of runtimeStage.instructions) {
    if (step.keyword === "WORKDIR") imageWorkdir = path.posix.resolve(imageWorkdir, step.args);
    if (step.keyword !== "COPY") continue;
    const copy = parseCopy(step.args);
    imageAppDir = imageWorkdir;
    for (const source of copy.sources) {
      cpSync(inRoot(buildRoot, "/", source), inRoot(imageRoot, imageWorkdir, copy.destination), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
  }

  // 3. npm pack of the tree the Dockerfile built (dist is built; the pruned tree has no tsc, so no
  // prepare), with the README the package ships. What `npm publish` would upload.
  cpSync(path.join(ROOT, "README.md"), path.join(buildDir, "README.md"));
  const packed = await sh(
    `npm pack --ignore-scripts --json --pack-destination ${JSON.stringify(tmp)}`,
    buildDir,
  );
  const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, info[0]?.filename ?? "missing.tgz");
  packedFiles = (info[0]?.files ?? []).map((f) => f.path);

  // 4. An empty project installs the tarball. allowScripts: npm 11 warns about, and npm 12 blocks,
  // install scripts that are not allowed; better-sqlite3 needs its own to build its native module.
  app = path.join(tmp, "app");
  mkdirSync(app);
  writeFileSync(
    path.join(app, "package.json"),
    `${JSON.stringify({ name: "packed-cli-check", private: true, allowScripts: { "better-sqlite3": true } }, null, 2)}\n`,
  );
  const install = await sh(
    `npm install --no-audit --no-fund --prefer-offline ${JSON.stringify(tarball)}`,
    app,
  );
  installLog = install.stdout + install.stderr;
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the Dockerfile's build, replayed in a temporary folder", () => {
  it("builds dist/cli.js and keeps no dev dependency", () => {
    expect(existsSync(path.join(buildDir, "dist", "cli.js"))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const dev of Object.keys(pkg.devDependencies)) {
      expect(existsSync(path.join(buildDir, "node_modules", dev)), `${dev} was pruned`).toBe(false);
    }
    for (const dependency of Object.keys(pkg.dependencies)) {
      expect(existsSync(path.join(buildDir, "node_modules", dependency)), `${dependency} is there`).toBe(
        true,
      );
    }
  });

  it("assembles an image whose CLI runs from its own files alone, in production mode", async () => {
    const entry = execForm(runtimeStage.instructions.find((i) => i.keyword === "ENTRYPOINT")?.args ?? "[]");
    expect(entry).toEqual(["fedmigrate"]);
    // The RUN line links the entrypoint to the CLI: that file exists in the image and is executable.
    const link = /ln -s (\S+) (\S+)/.exec(
      runtimeStage.instructions.find((i) => i.keyword === "RUN" && i.args.includes("ln -s"))?.args ?? "",
    );
    expect(link?.[2]).toMatch(/\/fedmigrate$/);
    const cli = inRoot(imageRoot, "/", link?.[1] ?? "/missing");
    expect(statSync(cli).mode & 0o111).not.toBe(0);

    const env = childEnv({
      NODE_ENV: "production",
      FEDMIGRATE_JOURNAL: path.join(tmp, "data", "fedmigrate.db"),
    });
    const help = await run(cli, ["--help"], { cwd: tmp, env });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain("fedmigrate <command>");
    const version = await run(cli, ["--version"], { cwd: tmp, env });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version,
    );
    // better-sqlite3's native module, built in the build stage, loads from the image's files.
    const sqlite = await run(
      process.execPath,
      [
        "-e",
        "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('select 1 as one').get().one)",
      ],
      { cwd: inRoot(imageRoot, imageAppDir, "."), env },
    );
    expect(sqlite.stdout.trim(), sqlite.stderr).toBe("1");
  });
});

describe("the packed package", () => {
  it("holds the built CLI, the example manifests and the README, and no sources or tests", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "package.json",
        // The lock, for global installs: the exact versions CI tested (yaml's internals among them).
        "npm-shrinkwrap.json",
        "README.md",
        "dist/cli.js",
        // Read by the HTML report at run time and inlined into its page.
        "dist/report/html/report-page.js",
        "dist/report/html/report-page.css",
        "manifests/demo/fixture.yaml",
        "manifests/demo/migrations.yaml",
      ]),
    );
    expect(packedFiles.filter((f) => /^(src|test|scripts|\.ci)\//.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith(".map"))).toEqual([]);
  });

  it("installs from the tarball", () => {
    expect(existsSync(path.join(app, "node_modules", ".bin", "fedmigrate")), installLog).toBe(true);
  });

  // npm 11.16 added allowScripts (advisory; npm 12 enforces it): better-sqlite3's build script
  // must be covered, or npm 12 installs it without its native module.
  it.skipIf(!npmHasAllowScripts())("leaves no install script unreviewed under allowScripts", async () => {
    const listed = await sh("npm install-scripts ls", app);
    expect(listed.stdout + listed.stderr).not.toMatch(/better-sqlite3@/);
  });

  it("is importable from a Node script, with its types (the programmatic API)", async () => {
    const script = [
      'import * as fedmigrate from "fedmigrate";',
      "const names = ['migrate', 'rollback', 'apiRuntime', 'loadManifests', 'resolveConfig'];",
      "console.log(names.map((name) => name + ':' + typeof fedmigrate[name]).join(' '));",
    ].join("\n");
    const imported = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: app,
      env: childEnv(),
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.trim()).toBe(
      "migrate:function rollback:function apiRuntime:function loadManifests:function resolveConfig:function",
    );
    const types = readFileSync(path.join(app, "node_modules", "fedmigrate", "dist", "index.d.ts"), "utf8");
    expect(types).toMatch(/export \{ type MigrateOptions, migrate, type RunPorts/);
  });

  it("answers --help through the installed bin link", async () => {
    const help = await run(path.join(app, "node_modules", ".bin", "fedmigrate"), ["--help"], {
      cwd: app,
      env: childEnv(),
    });
    expect(help.code, help.stderr).toBe(0);
    for (const command of ["validate", "plan", "migrate", "rollback", "status", "history", "simulate"]) {
      expect(help.stdout).toContain(`fedmigrate ${command}`);
    }
  });

  it("runs the demo from the manifests it ships: the rerun sends nothing for what is done", async () => {
    const bin = path.join(app, "node_modules", ".bin", "fedmigrate");
    const shipped = path.join(app, "node_modules", "fedmigrate", "manifests", "demo");
    const sim = spawn(bin, ["simulate", "--fixture", path.join(shipped, "fixture.yaml")], {
      cwd: app,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        if (!sim.stdout) return reject(new Error("no stdout"));
        createInterface({ input: sim.stdout }).once("line", (line) => resolve(line.trim()));
        sim.once("exit", (code) => reject(new Error(`the simulator exited ${code} before its URL`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const env = childEnv({
        DOMO_DOMAIN: url,
        DOMO_DEVELOPER_TOKEN: "demo-token",
        FEDMIGRATE_JOURNAL: path.join(app, "demo.db"),
        FEDMIGRATE_RETRY_MIN_MS: "0",
      });
      const manifest = path.join(shipped, "migrations.yaml");
      const cli = (args: string[]) => run(bin, [...args, "--log-level", "warn"], { cwd: app, env });

      const plan = await cli(["plan", manifest, "--json"]);
      expect(JSON.parse(plan.stdout).counts.migrate).toBe(36);

      const first = await cli(["migrate", manifest, "--json"]);
      expect(first.code, first.stderr).toBe(1);
      const firstReport = JSON.parse(first.stdout);
      expect(firstReport.success).toBe(false);
      expect(firstReport.counts.complete).toBe(33);
      const failed = firstReport.items.filter((i: { outcome: string }) => i.outcome !== "complete");
      expect(failed.map((i: { name: string }) => i.name).sort()).toEqual([
        "Inventory Snapshot",
        "Legacy Forecast",
        "Orders",
      ]);
      for (const item of failed) expect(item.toe).toBeTruthy();

      const status = await cli(["status", "--json"]);
      expect(status.code).toBe(0);

      const second = await cli(["migrate", manifest, "--json"]);
      expect(second.code).toBe(1);
      const secondReport = JSON.parse(second.stdout);
      expect(secondReport.counts.skipped).toBe(33);
      expect(secondReport.counts.complete).toBe(0);

      const history = await cli(["history", "--json"]);
      expect(history.code).toBe(0);
      expect(JSON.parse(history.stdout).runs).toHaveLength(2);

      // The HTML report inlines the script and stylesheet the package ships, allowed by their hashes.
      const page = path.join(app, "run.html");
      const report = await cli(["report", "--last", "--html", page]);
      expect(report.code, report.stderr).toBe(0);
      const html = readFileSync(page, "utf8");
      const shippedAsset = (name: string) =>
        readFileSync(path.join(app, "node_modules", "fedmigrate", "dist", "report", "html", name), "utf8");
      expect(html).toContain(`<script>${shippedAsset("report-page.js")}</script>`);
      expect(html).toContain(`<style>${shippedAsset("report-page.css")}</style>`);
      expect(html).toMatch(/script-src &#39;sha256-[A-Za-z0-9+/]+=*&#39;; style-src &#39;sha256-/);
    } finally {
      sim.kill("SIGTERM");
    }
  }, 120_000);
});
