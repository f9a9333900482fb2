import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/context.js";
import { main } from "../../src/cli/main.js";

/**
 * Each option declares its own bounds (`wholeNumberOption`'s min and max) and conflicts (yargs'
 * `.conflicts`): the parse refuses a value out of bounds or two options that exclude each other,
 * exit 2, naming the options, before anything is read or sent (no manifest here exists).
 */
function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const stderr = new Writable({
    write(chunk, _encoding, done) {
      err += String(chunk);
      done();
    },
  });
  const io: CliIo = { stdout: sink, stderr, env: { FEDMIGRATE_LOG_FORMAT: "text" }, cwd: "/nonexistent" };
  return main(argv, io).then((code) => ({ code, err }));
}

describe("option bounds and conflicts", () => {
  it.each([
    [
      ["migrate", "m.yaml", "--concurrency", "257"],
      "--concurrency must be a whole number from 1 to 256 (got 257)",
    ],
    [
      ["migrate", "m.yaml", "--concurrency", "0"],
      "--concurrency must be a whole number from 1 to 256 (got 0)",
    ],
    [["rollback", "--all", "--retries", "101"], "--retries must be a whole number from 0 to 100 (got 101)"],
    [["plan", "m.yaml", "--timeout", "3601"], "--timeout must be a whole number from 1 to 3600 (got 3601)"],
    [
      ["migrate", "m.yaml", "--limit", "10000001"],
      "--limit must be a whole number from 1 to 10000000 (got 10000001)",
    ],
    [["history", "--limit", "1000001"], "--limit must be a whole number from 1 to 1000000 (got 1000001)"],
    [["doctor", "--timeout", "2.5"], "--timeout must be a whole number from 1 to 3600 (got 2.5)"],
    [["migrate", "m.yaml", "--dry-run", "--plan", "p.json"], "--dry-run and --plan are mutually exclusive"],
    [["rollback", "--all", "--run", "r-1"], "--all and --run are mutually exclusive"],
    [["rollback", "--all", "--datasource", "d"], "--all and --datasource are mutually exclusive"],
    [["rollback", "--all", "--since", "2026-01-01"], "--all and --since are mutually exclusive"],
  ])("%j: exit 2, %s", async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it.each([[["rollback", "--retries", "0", "--dry-run", "--all"]], [["history", "--limit", "1000000"]]])(
    "%j: in bounds, the parse goes on to the command",
    async (argv) => {
      const { err } = await run(argv);
      expect(err).not.toMatch(/must be a whole number|mutually exclusive/);
    },
  );
});
