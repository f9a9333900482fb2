import { execFileSync } from "node:child_process";
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
    [{}, { DOMO_DOMAIN: "same" }, { domain: "https://same.domo.com" }, "same.domo.com", "env"],
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
    ["a directory", "sub", "dir", /--token-file sub is a directory, not a regular file/],
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

describe("--token-file attacks (issue 15): refused at once, never read unbounded", () => {
  it("a FIFO: exit 2 at once, without waiting for a writer", () => {
    execFileSync("mkfifo", [join(dir, "fifo")]);
    // Before the fix, this read blocked forever: the test would time out.
    const error = thrown(() => resolveConfig(input({ flags: { tokenFile: "fifo" } })));
    expect(error.message).toBe("--token-file fifo is a FIFO (named pipe), not a regular file");
  });

  it("/dev/zero: a device, refused without reading", () => {
    const error = thrown(() => resolveConfig(input({ flags: { tokenFile: "/dev/zero" } })));
    expect(error.message).toBe("--token-file /dev/zero is a device, not a regular file");
  });

  it.each([
    [0o644, /can be read by every user of this machine \(mode 644\): run chmod 600 token/],
    [0o640, /can be read by its group \(mode 640\): run chmod 600 token/],
  ])("a file others may read (mode %o): used, with a warning naming chmod 600", (mode, warning) => {
    writeFileSync(join(dir, "token"), `${TOKEN}\n`);
    chmodSync(join(dir, "token"), mode);
    const config = resolveConfig(input({ flags: { tokenFile: "token" } }));
    expect(config.token).toBe(TOKEN);
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toMatch(warning);
  });

  it("a file only its owner may read: no warning", () => {
    writeFileSync(join(dir, "token"), TOKEN, { mode: 0o600 });
    chmodSync(join(dir, "token"), 0o600);
    expect(resolveConfig(input({ flags: { tokenFile: "token" } })).warnings).toEqual([]);
  });
});

describe("where the token may go (issue 15)", () => {
  it.each([
    ["a bare instance name", "acme", "acme.domo.com"],
    ["a Domo host", "https://acme.domo.com", "acme.domo.com"],
    ["loopback", "http://127.0.0.2:8123", "127.0.0.2:8123"],
    ["localhost", "http://localhost:8123", "localhost:8123"],
  ])("a manifest may name %s", (_name, domain, key) => {
    expect(resolveConfig(input({ manifest: { domain } })).domain?.key).toBe(key);
  });

  it.each([
    ["another host (a pull request edits the manifest)", "collector.evil.example"],
    ["a look-alike of a Domo host", "acme.domo.com.evil.example"],
    ["an https URL of another host", "https://attacker.example:8443"],
  ])("a manifest may not name %s: exit 2 saying to use --domain or DOMO_DOMAIN", (_name, domain) => {
    const error = thrown(() => resolveConfig(input({ manifest: { domain } })));
    expect(error.message).toMatch(/is not a Domo instance .* will not send the token where a file says/);
    expect(error.hint).toMatch(/pass --domain .* or set DOMO_DOMAIN=/);
    expect(error.code).toBe("USAGE");
  });

  it.each<[{ domain?: string }, { DOMO_DOMAIN?: string }]>([
    [{ domain: "other.example.org" }, {}],
    [{}, { DOMO_DOMAIN: "other.example.org" }],
  ])("any host from --domain or DOMO_DOMAIN is the operator's choice (flags %j, env %j)", (flags, env) => {
    // With --domain, whatever the manifest says; with DOMO_DOMAIN, when the manifest names none.
    const manifest = flags.domain === undefined ? {} : { domain: "acme" };
    const config = resolveConfig(input({ flags, env, manifest }));
    expect(config.domain?.key).toBe(flags.domain ?? env.DOMO_DOMAIN);
  });

  it("DOMO_DOMAIN and the manifest naming different instances: exit 2 naming both", () => {
    const error = thrown(() =>
      resolveConfig(input({ env: { DOMO_DOMAIN: "acme-old" }, manifest: { domain: "acme" } })),
    );
    expect(error.message).toBe(
      "DOMO_DOMAIN names acme-old.domo.com but the manifest's domain names acme.domo.com: which Domo is meant?",
    );
    expect(error.hint).toMatch(/--domain acme\.domo\.com/);
  });

  it("…unless --domain says which", () => {
    const config = resolveConfig(
      input({ flags: { domain: "acme" }, env: { DOMO_DOMAIN: "acme-old" }, manifest: { domain: "acme" } }),
    );
    expect(config.domain?.key).toBe("acme.domo.com");
    expect(config.domainSource).toBe("flag");
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
