import { execFileSync, type SpawnOptions, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  journalServerMismatches,
  serverSequenceViolations,
  serverStatuses,
  unjournaledRequests,
} from "../chaos/invariants.js";
import {
  CLI,
  type CliResult,
  type JournalAttempt,
  makeWorkspace,
  runCli,
  type Workspace,
} from "../e2e/cli-harness.js";
import { captureText, captureTree } from "../leak/leak-capture.js";

/**
 * Issue 8, journal faults: a journal that is damaged, from a newer fedmigrate, not ours,
 * unwritable, or on a full disk. Every case must end with a clear error and exit 1 (SPEC: a
 * journal failure), send no request without its journal row written first, and leave the file
 * as it was. Real files throughout; a full disk is a tiny tmpfs where this user may mount one
 * (root, as in CI), and a file size limit (`ulimit -f`) everywhere.
 */

const isRoot = process.getuid?.() === 0;

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN); probed once. */
function probeMount(): boolean {
  if (!isRoot) return false;
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const canMount = probeMount();

/** A tmpfs of `size` (mount's syntax: 1m, 256k) at `dir`; `umount` it before removing the folder. */
function mountTmpfs(dir: string, size: string): () => void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  return () => {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      // Still busy (a failed assertion left a handle open): detach it rather than leave it mounted.
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    }
  };
}

/** Makes a file unwritable for this user: immutable for root (whom modes do not stop), 0444 otherwise. */
function makeUnwritable(file: string): () => void {
  if (isRoot) {
    execFileSync("chattr", ["+i", file]);
    return () => execFileSync("chattr", ["-i", file]);
  }
  chmodSync(file, 0o444);
  return () => chmodSync(file, 0o644);
}

