import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
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
export default async function freshBuild(project: TestProject): Promise<void> {
  await ensureFreshBuild();
  project.provide("freshBuild", true);
  // In watch mode, again before every rerun that includes this project's files (vitest does not
  // see that they depend on src/ through dist/: rerun them, e.g. with `a`): a stale dist/ is
  // rebuilt first, or the rerun fails with the build's errors.
  project.onTestsRerun((specifications) => {
    if (specifications.some((spec) => spec.project.name === project.name)) return ensureFreshBuild();
  });
}

async function ensureFreshBuild(): Promise<void> {
  const before = checkBuildStamp(ROOT);
  if (before.fresh) return;
  if (process.env[NO_BUILD_ENV] === "1") {
    throw new Error(
      `dist/ is stale: ${before.reason}. The end-to-end tests run dist/cli.js and ${NO_BUILD_ENV}=1 ` +
        "forbids rebuilding it: run `npm run build`, or `npm run test:unit` for the tests that need no build.",
    );
  }
  console.log(`fresh build: ${before.reason}; running npm run build`);
  // Not spawnSync: the main process keeps serving vitest's workers meanwhile.
  try {
    await promisify(execFile)("npm", ["run", "build"], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const {
      stdout = "",
      stderr = "",
      message,
    } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `dist/ is stale (${before.reason}) and \`npm run build\` failed (${message.split("\n")[0]}):\n${stdout}${stderr}\n` +
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
