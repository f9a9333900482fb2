import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandModules } from "../../src/cli/commands/index.js";
import { main } from "../../src/cli/main.js";
import { fixtureManifest } from "../helpers/fixture-manifest.js";
import { generateFixture } from "../helpers/generate-fixture.js";
import { startTestSimulator, type TestSimulator } from "../helpers/sim.js";
import { checkCliArgs } from "./check-cli-args.js";
import { invocationsInShell } from "./extract-invocations.js";

/**
 * What the README and docs/*.md show must work: every shell example runs a command and options
 * the CLI has, every command has an example, and the journal's audit queries run on a real journal.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const IMAGE = /(^|\/)fedmigrate:[\w.-]+$/;

/** The fenced code blocks of a Markdown text whose info string is `lang`. */
function codeBlocks(markdown: string, lang: string): string[] {
  const blocks: string[] = [];
  const fence = /^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (let match = fence.exec(markdown); match; match = fence.exec(markdown)) {
    if (match[1] === lang) blocks.push(match[2] ?? "");
  }
  return blocks;
}

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const docs = readdirSync(path.join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => ({ file: `docs/${f}`, text: readFileSync(path.join(ROOT, "docs", f), "utf8") }));
const pages = [{ file: "README.md", text: readme }, ...docs];

describe("the shell examples in README.md and docs/*.md", () => {
  const invocations = pages.flatMap(({ file, text }) =>
    codeBlocks(text, "sh").flatMap((block) =>
      invocationsInShell(block, IMAGE).map((i) => ({ ...i, source: `${file}: ${i.source}` })),
    ),
  );

  it("give an example of every command", () => {
    const shown = new Set(invocations.map((i) => i.args[0]));
    const commands = commandModules.map((m) => m.command.split(" ")[0]);
    for (const command of [...commands, "completion"]) {
      expect(shown.has(command), `an example of ${command}`).toBe(true);
    }
  });

  it("run only commands and options the CLI has", async () => {
    expect(invocations.length).toBeGreaterThan(20);
    for (const invocation of invocations) {
      await expect(checkCliArgs(invocation.args), invocation.source).resolves.toBeUndefined();
    }
  });

  it("keep the two set-up commands first", () => {
    const first = codeBlocks(readme, "sh")[0] ?? "";
    expect(first).toMatch(/^npm ci && npm run demo\b/m);
    expect(first).toMatch(/^npm test\b/m);
    expect(readme.indexOf("## Set-up")).toBeLessThan(readme.indexOf("## Install"));
  });
});

describe("the journal's audit queries in README.md", () => {
  const queries = codeBlocks(readme, "sql");
  let sim: TestSimulator;
  let dir: string;
  let journal: string;
  let aborted: string;

  beforeAll(async () => {
    const fixture = generateFixture({ count: 5, seed: 3 });
    const target = fixture.datasources[2];
    if (!target) throw new Error("fixture too small");
    target.fault = "aborted";
    aborted = target.id;
    // Two requests in one run for one datasource: the query must count it once, as history does.
    const twice = fixture.datasources[4];
    if (twice) twice.fault = "incomplete-once";
    sim = await startTestSimulator(fixture);
    dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-audit-"));
    journal = path.join(dir, "fedmigrate.db");
    const manifest = path.join(dir, "m.yaml");
    writeFileSync(manifest, fixtureManifest(sim.sim.fixture()));
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const env = {
      DOMO_DOMAIN: sim.url,
      DOMO_DEVELOPER_TOKEN: sim.token,
      FEDMIGRATE_JOURNAL: journal,
      FEDMIGRATE_RETRY_MIN_MS: "0",
      CI: "true",
    };
    // Two runs: the second retries the aborted one (aborted again) and skips the rest.
    for (let run = 0; run < 2; run += 1) {
      const code = await main(["migrate", manifest, "--log-level", "silent"], {
        stdout: sink,
        stderr: sink,
        env,
        cwd: dir,
      });
      expect(code).toBe(1);
    }
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function query(sql: string): Record<string, unknown>[] {
    const db = new Database(journal, { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }

  it("are three", () => {
    expect(queries).toHaveLength(3);
  });

  it("1 lists what needs attention, with its toe", () => {
    const rows = query(queries[0] ?? "");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ datasource_id: aborted, state: "ABORTED" });
    expect(rows[0]?.toe).toBeTruthy();
  });

  it("2 lists the runs with their counts, the same as `fedmigrate history`", async () => {
    const rows = query(queries[1] ?? "");
    expect(rows).toHaveLength(2);
    // Newest first: the rerun tried one entry (the aborted one), the first run five (one of them twice).
    expect(rows.map((r) => [r.command, r.status, r.entries, r.complete, r.failed])).toEqual([
      ["migrate", "FAILED", 1, 0, 1],
      ["migrate", "FAILED", 5, 4, 1],
    ]);
    let out = "";
    const stdout = new Writable({
      write: (chunk, _e, done) => {
        out += String(chunk);
        done();
      },
    });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    await main(["history", "--json"], {
      stdout,
      stderr: sink,
      env: { FEDMIGRATE_JOURNAL: journal },
      cwd: dir,
    });
    const history = (JSON.parse(out) as { runs: { datasources: number; counts: Record<string, number> }[] })
      .runs;
    expect(
      history.map((run) => [
        run.datasources,
        run.counts.COMPLETE,
        (run.counts.INCOMPLETE ?? 0) + (run.counts.ABORTED ?? 0) + (run.counts.FAILED ?? 0),
      ]),
    ).toEqual(rows.map((r) => [r.entries, r.complete, r.failed]));
  });

  it("3 lists one datasource's whole history", () => {
    const example = /datasource_id = '([^']+)'/.exec(queries[2] ?? "")?.[1] ?? "";
    expect(example).not.toBe("");
    const rows = query((queries[2] ?? "").replace(example, aborted));
    expect(rows.map((r) => r.state)).toEqual(["ABORTED", "ABORTED"]);
    expect(new Set(rows.map((r) => r.run_id)).size).toBe(2);
  });
});

describe("the images README.md and docs/*.md show", () => {
  const images = pages.flatMap(({ file, text }) =>
    [...text.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].map((m) => ({
      file,
      alt: m[1] ?? "",
      target: path.resolve(ROOT, path.dirname(file), m[2] ?? ""),
    })),
  );

  it("include the report's screenshot", () => {
    expect(images.map((i) => path.relative(ROOT, i.target))).toContain("docs/report-screenshot.png");
  });

  it.each(images.map((i) => [i.file, i.target, i.alt] as const))(
    "%s: %s exists, is a PNG and has alt text",
    (_file, target, alt) => {
      const bytes = readFileSync(target);
      expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(alt.trim().length).toBeGreaterThan(0);
    },
  );
});
