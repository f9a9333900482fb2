import { describe, expect, it } from "vitest";
import { spawnCli } from "../e2e/cli-harness.js";

/**
 * The unit project does not build dist/ (vitest.config.ts): a test file of it that spawns the
 * built CLI would run whatever build is lying there. spawnCli refuses, saying where the file goes.
 */
describe("spawnCli in the unit project", () => {
  it("refuses to run dist/cli.js, naming the e2e folder", () => {
    expect(() => spawnCli(["--version"], process.env)).toThrow(/only the e2e and slow projects.*test\/e2e\//);
  });
});
