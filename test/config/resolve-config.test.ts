import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ConfigInput,
  requireDomain,
  requireToken,
  resolveConfig,
} from "../../src/config/resolve-config.js";
import { UsageError } from "../../src/errors.js";

const TOKEN = "DDCI7a1f0e9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fedmigrate-config-"));
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function input(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return { flags: {}, env: {}, manifest: undefined, cwd: dir, ...overrides };
}

/** The error a call throws, failing the test when it does not throw. */
function thrown(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("resolveConfig precedence: flag, environment, manifest, default", () => {
  it.each([
    [{ domain: "flag" }, { DOMO_DOMAIN: "env" }, { domain: "manifest" }, "flag.domo.com", "flag"],
    [{}, { DOMO_DOMAIN: "env" }, { domain: "manifest" }, "env.domo.com", "env"],
    [{}, { DOMO_DOMAIN: "" }, { domain: "manifest" }, "manifest.domo.com", "manifest"],
    [{}, { DOMO_DOMAIN: "  " }, undefined, undefined, undefined],
    [{}, {}, { domain: "manifest" }, "manifest.domo.com", "manifest"],
    [{}, {}, {}, undefined, undefined],
  ])("domain: flags %j, env %j, manifest %j → %s (%s)", (flags, env, manifest, key, source) => {
    const config = resolveConfig(input({ flags, env, manifest }));
    expect(config.domain?.key).toBe(key);
    expect(config.domainSource).toBe(source);
  });

  it.each([
    [
      { journal: "flag.db" },
      { FEDMIGRATE_JOURNAL: "env.db" },
      { journal: "/abs/manifest.db" },
      "flag.db",
      "flag",
    ],
    [{}, { FEDMIGRATE_JOURNAL: "env.db" }, { journal: "/abs/manifest.db" }, "env.db", "env"],
    [{}, { FEDMIGRATE_JOURNAL: "" }, { journal: "/abs/manifest.db" }, "/abs/manifest.db", "manifest"],
    [{}, {}, undefined, "fedmigrate.db", "default"],
    [{ journal: "/var/lib/f.db" }, {}, undefined, "/var/lib/f.db", "flag"],
  ])("journal: flags %j, env %j, manifest %j → %s (%s)", (flags, env, manifest, path, source) => {
    const config = resolveConfig(input({ flags, env, manifest }));
    expect(config.journalPath).toBe(path.startsWith("/") ? path : join(dir, path));
    expect(config.journalSource).toBe(source);
  });

  it("takes the token from --token-file over the environment", () => {
    writeFileSync(join(dir, "token"), "from-file\n");
    const config = resolveConfig(
      input({ flags: { tokenFile: "token" }, env: { DOMO_DEVELOPER_TOKEN: "from-env" } }),
    );
    expect([config.token, config.tokenSource]).toEqual(["from-file", "file"]);
  });

  it.each([
    [{ DOMO_DEVELOPER_TOKEN: "from-env" }, "from-env", "env"],
    [{ DOMO_DEVELOPER_TOKEN: "  from-env\n" }, "from-env", "env"],
    [{ DOMO_DEVELOPER_TOKEN: "" }, undefined, undefined],
    [{}, undefined, undefined],
  ])("token from env %j → %s", (env, token, source) => {
    const config = resolveConfig(input({ env }));
    expect([config.token, config.tokenSource]).toEqual([token, source]);
  });

  it("reports which setting holds a bad domain", () => {
    expect(
      thrown(() => resolveConfig(input({ env: { DOMO_DOMAIN: "http://acme.domo.com" } }))).message,
    ).toMatch(/^DOMO_DOMAIN: refusing http:\/\/acme\.domo\.com/);
    expect(thrown(() => resolveConfig(input({ manifest: { domain: "ftp://x" } }))).message).toMatch(
      /^the manifest's domain: /,
    );
    expect(thrown(() => resolveConfig(input({ flags: { domain: "" } }))).message).toBe("--domain is empty");
  });

  it("accepts plain http for the simulator on loopback", () => {
    const config = resolveConfig(input({ flags: { domain: "http://127.0.0.1:8123" } }));
    expect(config.domain?.baseUrl).toBe("http://127.0.0.1:8123/api/query/migration/federated/v1/to/v2");
  });
});

describe("--token-file", () => {
  it.each([
    ["a trailing newline", `${TOKEN}\n`],
    ["CRLF", `${TOKEN}\r\n`],
    ["surrounding blank lines", `\n${TOKEN}\n\n`],
    ["no newline", TOKEN],
  ])("reads a token with %s", (_name, content) => {
    writeFileSync(join(dir, "token"), content);
    expect(resolveConfig(input({ flags: { tokenFile: "token" } })).token).toBe(TOKEN);
  });

  it("resolves a relative path against cwd", () => {
    mkdirSync(join(dir, "secrets"));
    writeFileSync(join(dir, "secrets", "domo"), TOKEN);
    expect(resolveConfig(input({ flags: { tokenFile: "secrets/domo" } })).token).toBe(TOKEN);
    expect(resolveConfig(input({ flags: { tokenFile: join(dir, "secrets/domo") } })).token).toBe(TOKEN);
  });

  it.each([
    ["missing", "absent", undefined, /cannot read --token-file absent: ENOENT/],
    ["empty", "token", "\n\n", /--token-file token is empty/],
    ["two lines", "token", `${TOKEN}\nsecond-line-${TOKEN}\n`, /contains whitespace or control characters/],
    ["a directory", "sub", "dir", /cannot read --token-file sub: EISDIR/],
    ["too large", "token", "x".repeat(70_000), /too large to be a token file/],
  ])(
    "refuses a token file that is %s, naming the path and never the content",
    (_name, path, content, message) => {
      if (content === "dir") mkdirSync(join(dir, path));
      else if (content !== undefined) writeFileSync(join(dir, path), content);
      const error = thrown(() => resolveConfig(input({ flags: { tokenFile: path } })));
      expect(error.message).toMatch(message);
      expect(`${error.message} ${error.hint} ${String(error.cause ?? "")}`).not.toContain(TOKEN);
    },
  );

  it.skipIf(process.getuid?.() === 0)("refuses an unreadable token file", () => {
    writeFileSync(join(dir, "token"), TOKEN);
    chmodSync(join(dir, "token"), 0o000);
    const error = thrown(() => resolveConfig(input({ flags: { tokenFile: "token" } })));
    expect(error.message).toBe("cannot read --token-file token: EACCES");
  });

  it("does not echo a token passed where the file path belongs", () => {
    const error = thrown(() => resolveConfig(input({ flags: { tokenFile: TOKEN } })));
    expect(error.message).toBe("cannot read --token-file (the value given): ENOENT");
    expect(error.hint).toMatch(/never the token itself/);
    expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
  });

  it("refuses a token with inner whitespace from the environment, without quoting it", () => {
    const error = thrown(() => resolveConfig(input({ env: { DOMO_DEVELOPER_TOKEN: `${TOKEN} ${TOKEN}` } })));
    expect(error.message).toBe("the token in DOMO_DEVELOPER_TOKEN contains whitespace or control characters");
  });
});

describe("requireDomain / requireToken", () => {
  it("return what is set", () => {
    const config = resolveConfig(input({ flags: { domain: "acme" }, env: { DOMO_DEVELOPER_TOKEN: TOKEN } }));
    expect(requireDomain(config).origin).toBe("https://acme.domo.com");
    expect(requireToken(config)).toBe(TOKEN);
  });

  it("say what to set when missing", () => {
    const config = resolveConfig(input());
    const domain = thrown(() => requireDomain(config));
    expect(domain.message).toBe("no Domo domain given");
    expect(domain.hint).toMatch(/--domain.*DOMO_DOMAIN.*`domain:`/);
    const token = thrown(() => requireToken(config));
    expect(token.message).toBe("no Domo developer token given");
    expect(token.hint).toMatch(/DOMO_DEVELOPER_TOKEN.*--token-file/);
  });
});
