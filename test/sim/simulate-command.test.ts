import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runSimulate } from "../../src/cli/commands/simulate.js";
import type { CliIo } from "../../src/cli/context.js";
import { main } from "../../src/cli/main.js";
import { API, call, callJson } from "../helpers/sim.js";

const ROOT = resolve(".");
const DIST_CLI = join(ROOT, "dist/cli.js");
const URL_LINE = /^http:\/\/127\.0\.0\.1:\d+$/;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-simulate-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An io whose stdout and stderr are captured; `firstLine` resolves when stdout has one. */
function captureIo() {
  let out = "";
  let err = "";
  let onLine: ((line: string) => void) | undefined;
  const firstLine = new Promise<string>((resolveLine) => {
    onLine = resolveLine;
  });
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      const newline = out.indexOf("\n");
      if (newline >= 0) onLine?.(out.slice(0, newline));
      done();
    },
  });
  const stderr = new Writable({
    write(chunk, _encoding, done) {
      err += String(chunk);
      done();
    },
  });
  const io: CliIo = { stdout, stderr, env: {}, cwd: ROOT };
  return { io, firstLine, out: () => out, err: () => err };
}

describe("runSimulate", () => {
  it("prints the base URL first, serves until stopped, then closes with the request log complete", async () => {
    const capture = captureIo();
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolveStop) => {
      stop = resolveStop;
    });
    const logPath = join(dir, "run.jsonl");
    const running = runSimulate(
      { fixture: "manifests/demo/fixture.yaml", port: 0, requestLog: logPath, seed: 1 },
      capture.io,
      stopped,
    );
    const url = await capture.firstLine;
    expect(url).toMatch(URL_LINE);
    expect(capture.out()).toContain("36 datasources");
    expect(capture.out()).toContain("seed 1");
    expect(capture.out()).toContain("token: as in the fixture");
    for (let i = 0; i < 3; i++) await call(url, "GET", `${API}/types`, { token: "demo-token" });
    stop();
    expect(await running).toBe(0);
    const lines = readFileSync(logPath, "utf8").trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).route)).toEqual(["types", "types", "types"]);
    expect(capture.out()).toMatch(/Stopped after 3 requests\.\n$/);
    expect(capture.out()).not.toContain("demo-token");
    expect(await call(url, "GET", `${API}/types`, { token: "demo-token" })).toMatchObject({ dropped: true });
  });
});

describe("fedmigrate simulate through main", () => {
  it.each([
    ["no --fixture", [], /fixture/],
    [
      "a missing fixture file",
      ["--fixture", "nowhere.yaml"],
      /cannot read the simulator fixture .*nowhere\.yaml: ENOENT/,
    ],
    ["an invalid fixture", ["--fixture", "BAD"], /datasources\[0\]\.table: must be a string/],
    [
      "a bad port",
      ["--fixture", "manifests/demo/fixture.yaml", "--port", "99999"],
      /port must be an integer from 0 to 65535/,
    ],
  ])("exits 2 on %s, saying why", async (_what, args, message) => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "token: t\naccounts: []\ndatasources:\n  - { id: a, type: x, catalog: c, schema: s }\n",
    );
    const capture = captureIo();
    const code = await main(["simulate", ...args.map((arg) => (arg === "BAD" ? bad : arg))], capture.io);
    expect(code).toBe(2);
    expect(capture.err()).toMatch(message);
    expect(capture.out()).toBe("");
  });
});

describe.skipIf(!existsSync(DIST_CLI))("the built CLI (node dist/cli.js simulate)", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    child = undefined;
  });

  async function spawnSimulate(
    args: string[],
  ): Promise<{ child: ChildProcess; url: string; rest: Promise<string> }> {
    const proc = spawn(process.execPath, [DIST_CLI, "simulate", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    const lines = createInterface({ input: proc.stdout });
    const iterator = lines[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Error("simulate printed nothing");
    const rest = (async () => {
      let text = "";
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        text += `${next.value}\n`;
      return text;
    })();
    return { child: proc, url: first.value, rest };
  }

  it.each(["SIGTERM", "SIGINT"] as const)(
    "serves the demo fixture; the first stdout line is the URL; %s stops it cleanly with the log flushed",
    async (signal) => {
      const logPath = join(dir, `spawned-${signal}.jsonl`);
      const {
        child: proc,
        url,
        rest,
      } = await spawnSimulate(["--fixture", "manifests/demo/fixture.yaml", "--request-log", logPath]);
      expect(url).toMatch(URL_LINE);
      const types = await callJson(url, "GET", `${API}/types`, { token: "demo-token" });
      expect([200, 502, 503, 504]).toContain(types.status);
      const stats = await callJson(url, "GET", "/_sim/stats");
      expect(stats.body).toMatchObject({ requests: 1, inFlight: 0 });
      const exited = new Promise<number | null>((resolveExit) =>
        proc.once("exit", (code) => resolveExit(code)),
      );
      proc.kill(signal);
      expect(await exited).toBe(0);
      expect(await rest).toMatch(/Stopped after 1 request\./);
      const lines = readFileSync(logPath, "utf8").trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? "")).toMatchObject({ route: "types", status: types.status });
    },
  );

  it("listens on the port asked for", async () => {
    const probe = await callJsonFreePort();
    const { url } = await spawnSimulate([
      "--fixture",
      "manifests/demo/fixture.yaml",
      "--port",
      String(probe),
    ]);
    expect(url).toBe(`http://127.0.0.1:${probe}`);
  });
});

/** A port that was free a moment ago (the OS hands out a fresh ephemeral one). */
async function callJsonFreePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}
