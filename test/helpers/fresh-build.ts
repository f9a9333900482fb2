import { spawnSync } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { checkBuildStamp } from "../../scripts/build-stamp.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Set by this global setup: dist/ was built from the sources as they are (see spawnCli). */
    freshBuild: boolean;
  }
}

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Set to 1 to refuse a stale dist/ instead of rebuilding it. */
export const NO_BUILD_ENV = "FEDMIGRATE_TEST_NO_BUILD";

/**
 * vitest `globalSetup` of the projects that spawn the built CLI (e2e, slow): before any of their
 * tests, dist/ must have been built from src/ as it is now (scripts/build-stamp.mjs compares a
 * hash of the build's inputs with the one the last complete `npm run build` recorded). A stale
 * dist/ is rebuilt here, or refused when FEDMIGRATE_TEST_NO_BUILD=1, so `npx vitest` after an
 * edit never tests the old build. `npm test` builds first, so this finds it fresh.
 */
export default function freshBuild(project: TestProject): void {
  const before = checkBuildStamp(ROOT);
  if (!before.fresh) {
    if (process.env[NO_BUILD_ENV] === "1") {
      throw new Error(
        `dist/ is stale: ${before.reason}. The end-to-end tests run dist/cli.js and ${NO_BUILD_ENV}=1 ` +
          "forbids rebuilding it: run `npm run build`, or `npm run test:unit` for the tests that need no build.",
      );
    }
    console.log(`fresh build: ${before.reason}; running npm run build`);
    const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) {
      throw new Error(
        `dist/ is stale (${before.reason}) and \`npm run build\` failed (${build.error?.message ?? `exit ${build.status}`}):\n` +
          `${build.stdout}${build.stderr}\n` +
          "Fix the build, or run `npm run test:unit` for the tests that need no build.",
      );
    }
    const after = checkBuildStamp(ROOT);
    if (!after.fresh) {
      throw new Error(
        `\`npm run build\` succeeded but dist/ is still stale: ${after.reason}. Run the tests again.`,
      );
    }
  }
  project.provide("freshBuild", true);
}
