import { configDefaults, defineConfig } from "vitest/config";

/**
 * Three projects (`npm run test:unit`, `test:e2e`, `test:slow`; `npm test` runs all three):
 * - unit: in-process tests, no dist/: every test file not named below, so new files land here.
 * - e2e: tests that spawn dist/cli.js; their global setup rebuilds a stale dist/ first.
 * - slow: chaos (with the kill loop), fuzz, packaging, the report in a browser, and what runs on
 *   the real clock; most spawn the built CLI too.
 * A unit test that spawns the CLI through test/e2e/cli-harness.ts is refused with a message
 * saying where its file belongs.
 */
const SLOW = [
  "test/chaos/**/*.test.ts",
  "test/fuzz/**/*.test.ts",
  "test/packaging/**/*.test.ts",
  "test/e2e/report-browser.test.ts",
  "test/e2e/sim-browser-attack.test.ts",
  "test/terminal/**/*.test.ts",
  // The executor against the simulator's token bucket on the real clock: seconds of wall time.
  "test/run/adaptive-concurrency.test.ts",
];
const E2E = [
  "test/e2e/**/*.test.ts",
  "test/journal-faults/**/*.test.ts",
  // Outside those folders, files that run dist/cli.js:
  "test/cli/runtime.test.ts",
  "test/cli/hardening.test.ts",
  "test/leak/leak-coverage.test.ts",
  "test/leak/leak-scan.test.ts",
  "test/sim/simulate-command.test.ts",
];
/** Builds dist/ when src/ changed since the last build (scripts/build-stamp.mjs). */
const FRESH_BUILD = "test/helpers/fresh-build.ts";

const shared = {
  pool: "forks" as const,
  // Tests touch only loopback (nock refuses the rest).
  setupFiles: ["test/setup.ts"],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...E2E, ...SLOW],
          // The files share their workers' module cache instead of each starting afresh: half the
          // time of the inner loop. A unit test that changes a global (env, dispatcher) restores it.
          isolate: false,
          testTimeout: 10_000,
          hookTimeout: 10_000,
        },
      },
      {
        test: {
          ...shared,
          name: "e2e",
          include: E2E,
          exclude: [...configDefaults.exclude, ...SLOW],
          globalSetup: [FRESH_BUILD],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          ...shared,
          name: "slow",
          include: SLOW,
          globalSetup: [FRESH_BUILD],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
    // The leak scan (issue 8), once over every project: each token the tests register is looked
    // for in everything they captured. (A project's own globalSetup runs only for that project.)
    globalSetup: ["test/leak/global-setup.ts"],
    // The JSON report, one file over all projects, is what .ci/run counts; the default is for people.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
