import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkManifests, loadManifests, MAX_MANIFEST_BYTES } from "../../src/manifest/load-manifests.js";
import { ManifestError } from "../../src/manifest/manifest-error.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-manifests-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(path: string, text: string | Buffer): void {
  const full = join(dir, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
}

/** A valid manifest of the given datasource ids (one per entry). */
function manifest(ids: string[], top = ""): string {
  const entries = ids.map((id) => `  - datasource: ${id}\n    table: T_${id}`).join("\n");
  return `version: 1\n${top}defaults:\n  account: "12"\n  catalog: C\n  schema: S\nmigrations:\n${entries}\n`;
}

async function issuesOf(paths: string[]): Promise<string[]> {
  try {
    await loadManifests(paths, dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    const message = (error as ManifestError).message;
    expect(message.split("\n")).toHaveLength((error as ManifestError).issues.length + 1);
    return (error as ManifestError).issues.map((i) => `${i.file}:${i.line}: ${i.message}`);
  }
  throw new Error("expected a ManifestError");
}

describe("loadManifests", () => {
  it("loads several files in order, with their summaries and a hash", async () => {
    write("a.yaml", manifest(["a1", "a2"]));
    write("b.yml", manifest(["b1"]).replace('account: "12"', "account: 7"));
    const loaded = await loadManifests(["a.yaml", "b.yml"], dir);
    expect(loaded.entries.map((e) => [e.file, e.datasource, e.account, e.index])).toEqual([
      ["a.yaml", "a1", "12", 0],
      ["a.yaml", "a2", "12", 1],
      ["b.yml", "b1", "7", 0],
    ]);
    expect(loaded.files).toEqual([
      { path: "a.yaml", entries: 2, accounts: ["12"], domain: undefined, journal: undefined },
      { path: "b.yml", entries: 1, accounts: ["7"], domain: undefined, journal: undefined },
    ]);
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads a directory's *.yaml and *.yml files in name order, not recursively, skipping hidden files", async () => {
    write("m/b.yaml", manifest(["b"]));
    write("m/a.YML", manifest(["a"]));
    write("m/c.yml", manifest(["c"]));
    write("m/.hidden.yaml", "not: a manifest\n");
    write("m/notes.txt", "not a manifest\n");
    write("m/sub/d.yaml", manifest(["d"]));
    write("elsewhere/e.yaml", manifest(["e"]));
    symlinkSync(join(dir, "elsewhere/e.yaml"), join(dir, "m/e-link.yaml"));
    // A link to a file already read is that file again.
    symlinkSync(join(dir, "m/c.yml"), join(dir, "m/f-link.yaml"));
    const loaded = await loadManifests(["m"], dir);
    expect(loaded.files.map((f) => f.path)).toEqual([
      join("m", "a.YML"),
      join("m", "b.yaml"),
      join("m", "c.yml"),
      join("m", "e-link.yaml"),
    ]);
  });

  it("reads a file named twice (directly and through its directory) once", async () => {
    write("m/a.yaml", manifest(["a"]));
    const loaded = await loadManifests(["m/a.yaml", "m", "./m/a.yaml"], dir);
    expect(loaded.entries).toHaveLength(1);
  });

  it("names both places of a datasource listed in two files, ignoring case", async () => {
    write("a.yaml", manifest(["x1", "DUP"]));
    write("b.yaml", manifest(["b1", "b2", "dup"]));
    const [issue] = (await checkManifests(["a.yaml", "b.yaml"], dir)).issues;
    expect(issue).toMatchObject({
      file: "b.yaml",
      line: 11,
      column: 5,
      entry: "3 (dup)",
      field: "datasource",
    });
    expect(issue?.message).toBe(
      "datasource dup is listed twice: entry 2 at a.yaml:9:5 (as DUP: ids differing only in case are one datasource) and entry 3 at b.yaml:11:5",
    );
  });

  it.each([
    ["a missing file", ["nope.yaml"], ["nope.yaml:0: no such file or directory"]],
    ["a directory without manifests", ["empty"], ["empty:0: the directory holds no *.yaml or *.yml file"]],
  ])("reports %s", async (_name, paths, expected) => {
    mkdirSync(join(dir, "empty"));
    write("empty/sub/a.yaml", manifest(["a"]));
    expect(await issuesOf(paths)).toEqual(expected);
  });

  it("collects the issues of every file, grouped by file in the order given", async () => {
    write("b.yaml", "version: 2\nmigrations:\n  - datasource: a/b\n    table: t\n");
    write("a.yaml", manifest(["ok"]).replace("table: T_ok", "tabel: T_ok"));
    expect(await issuesOf(["b.yaml", "missing.yaml", "a.yaml"])).toEqual([
      "b.yaml:1: version must be 1, found 2",
      "b.yaml:3: missing `account`",
      "b.yaml:3: missing `catalog`",
      "b.yaml:3: missing `schema`",
      'b.yaml:3: "a/b" is not a valid id',
      "missing.yaml:0: no such file or directory",
      "a.yaml:8: unknown key `tabel`",
    ]);
  });

  it("reads a UTF-8 file with a BOM and CRLF line ends", async () => {
    write("w.yaml", `\uFEFF${manifest(["w1"]).replaceAll("\n", "\r\n")}`);
    const loaded = await loadManifests(["w.yaml"], dir);
    expect(loaded.entries[0]).toMatchObject({ datasource: "w1", table: "T_w1", line: 7, column: 5 });
  });

  it("refuses a file that is not UTF-8", async () => {
    write(
      "latin1.yaml",
      Buffer.from([...Buffer.from("version: 1\nmigrations:\n  - datasource: caf"), 0xe9, 0x0a]),
    );
    expect(await issuesOf(["latin1.yaml"])).toEqual(["latin1.yaml:0: the file is not valid UTF-8"]);
  });

  it("refuses a file over the size cap without reading it", async () => {
    write("huge.yaml", "");
    // Sparse: the size is there on stat, the bytes are not, so a read would give only zeros.
    truncateSync(join(dir, "huge.yaml"), MAX_MANIFEST_BYTES + 1);
    const [issue] = await issuesOf(["huge.yaml"]);
    expect(issue).toBe("huge.yaml:0: the file is 64.0 MiB; manifests are limited to 64 MiB");
  });

  it.each([
    ["/dev/zero (a device that never ends)", "/dev/zero"],
    ["a FIFO (a read would wait for a writer)", "fifo.yaml"],
  ])("refuses %s at once, without reading it", async (_name, file) => {
    if (file === "fifo.yaml") execFileSync("mkfifo", [join(dir, file)]);
    const [issue] = await issuesOf([file]);
    expect(issue).toContain("it is not a regular file");
  });

  it("takes the domain the files agree on, comparing resolved domains", async () => {
    write("a.yaml", manifest(["a"], "domain: acme\n"));
    write("b.yaml", manifest(["b"], "domain: https://ACME.domo.com/\n"));
    write("c.yaml", manifest(["c"]));
    const loaded = await loadManifests(["a.yaml", "b.yaml", "c.yaml"], dir);
    expect(loaded.domain).toBe("acme");
  });

  it("reports files naming different domains", async () => {
    write("a.yaml", manifest(["a"], "domain: acme\n"));
    write("b.yaml", manifest(["b"], "domain: other.domo.com\n"));
    expect(await issuesOf(["a.yaml", "b.yaml"])).toEqual([
      "b.yaml:2: domain other.domo.com differs from acme in a.yaml:2:9",
    ]);
  });

  it("resolves a journal against its manifest's directory, and reports a conflict", async () => {
    write("x/a.yaml", manifest(["a"], "journal: ../state/j.db\n"));
    write("b.yaml", manifest(["b"], "journal: state/j.db\n"));
    write("c.yaml", manifest(["c"], "journal: other.db\n"));
    const loaded = await loadManifests(["x/a.yaml", "b.yaml"], dir);
    expect(loaded.journal).toBe(join(dir, "state/j.db"));
    expect(loaded.files[0]?.journal).toBe(join(dir, "state/j.db"));
    expect(await issuesOf(["x/a.yaml", "c.yaml"])).toEqual([
      `c.yaml:2: journal ${join(dir, "other.db")} differs from ${join(dir, "state/j.db")} in x/a.yaml:2:10`,
    ]);
  });

  it("reads a journal under ~/ from the home directory", async () => {
    write("a.yaml", manifest(["a"], "journal: ~/fedmigrate/j.db\n"));
    expect((await loadManifests(["a.yaml"], dir)).journal).toBe(join(homedir(), "fedmigrate/j.db"));
  });

  it("keeps the hash across formatting, comments, quoting and defaults; changes it with a value or the order", async () => {
    write("plain.yaml", manifest(["a", "b"]));
    write(
      "styled.yaml",
      [
        "# the same entries, written differently",
        "version: 1",
        "migrations:",
        "- datasource: 'a'",
        '  account: "12"',
        "  catalog: C      # comment",
        "  schema: S",
        "  table: T_a",
        "- {datasource: b, account: '12', catalog: C, schema: S, table: T_b}",
      ].join("\r\n"),
    );
    write("changed.yaml", manifest(["a", "b"]).replace("T_b", "T_B"));
    write("reordered.yaml", manifest(["b", "a"]));
    const hash = async (file: string): Promise<string> => (await loadManifests([file], dir)).hash;
    const plain = await hash("plain.yaml");
    expect(await hash("styled.yaml")).toBe(plain);
    expect(await hash("changed.yaml")).not.toBe(plain);
    expect(await hash("reordered.yaml")).not.toBe(plain);
  });

  it("says what each file holds even when some are invalid (for validate)", async () => {
    write("good.yaml", manifest(["g1", "g2"]).replace("    table: T_g2", "    table: T_g2\n    account: 13"));
    write("bad.yaml", manifest(["b1"]).replace("version: 1", "version: 3"));
    const check = await checkManifests(["good.yaml", "bad.yaml", "gone.yaml"], dir);
    expect(check.manifests).toBeUndefined();
    expect(check.files).toEqual([
      {
        path: "good.yaml",
        entries: 2,
        accounts: ["12", "13"],
        domain: undefined,
        journal: undefined,
        issues: 0,
      },
      { path: "bad.yaml", entries: 1, accounts: ["12"], domain: undefined, journal: undefined, issues: 1 },
      { path: "gone.yaml", entries: 0, accounts: [], domain: undefined, journal: undefined, issues: 1 },
    ]);
  });

  it("refuses to load nothing", async () => {
    await expect(loadManifests([], dir)).rejects.toThrow(/no manifest given/);
  });
});
