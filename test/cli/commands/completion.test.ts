import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = Object.assign(new Capture(), { isTTY: true });
  const code = await main(args, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** What the installed script asks for when the user presses Tab after `words`. */
async function complete(...words: string[]): Promise<string[]> {
  const result = await run(["--get-yargs-completions", "fedmigrate", ...words]);
  expect(result.code).toBe(0);
  return result.stdout.split("\n").filter(Boolean);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("fedmigrate completion", () => {
  it("prints a bash script that asks fedmigrate itself for completions", async () => {
    vi.stubEnv("SHELL", "/bin/bash");
    const { code, stdout } = await run(["completion"]);
    expect(code).toBe(0);
    expect(stdout).toContain("fedmigrate --get-yargs-completions");
    expect(stdout).toMatch(/^complete .* fedmigrate$/m);
  });

  it("prints a zsh script when the shell is zsh", async () => {
    vi.stubEnv("SHELL", "/usr/bin/zsh");
    const { code, stdout } = await run(["completion"]);
    expect(code).toBe(0);
    expect(stdout).toContain("compdef _fedmigrate_yargs_completions fedmigrate");
  });

  it("is listed in --help", async () => {
    const { stdout } = await run(["--help"]);
    expect(stdout).toMatch(/fedmigrate completion +Print a shell completion script/);
  });

  it("completes every command name", async () => {
    const words = await complete("");
    for (const command of ["validate", "plan", "migrate", "rollback", "status", "history", "simulate"]) {
      expect(words).toContain(command);
    }
  });

  it.each([
    ["migrate", ["--concurrency", "--max-failures", "--junit", "--journal"]],
    ["rollback", ["--all", "--run", "--since", "--dry-run"]],
    ["status", ["--state", "--datasource"]],
  ])("completes the options of %s", async (command, options) => {
    const words = await complete(command, "--");
    expect(words).toEqual(expect.arrayContaining(options));
    // The token is never a flag, so it is never offered.
    expect(words.filter((w) => /token$/.test(w))).toEqual([]);
  });
});
