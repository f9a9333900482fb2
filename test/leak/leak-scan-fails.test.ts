import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TOKEN_ENCODINGS } from "./token-encodings.js";

/**
 * The suite-wide leak scan can fail: a vitest run of its own (planted/vitest.planted.config.ts,
 * the same global setup as the suite) over a test that hands the scan a token in a printed line
 * and in a journal row must end with exit 1 and name both captures; the same run with no token
 * planted must pass. Without this, a scan that silently covered nothing would look the same as
 * one that found nothing.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const VITEST = path.join(ROOT, "node_modules/vitest/vitest.mjs");
const CONFIG = path.join(import.meta.dirname, "planted/vitest.planted.config.ts");

function runPlanted(plant: "leak" | "clean"): Promise<{ code: number | null; output: string }> {
  // The outer run's own variables (its leak directory, its worker ids) stay out of the inner one.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|FEDMIGRATE_LEAK_DIR$)/.test(name)),
  );
  const child = spawn(process.execPath, [VITEST, "run", "--config", CONFIG], {
    cwd: ROOT,
    env: { ...env, FEDMIGRATE_PLANT: plant, NO_COLOR: "1", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on("close", (code) => {
      // A failing scan keeps its captures for a look: not here, where the leak was planted.
      const kept = /captures kept in (\S+)/.exec(output)?.[1];
      if (kept) rmSync(kept, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

describe("the suite-wide leak scan", () => {
  it("fails the run, naming each capture and each encoding, when a token is in a printed line, a journal, or any encoding", async () => {
    const { code, output } = await runPlanted("leak");
    expect(output).toMatch(/1 passed/);
    expect(output).toMatch(/leak scan: a developer token appears in \d+ place\(s\)/);
    expect(output).toMatch(/outputs\/\d+-\d+-planted-stderr\.txt at byte \d+ \(raw\)/);
    expect(output).toMatch(/trees\/\d+-\d+-planted-journal\/fedmigrate\.db at byte \d+/);
    // Each encoding, planted alone in a capture of its own, is found and named.
    for (const form of TOKEN_ENCODINGS) {
      expect(output).toMatch(new RegExp(`planted-${form}\\.txt at byte \\d+ \\(${form}\\)`));
    }
    expect(code).toBe(1);
  }, 60_000);

  it("passes the same run with no token planted", async () => {
    const { code, output } = await runPlanted("clean");
    expect(output).toMatch(
      new RegExp(`leak scan: 2 tokens, none found in ${2 + TOKEN_ENCODINGS.length} captured files`),
    );
    expect(code).toBe(0);
  }, 60_000);
});
