import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LEAK_DIR_ENV, TOKENS_FILE } from "./leak-capture.js";
import { scanForTokens } from "./scan-for-tokens.js";

/**
 * vitest `globalSetup`: the leak scan over the whole suite. Setup makes the directory the tests
 * put their captures in (see leak-capture.ts) and names it in the environment, which the test
 * workers inherit; teardown, once every test file has ended, looks for every registered token in
 * everything captured. A leak fails the run (exit code 1) and names the file; the captures are
 * then kept for a look, otherwise removed.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-leak-scan-"));
  process.env[LEAK_DIR_ENV] = dir;
  return () => {
    const tokensFile = path.join(dir, TOKENS_FILE);
    const tokens = existsSync(tokensFile)
      ? [...new Set(readFileSync(tokensFile, "utf8").split("\n").filter(Boolean))]
      : [];
    const scan = scanForTokens(dir, tokens, [TOKENS_FILE]);
    if (scan.leaks.length === 0) {
      console.log(
        `leak scan: ${tokens.length} tokens, none found in ${scan.files} captured files (${scan.bytes} bytes)`,
      );
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    console.error(
      `leak scan: a developer token appears in ${scan.leaks.length} place(s); captures kept in ${dir}`,
    );
    for (const leak of scan.leaks) {
      console.error(`  ${path.relative(dir, leak.file)} at byte ${leak.offset} (${leak.form})`);
    }
    // A throw here is only logged by vitest; the exit code is what CI sees.
    process.exitCode = 1;
  };
}
