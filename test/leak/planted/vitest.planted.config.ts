import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * A vitest run of its own for `leak-scan-fails.test.ts`: the suite's leak scan (the same global
 * setup as vitest.config.ts) over one test file that plants a token, or not, as told by
 * `FEDMIGRATE_PLANT`. Its files are not `*.test.ts`, so the main suite never runs them; it writes
 * no JSON report, so it never overwrites the main suite's.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, "../../.."),
  test: {
    include: ["test/leak/planted/*.planted.ts"],
    pool: "forks",
    globalSetup: ["test/leak/global-setup.ts"],
    reporters: ["default"],
  },
});