const canChattr = (() => {
  if (!isRoot) return true;
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-chattr-probe-"));
  const file = path.join(dir, "probe");
  writeFileSync(file, "");
  try {
    makeUnwritable(file)();
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const FILLER = "filler";

/** Fills the filesystem at `dir` until `leave` bytes are free (as near as its blocks allow). */
function fillDisk(dir: string, leave: number): void {
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  writeFileSync(path.join(dir, FILLER), Buffer.alloc(Math.max(0, free - leave)));
}

/** The attempts of a journal, read with plain SQL as an operator would. */
function attemptsOf(journal: string): JournalAttempt[] {
  const db = new Database(journal, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT * FROM attempts ORDER BY id").all() as JournalAttempt[];
  } finally {
    db.close();
  }
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Runs the built CLI under `ulimit -f BLOCKS` (512-byte blocks): no file it writes may grow past it. */
function runWithFileSizeLimit(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  blocks: number,
): Promise<CliResult> {
  const options: SpawnOptions = {
    // stderr's events are read as JSON lines (see errorMessage), as cli-harness asks for them.
    env: { FEDMIGRATE_LOG_FORMAT: "json", ...env, CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  };
  const child = spawn(
    "sh",
    ["-c", `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, CLI, ...args],
    options,
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      captureText(`${args[0] ?? "cli"}-stdout`, stdout);
      captureText(`${args[0] ?? "cli"}-stderr`, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The operator message of a failed run: its last JSON line on stderr (CI=true: no terminal). */
function errorMessage(result: CliResult): string {
  const lines = result.stderr.split("\n").filter((line) => line.startsWith("{"));
  for (const line of lines.reverse()) {
    const parsed = JSON.parse(line) as { event?: string; msg?: string; hint?: string };
    if (parsed.event === "run.error") return `${parsed.msg ?? ""} ${parsed.hint ?? ""}`;
  }
  return "";
}

function expectNoCrash(result: CliResult): void {
  expect(result.stderr).not.toMatch(/internal error/i);
  expect(result.stderr).not.toMatch(/\\n\s+at |\n\s+at /);
}

const posts = (ws: Workspace) => ws.sim.requestLog().filter((entry) => entry.method === "POST").length;

let ws: Workspace;
/** A journal holding real history: 4 of the 12 datasources migrated. */
let goodJournal: string;
const scratch = mkdtempSync(path.join(tmpdir(), "fedmigrate-journal-faults-"));

beforeAll(async () => {
  ws = await makeWorkspace({ count: 12, seed: 31 });
  goodJournal = ws.journal;
  const first = await runCli(["migrate", ws.manifest, "--limit", "4"], ws.env);
  expect(first.code).toBe(0);
  expect(existsSync(`${goodJournal}-wal`)).toBe(false);
});
afterAll(async () => {
  await ws.close();
  // The damaged and copied journals, for the leak scan.
  captureTree("journal-faults", scratch);
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the good journal, to damage. */
function copyOfJournal(name: string): string {
  const file = path.join(scratch, name);
  copyFileSync(goodJournal, file);
  return file;
}

/** Runs a command on `journal`; checks that it sent no POST and left the file byte for byte. */
async function runUntouched(args: readonly string[], journal: string): Promise<CliResult> {
  const before = sha256(journal);
  const sent = posts(ws);
  const result = await runCli(args, { ...ws.env, FEDMIGRATE_JOURNAL: journal });
  expectNoCrash(result);
  expect(posts(ws), "a request was sent with the journal unusable").toBe(sent);
  expect(sha256(journal), "the journal file was changed").toBe(before);
  return result;
}

const PAGE = 4096;

describe("a damaged journal is refused as it is: exit 1, nothing sent, the file unchanged", () => {
  const damages: [string, (file: string) => void][] = [
    ["garbage", (file) => writeFileSync(file, Buffer.alloc(8 * PAGE, 0x41))],
    ["truncated to half", (file) => truncateSync(file, Math.floor(statSync(file).size / PAGE / 2) * PAGE)],
    ["only its header", (file) => truncateSync(file, 100)],
    [
      "random bytes over its pages",
      (file) => {
        const size = statSync(file).size;
        const fd = openSync(file, "r+");
        for (let offset = PAGE; offset < size; offset += 3 * PAGE + 517) {
          writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), 0, 6, offset);
        }
        closeSync(fd);
      },
    ],
  ];

  it.each(damages)("%s: migrate, rollback, plan, status and history", async (name, damage) => {
    const journal = copyOfJournal(`${name.replaceAll(" ", "-")}.db`);
    damage(journal);
    for (const args of [
      ["migrate", ws.manifest],
      ["rollback", "--all"],
    ]) {
      const result = await runUntouched(args, journal);
      expect(result.code, `${args[0]} on a journal with ${name}`).toBe(1);
      expect(errorMessage(result)).toMatch(
        /corrupt|not a readable fedmigrate journal|malformed|not a SQLite/i,
      );
    }
    // Readers may read what is readable; they never crash or write.
    for (const args of [["plan", ws.manifest, "--offline"], ["status"], ["history"]]) {
      const result = await runUntouched(args, journal);
      expect([0, 1], `${args[0]} on a journal with ${name}`).toContain(result.code);
    }
  });

  it("one damaged page, wherever it is, is found before anything is written", async () => {
    const pages = statSync(goodJournal).size / PAGE;
    expect(pages).toBeGreaterThan(5);
    // Page 1 holds the header and the schema: damaging it is the "garbage" case above.
    for (let page = 1; page < pages; page++) {
      const journal = copyOfJournal(`page-${page}.db`);
      const fd = openSync(journal, "r+");
      writeSync(fd, Buffer.alloc(PAGE, 0x5a), 0, PAGE, page * PAGE);
      closeSync(fd);
      const result = await runUntouched(["migrate", ws.manifest, "--limit", "1"], journal);
      expect(result.code, `page ${page + 1} damaged`).toBe(1);
      expect(errorMessage(result), `page ${page + 1} damaged`).toMatch(
        /corrupt|not a readable fedmigrate journal/i,
      );
    }
  });
});

describe("a journal this fedmigrate cannot use is left unchanged: exit 1, nothing sent", () => {
  it("written by a newer fedmigrate (a higher schema version)", async () => {
    const journal = copyOfJournal("newer.db");
    const db = new Database(journal);
    db.pragma("user_version = 99");
    db.close();
    for (const args of [
      ["migrate", ws.manifest],
      ["rollback", "--all"],
      ["plan", ws.manifest, "--offline"],
      ["status"],
    ]) {
      const result = await runUntouched(args, journal);
      expect(result.code, args[0]).toBe(1);
      expect(errorMessage(result)).toContain("newer fedmigrate (schema version 99");
    }
  });

  it("another application's SQLite database", async () => {
    const journal = path.join(scratch, "foreign.db");
    const db = new Database(journal);
    db.exec(
      "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
    );
    db.close();
    for (const args of [["migrate", ws.manifest], ["status"]]) {
      const result = await runUntouched(args, journal);
      expect(result.code, args[0]).toBe(1);
      expect(errorMessage(result)).toContain("not a fedmigrate journal");
    }
  });
});

describe("an unwritable journal: exit 1, nothing sent", () => {
  it.skipIf(!canChattr)("the file cannot be written: migrate refuses, readers still read it", async () => {
    const journal = copyOfJournal("readonly.db");
    const restore = makeUnwritable(journal);
    try {
      const migrate = await runUntouched(["migrate", ws.manifest], journal);
      expect(migrate.code).toBe(1);
      expect(errorMessage(migrate)).toMatch(/cannot be written/);
      const status = await runUntouched(["status", "--json"], journal);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).items ?? JSON.parse(status.stdout)).toBeTruthy();
    } finally {
      restore();
    }
  });

  it.skipIf(!canMount)("the filesystem is mounted read-only", async () => {
    const mount = path.join(scratch, "ro-mount");
    const umount = mountTmpfs(mount, "1m");
    try {
      const journal = path.join(mount, "fedmigrate.db");
      copyFileSync(goodJournal, journal);
      execFileSync("mount", ["-o", "remount,ro", mount]);
      const migrate = await runUntouched(["migrate", ws.manifest], journal);
      expect(migrate.code).toBe(1);
      expect(errorMessage(migrate)).toMatch(/cannot be (opened|written)/);
      expect(errorMessage(migrate)).toMatch(/read-only|permissions|read and write/);
      const fresh = await runCli(["migrate", ws.manifest], {
        ...ws.env,
        FEDMIGRATE_JOURNAL: path.join(mount, "new.db"),
      });
      expect(fresh.code).toBe(1);
      expect(existsSync(path.join(mount, "new.db"))).toBe(false);
    } finally {
      umount();
    }
  });

  it("its directory does not exist: nothing is created", async () => {
    const journal = path.join(scratch, "no-such-dir", "fedmigrate.db");
    const sent = posts(ws);
    const result = await runCli(["migrate", ws.manifest], { ...ws.env, FEDMIGRATE_JOURNAL: journal });
    expectNoCrash(result);
    expect(result.code).toBe(1);
    expect(errorMessage(result)).toContain("does not exist");
    expect(posts(ws)).toBe(sent);
    expect(existsSync(path.dirname(journal))).toBe(false);
  });
});

/** `--json`, `--report` and `--junit` into the workspace (not the journal's disk). */
const reportArgs = (w: Workspace) => [
  "--json",
  "--report",
  path.join(w.dir, "report.json"),
  "--junit",
  path.join(w.dir, "junit.xml"),
];

interface StoppedReport {
  success: boolean;
  exitCode: number;
  error: { code: string; message: string } | null;
  items: { datasource: string; outcome: string; attempts: number }[];
}

/**
 * A run stopped by its journal still reports (SPEC section 5): `--json`, `--report` and `--junit`
 * with `success: false`, the JOURNAL error, one record per entry; an entry reported complete has
 * its COMPLETE row, and one reported not started got no request.
 */
function checkStoppedReport(w: Workspace, result: CliResult, journal: string, says: RegExp): void {
  const report = JSON.parse(result.stdout) as StoppedReport;
  expect(JSON.parse(readFileSync(path.join(w.dir, "report.json"), "utf8"))).toEqual(report);
  const junit = readFileSync(path.join(w.dir, "junit.xml"), "utf8");
  expect(junit.match(/<testcase /g) ?? []).toHaveLength(w.fixture.datasources.length);
  expect(report).toMatchObject({ success: false, exitCode: 1, error: { code: "JOURNAL" } });
  expect(report.error?.message).toMatch(says);
  expect(report.items).toHaveLength(w.fixture.datasources.length);
  const complete = new Set(
    attemptsOf(journal)
      .filter((row) => row.state === "COMPLETE")
      .map((row) => row.datasource_id),
  );
  const sentTo = new Set(w.sim.requestLog().flatMap((e) => (e.method === "POST" ? [e.datasourceId] : [])));
  for (const item of report.items) {
    if (item.outcome === "complete") expect(complete.has(item.datasource), item.datasource).toBe(true);
    if (item.outcome === "not-started") expect(sentTo.has(item.datasource), item.datasource).toBe(false);
  }
  expect(report.items.filter((i) => i.outcome === "not-started").length).toBeGreaterThan(0);
}

describe("a full disk: exit 1 (a journal failure; SPEC section 5 gives it no code of its own)", () => {
  let full: Workspace | undefined;
  afterEach(async () => {
    await full?.close();
    full = undefined;
  });

  /** The invariants of the chaos runs, after a run that met a full disk and after its rerun. */
  function checkInvariants(w: Workspace, journal: string, exact: boolean): void {
    const rows = attemptsOf(journal);
    const log = w.sim.requestLog();
    const initial = new Map([...w.sim.sim.state().keys()].map((id) => [id, "V1" as const]));
    expect(unjournaledRequests(rows, log, exact), "a request was sent without its journal row").toEqual([]);
    expect(serverSequenceViolations(log, initial)).toEqual([]);
    expect(journalServerMismatches(rows, w.sim.sim.state(), initial)).toEqual([]);
  }

  it.skipIf(!canMount)("full before the run: exit 1 saying so, nothing sent, the history kept", async () => {
    const mount = path.join(scratch, "full-at-start");
    const umount = mountTmpfs(mount, "256k");
    try {
      const journal = path.join(mount, "fedmigrate.db");
      copyFileSync(goodJournal, journal);
      const rows = attemptsOf(journal).length;
      fillDisk(mount, 0);
      const sent = posts(ws);
      const result = await runCli(["migrate", ws.manifest], { ...ws.env, FEDMIGRATE_JOURNAL: journal });
      expectNoCrash(result);
      expect(result.code).toBe(1);
      expect(errorMessage(result)).toMatch(/full/);
      expect(posts(ws)).toBe(sent);
      rmSync(path.join(mount, FILLER));
      expect(attemptsOf(journal)).toHaveLength(rows);
    } finally {
      umount();
    }
  });

  it.skipIf(!canMount)(
    "full in the middle of a run (tmpfs): exit 1, every request journaled, the reports written, the rerun finishes",
    async () => {
      full = await makeWorkspace({ count: 120, seed: 32 });
      const w = full;
      const mount = path.join(w.dir, "small-disk");
      const umount = mountTmpfs(mount, "256k");
      try {
        const journal = path.join(mount, "fedmigrate.db");
        const env = { ...w.env, FEDMIGRATE_JOURNAL: journal };
        const result = await runCli(["migrate", w.manifest, "--concurrency", "4", ...reportArgs(w)], env);
        expectNoCrash(result);
        expect(result.code).toBe(1);
        expect(errorMessage(result)).toMatch(/is full/);
        expect(errorMessage(result)).toMatch(/Free some disk space, or move the journal .*--journal/);
        checkStoppedReport(w, result, journal, /is full/);
        const sent = posts(w);
        expect(sent, "the disk filled before any request: the case proves nothing").toBeGreaterThan(0);
        expect(sent, "the disk never filled").toBeLessThan(120);
        checkInvariants(w, journal, false);

        execFileSync("mount", ["-o", "remount,size=16m", mount]);
        const rerun = await runCli(["migrate", w.manifest], env);
        expect(rerun.code).toBe(0);
        checkInvariants(w, journal, false);
        expect(attemptsOf(journal).filter((row) => row.state === "IN_FLIGHT")).toEqual([]);
        expect([...w.sim.sim.state().values()].filter((ds) => ds.status !== "MIGRATED")).toEqual([]);
      } finally {
        umount();
      }
    },
  );

  it("a file size limit reached in the middle of a run (ulimit -f): exit 1 saying so, every request journaled, the reports written, the rerun finishes", async () => {
    full = await makeWorkspace({ count: 120, seed: 33 });
    const w = full;
    // 400 blocks of 512 bytes: the schema and the first attempts fit, the WAL of 120 do not. The
    // reports (about 70 and 40 kB) fit as well.
    const result = await runWithFileSizeLimit(
      ["migrate", w.manifest, "--concurrency", "4", ...reportArgs(w)],
      w.env,
      400,
    );
    expectNoCrash(result);
    expect(result.code).toBe(1);
    // What happened, and what to do: the first failure, not a later one of the run's bookkeeping.
    expect(errorMessage(result)).toMatch(
      /cannot grow: this process may not write files larger than 204800 bytes \(its file size limit, ulimit -f\)/,
    );
    expect(errorMessage(result)).toMatch(/Raise the limit .*or move the journal .*--journal/);
    // Where it stops depends on the bytes each write adds (the chain's entries among them).
    expect(errorMessage(result)).toMatch(/while recording (an attempt|the outcome of attempt \d+)/);
    checkStoppedReport(w, result, w.journal, /file size limit/);
    const sent = posts(w);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(120);
    checkInvariants(w, w.journal, false);

    const rerun = await runCli(["migrate", w.manifest], w.env);
    expect(rerun.code).toBe(0);
    checkInvariants(w, w.journal, false);
    expect(w.attempts().filter((row) => row.state === "IN_FLIGHT")).toEqual([]);
    expect(serverStatuses(w.sim.sim.state()).size).toBe(120);
    expect([...w.sim.sim.state().values()].filter((ds) => ds.status !== "MIGRATED")).toEqual([]);
  });
});
