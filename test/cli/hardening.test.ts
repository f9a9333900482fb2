import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../e2e/cli-harness.js";
import { testToken } from "../leak/leak-capture.js";

/**
 * Issue 15's attacks on configuration, through the built CLI: each is refused with exit 2 and a
 * message saying what to do, at once (a FIFO never hangs), never with a stack trace, and never
 * echoing a secret. No server is needed: each stops before any request.
 */
let dir: string;
const TOKEN = testToken();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fedmigrate-hardening-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function manifest(name: string, domain: string): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `version: 1\ndomain: ${domain}\nmigrations:\n  - datasource: ds-1\n    account: "12"\n    catalog: C\n    schema: S\n    table: T\n`,
  );
  return file;
}

const base = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DOMO_DEVELOPER_TOKEN: TOKEN,
  FEDMIGRATE_JOURNAL: path.join(dir, "fedmigrate.db"),
});

function expectUsageError(result: Awaited<ReturnType<typeof runCli>>, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(result.stderr).not.toContain("internal error");
  expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
}

describe("configuration attacks, through the CLI", () => {
  it("a manifest (edited in a pull request) pointing the token at another host: exit 2", async () => {
    const file = manifest("pr.yaml", "collector.evil.example");
    for (const command of ["plan", "migrate"]) {
      const result = await runCli([command, file], base(), dir);
      expectUsageError(result, /the manifest's domain collector\.evil\.example is not a Domo instance/);
      expect(result.stderr).toMatch(/--domain collector\.evil\.example/);
    }
  });

  it("DOMO_DOMAIN left over from another instance: exit 2 naming both, unless --domain says which", async () => {
    const file = manifest("acme.yaml", "acme");
    const env = { ...base(), DOMO_DOMAIN: "acme-old" };
    const result = await runCli(["plan", file], env, dir);
    expectUsageError(
      result,
      /DOMO_DOMAIN names acme-old\.domo\.com but the manifest's domain names acme\.domo\.com/,
    );
    // With --domain the instance is chosen (offline: no request is sent anywhere).
    const chosen = await runCli(["plan", file, "--offline", "--domain", "acme"], env, dir);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout.split("\n")[0]).toBe("Domo: acme.domo.com");
  });

  it.each([
    ["a FIFO", "fifo", /--token-file .*fifo is a FIFO \(named pipe\), not a regular file/],
    ["/dev/zero", "/dev/zero", /--token-file \/dev\/zero is a device, not a regular file/],
    ["a directory", ".", /--token-file \. is a directory, not a regular file/],
  ])("--token-file on %s: exit 2 at once", async (_name, file, message) => {
    if (file === "fifo") execFileSync("mkfifo", [path.join(dir, "fifo")]);
    const target = file === "fifo" ? path.join(dir, "fifo") : file;
    const result = await runCli(
      ["plan", manifest("t.yaml", "acme"), "--token-file", target],
      { ...base(), DOMO_DEVELOPER_TOKEN: undefined },
      dir,
    );
    expectUsageError(result, message);
  });

  it("--token-file readable by others: used, with a warning naming chmod 600", async () => {
    const file = path.join(dir, "token.txt");
    writeFileSync(file, `${TOKEN}\n`);
    chmodSync(file, 0o644);
    const result = await runCli(
      ["plan", manifest("w.yaml", "acme"), "--offline", "--token-file", file],
      { ...base(), DOMO_DEVELOPER_TOKEN: undefined },
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/can be read by every user of this machine \(mode 644\): run chmod 600/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it.each([
    ["without a scheme", "alice:s3cret-pw@proxy.corp:3128", /HTTPS_PROXY is not a URL/],
    ["with a path", "http://alice:s3cret-pw@proxy.corp:3128/a/path", /HTTPS_PROXY has a path/],
    ["unparsable", "http://[proxy", /HTTPS_PROXY is not a URL/],
  ])("a proxy URL %s: exit 2, its password masked, no stack trace", async (_name, proxy, message) => {
    const result = await runCli(["plan", manifest("p.yaml", "acme")], { ...base(), HTTPS_PROXY: proxy }, dir);
    expectUsageError(result, message);
    expect(result.stderr).not.toContain("s3cret-pw");
  });
});
