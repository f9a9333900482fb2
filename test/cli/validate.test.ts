import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(
  args: string[],
  cwd = REPO,
  terminal = true,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  // A terminal gets plain words on stderr; anything else gets JSON lines.
  const stderr = Object.assign(new Capture(), { isTTY: terminal });
  const code = await main(args, { stdout, stderr, env: {}, cwd });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-validate-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("fedmigrate validate", () => {
  it("passes the shipped manifests/ directory, one line per file, exit 0", async () => {
    const { code, stdout, stderr } = await run(["validate", "manifests/"]);
    expect(stderr).toBe("");
    expect(stdout).toBe("ok    manifests/example.yaml  4 entries, 2 accounts\n");
    expect(code).toBe(0);
  });

  it("passes several files, each summarised", async () => {
    writeFileSync(
      join(dir, "one.yaml"),
      'version: 1\nmigrations:\n  - {datasource: a, account: "7", catalog: c, schema: ~, table: t}\n',
    );
    const { code, stdout } = await run(["validate", "one.yaml", join(REPO, "manifests/example.yaml")], dir);
    expect(stdout.split("\n")).toEqual([
      "ok    one.yaml  1 entry, 1 account",
      `ok    ${join(REPO, "manifests/example.yaml")}  4 entries, 2 accounts`,
      "",
    ]);
    expect(code).toBe(0);
  });

  it("exits 2 on a broken manifest, every problem on stderr at its exact line", async () => {
    const { code, stdout, stderr } = await run([
      "validate",
      "test/fixtures/manifests/three-bad-entries.yaml",
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe("FAIL  test/fixtures/manifests/three-bad-entries.yaml  3 problems\n");
    const lines = stderr.split("\n");
    expect(lines[0]).toBe("fedmigrate: invalid manifest: 3 problems");
    expect(lines.slice(1, 4)).toEqual([
      "test/fixtures/manifests/three-bad-entries.yaml:9:5: entry 1 (495e28ec-6c07-41fc-99ed-b2dce9a5f569): tabel: unknown key `tabel` (did you mean `table`?)",
      'test/fixtures/manifests/three-bad-entries.yaml:12:17: entry 3: datasource: "a/b" is not a valid id (an id is letters, digits, `.`, `_`, `:` and `-`, starting with a letter or digit)',
      "test/fixtures/manifests/three-bad-entries.yaml:15:11: entry 4 (1b7e4d2a-88c1-4f0e-b6a3-9e2d4c5f7a80): table: no value (give the table, or remove the key to use the default)",
    ]);
    expect(lines[4]).toMatch(/Nothing was sent to Domo/);
  });

  it("off a terminal, stderr carries plain lines: the level, every issue, the hint, no colour", async () => {
    const { code, stderr } = await run(
      ["validate", "test/fixtures/manifests/three-bad-entries.yaml"],
      REPO,
      false,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^fedmigrate: error: invalid manifest: 3 problems\n/);
    expect(stderr).toContain("three-bad-entries.yaml:9:5");
    expect(stderr).not.toContain("\x1b");
    expect(stderr).not.toContain('{"level"');
  });

  it("with --log-format json, stderr carries one JSON line with every issue", async () => {
    const { code, stderr } = await run(
      ["validate", "test/fixtures/manifests/three-bad-entries.yaml", "--log-format", "json"],
      REPO,
      false,
    );
    expect(code).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ level: "error", code: "MANIFEST_INVALID" });
    expect(line.issues).toHaveLength(3);
    expect(line.issues[0]).toMatchObject({ line: 9, column: 5, field: "tabel" });
  });

  it("refuses a manifest holding a token without printing it", async () => {
    const { code, stdout, stderr } = await run(["validate", "test/fixtures/manifests/token.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toContain("token.yaml:3:1: token: a developer token must never be in a manifest");
    expect(stdout + stderr).not.toContain("not-a-real-token");
  });

  it("refuses an alias bomb", async () => {
    const { code, stderr } = await run(["validate", "test/fixtures/manifests/alias-bomb.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/alias-bomb\.yaml:1:1: aliases expand this file .* alias bomb/);
  });

  it("with --json, prints one document on success", async () => {
    const { code, stdout, stderr } = await run(["validate", "manifests", "--json"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const document = JSON.parse(stdout);
    expect(document).toEqual({
      success: true,
      files: [
        {
          path: join("manifests", "example.yaml"),
          entries: 4,
          accounts: ["12", "13"],
          domain: "acme.domo.com",
          journal: join(REPO, "fedmigrate.db"),
          issues: 0,
        },
      ],
      entries: 4,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      issues: [],
    });
  });

  it("with --json, prints one document of the same shape on failure, exit 2", async () => {
    const { code, stdout, stderr } = await run([
      "validate",
      "--json",
      "test/fixtures/manifests/three-bad-entries.yaml",
      "missing.yaml",
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe("");
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual(["success", "files", "entries", "hash", "issues"]);
    expect(document.success).toBe(false);
    expect(document.hash).toBeNull();
    expect(document.files.map((f: { path: string; issues: number }) => [f.path, f.issues])).toEqual([
      ["test/fixtures/manifests/three-bad-entries.yaml", 3],
      ["missing.yaml", 1],
    ]);
    expect(document.issues[0]).toEqual({
      file: "test/fixtures/manifests/three-bad-entries.yaml",
      line: 9,
      column: 5,
      entry: "1 (495e28ec-6c07-41fc-99ed-b2dce9a5f569)",
      field: "tabel",
      message: "unknown key `tabel`",
      hint: "did you mean `table`?",
    });
    expect(document.issues[3]).toMatchObject({
      file: "missing.yaml",
      line: 0,
      column: 0,
      entry: null,
      field: null,
    });
  });

  it("needs at least one manifest", async () => {
    const { code, stderr } = await run(["validate"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no manifest given/);
  });
});
