import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { anAttempt, aResult, aRun, cleanUp, DOMAIN, open, tempDir } from "../journal/journal-fixtures.js";

/**
 * Issue 15: a journal written before server text was cleaned where it enters (or by anything
 * else) may hold terminal escapes in a `toe` or an `errorMessage`. What reads it back for a
 * person (`status`, the Markdown report) shows them as text, never raw.
 */
class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the test looks for.
const RAW_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\x\u009b31m\u202e";

afterEach(cleanUp);

describe("a journal holding raw escapes from an older version", () => {
  it("status and report --md show them as text", async () => {
    const dir = tempDir();
    const path = join(dir, "fedmigrate.db");
    const journal = open(path);
    const run = aRun({ id: "run-escapes" });
    journal.startRun(run);
    const id = journal.beginAttempt(anAttempt(run.id, "ds-1"));
    journal.completeAttempt(
      id,
      aResult("ABORTED", { toe: `TOE-${HOSTILE}`, errorMessage: `boom ${HOSTILE}` }),
    );
    journal.finishRun(run.id, "FAILED", "2025-01-01T00:02:00.000Z");
    journal.close();

    const env = { FEDMIGRATE_JOURNAL: path, DOMO_DOMAIN: DOMAIN, CI: "true" };
    for (const args of [["status"], ["report", "--last", "--md", "run.md"]]) {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await main(args, { stdout, stderr, env, cwd: dir });
      expect(code, `${args[0]}: ${stderr.text}`).toBe(0);
      expect(RAW_CONTROLS.exec(stdout.text)?.[0], args[0]).toBeUndefined();
      expect(RAW_CONTROLS.exec(stderr.text)?.[0], args[0]).toBeUndefined();
    }
    const md = readFileSync(join(dir, "run.md"), "utf8");
    expect(RAW_CONTROLS.exec(md)?.[0]).toBeUndefined();
    expect(md).toContain("\\\\x1b\\[2J");
  });
});
