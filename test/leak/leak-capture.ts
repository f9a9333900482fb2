import { randomBytes } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The leak scan's collection side. `test/leak/global-setup.ts` names a directory in
 * `FEDMIGRATE_LEAK_DIR`; every test that runs the CLI registers the token it gave it and hands
 * over what the CLI left behind (stdout, stderr, journals, reports), and the global teardown
 * looks for every token in all of it. Outside that setup (a single file run with another config)
 * the calls do nothing.
 */
export const LEAK_DIR_ENV = "FEDMIGRATE_LEAK_DIR";

/** The file, inside the leak directory, that lists the tokens to look for, one a line. */
export const TOKENS_FILE = "tokens.txt";

let sequence = 0;

function leakDir(): string | undefined {
  const dir = process.env[LEAK_DIR_ENV];
  if (!dir || !existsSync(dir)) return undefined;
  return dir;
}

/** A process-unique name for a capture, so parallel test files never overwrite each other. */
function captureName(label: string): string {
  sequence += 1;
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
  return `${process.pid}-${sequence}-${safe}`;
}

/**
 * A developer token no other text contains by chance (`tok-` and 24 random hex digits), registered
 * for the scan: a scan for a constant like `sim-token` could not tell a leak from a test fixture.
 */
export function testToken(): string {
  const token = `tok-${randomBytes(12).toString("hex")}`;
  registerToken(token);
  return token;
}

/** Adds a token to the list the global teardown looks for. */
export function registerToken(token: string): void {
  const dir = leakDir();
  if (dir) appendFileSync(path.join(dir, TOKENS_FILE), `${token}\n`);
}

/** Keeps text a CLI printed (stdout, stderr, a JSON document) for the scan. */
export function captureText(label: string, text: string): void {
  const dir = leakDir();
  if (!dir || text === "") return;
  const outputs = path.join(dir, "outputs");
  mkdirSync(outputs, { recursive: true });
  writeFileSync(path.join(outputs, `${captureName(label)}.txt`), text);
}

/**
 * Copies every file under `source` (journals with their -wal and -shm files, reports, JUnit,
 * saved plans, request logs) for the scan; call it before the test deletes its folder.
 */
export function captureTree(label: string, source: string): void {
  const dir = leakDir();
  if (!dir || !existsSync(source) || !statSync(source).isDirectory()) return;
  if (readdirSync(source).length === 0) return;
  const target = path.join(dir, "trees", captureName(label));
  // Sockets, FIFOs and the like cannot be copied and hold nothing to scan.
  cpSync(source, target, {
    recursive: true,
    filter: (from) => {
      const stat = statSync(from, { throwIfNoEntry: false });
      return stat !== undefined && (stat.isDirectory() || stat.isFile());
    },
  });
}
