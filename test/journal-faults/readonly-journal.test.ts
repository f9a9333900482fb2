import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, makeWorkspace, runCli, type Workspace } from "../e2e/cli-harness.js";
import { captureTree } from "../leak/leak-capture.js";

/**
 * An auditor's copy of a journal: in a directory this user may not write (0555), the file itself
 * read-only (0444). `status`, `history` and `report` must read it: SQLite cannot create the -wal
 * and -shm files a WAL journal needs even for reading, so fedmigrate reads a private copy (with the
 * -wal, when one came along) instead of failing with "attempt to write a readonly database".
 *
 * Modes do not stop root: when the tests run as root, the CLI is run as `nobody` through setpriv.
 */
const isRoot = process.getuid?.() === 0;
const setpriv = (() => {
  try {
    return execFileSync("sh", ["-c", "command -v setpriv"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
const NOBODY = "65534";

/** Runs the built CLI as a user whom the modes bind: this one, or nobody when this one is root. */
function runAsReader(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const prefix = isRoot
    ? [setpriv as string, "--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"]
    : [];
  return runCli(args, { PATH: process.env.PATH, ...env }, undefined, { prefix });
}

const copies = () => readdirSync(tmpdir()).filter((name) => name.startsWith("fedmigrate-journal-copy-"));

let ws: Workspace;
let scratch: string;
/** Where the reader may write its report files. */
let out: string;
let runIds: string[];

beforeAll(async () => {
  ws = await makeWorkspace({ count: 6, seed: 61 });
  expect((await runCli(["migrate", ws.manifest, "--limit", "2"], ws.env)).code).toBe(0);
  expect((await runCli(["migrate", ws.manifest], ws.env)).code).toBe(0);
  const db = new Database(ws.journal, { readonly: true, fileMustExist: true });
  runIds = (db.prepare("SELECT id FROM runs ORDER BY started_at").all() as { id: string }[]).map((r) => r.id);
  db.close();
  expect(runIds).toHaveLength(2);
  scratch = mkdtempSync(path.join(tmpdir(), "fedmigrate-readonly-"));
  chmodSync(scratch, 0o755);
  out = path.join(scratch, "out");
  mkdirSync(out, { mode: 0o777 });
  chmodSync(out, 0o777);
});
afterAll(async () => {
  await ws.close();
  for (const dir of readdirSync(scratch)) chmodSync(path.join(scratch, dir), 0o755);
  captureTree("readonly-journal", scratch);
  rmSync(scratch, { recursive: true, force: true });
});

/** A read-only directory holding `files` (name → source), each made read-only too. */
function readonlyDir(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  for (const [file, source] of Object.entries(files)) {
    copyFileSync(source, path.join(dir, file));
    chmodSync(path.join(dir, file), 0o444);
  }
  chmodSync(dir, 0o555);
  return dir;
}

const canRun = !isRoot || setpriv !== undefined;

describe("a journal in a read-only directory", () => {
  it.skipIf(!canRun)(
    `status, history and report read it (0555 directory, 0444 file${isRoot ? "; run as nobody via setpriv, since modes do not stop root" : ""})`,
    async () => {
      const dir = readonlyDir("audit", { "fedmigrate.db": ws.journal });
      const journal = path.join(dir, "fedmigrate.db");
      const before = copies();
      const env = { FEDMIGRATE_JOURNAL: journal };

      const status = await runAsReader(["status", "--json"], env);
      expect(status.stderr).toBe("");
      expect(status.code).toBe(0);
      const items = (JSON.parse(status.stdout) as { items: { state: string }[] }).items;
      expect(items).toHaveLength(6);
      expect(items.every((item) => item.state === "COMPLETE")).toBe(true);

      const history = await runAsReader(["history", "--json"], env);
      expect(history.code).toBe(0);
      expect(JSON.stringify(JSON.parse(history.stdout))).toContain(runIds[1]);

      const md = path.join(out, "last.md");
      const report = await runAsReader(["report", "--last", "--md", md], env);
      expect(report.code).toBe(0);
      expect(readFileSync(md, "utf8")).toContain(runIds[1]);

      // Nothing was written next to it (it could not be), and the private copies are gone.
      expect(readdirSync(dir)).toEqual(["fedmigrate.db"]);
      expect(copies()).toEqual(before);
    },
  );

  it.skipIf(!canRun)(
    `with the -wal of a run still open, what only the -wal holds is read too${isRoot ? " (as nobody via setpriv)" : ""}`,
    async () => {
      // A copy taken while a connection had written without checkpointing: a new run is in the -wal only
      // (a run that has ended cannot be changed: the guard triggers).
      const live = path.join(scratch, "live.db");
      copyFileSync(ws.journal, live);
      const db = new Database(live);
      db.pragma("journal_mode = WAL");
      db.pragma("wal_autocheckpoint = 0");
      db.prepare(
        `INSERT INTO runs (id, command, started_at, status, domain, "user", host, pid)
         SELECT 'run-in-wal-only', command, started_at, 'RUNNING', domain, "user", host, pid FROM runs WHERE id = ?`,
      ).run(runIds[0]);
      const dir = readonlyDir("audit-wal", { "fedmigrate.db": live, "fedmigrate.db-wal": `${live}-wal` });
      db.close();

      const history = await runAsReader(["history", "--json"], {
        FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
      });
      expect(history.stderr).toBe("");
      expect(history.code).toBe(0);
      const { runs } = JSON.parse(history.stdout) as { runs: { id: string; status: string }[] };
      expect(runs.find((run) => run.id === "run-in-wal-only")?.status).toBe("RUNNING");
    },
  );
});
