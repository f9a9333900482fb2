import { describe, expect, it } from "vitest";
import { configFlags, configOptions, rejectTokenFlag } from "../../src/cli/shared-options.js";
import { UsageError } from "../../src/errors.js";

const SECRET = "DDCI0123456789abcdef0123456789abcdef";

describe("rejectTokenFlag", () => {
  it.each([
    [["migrate", "m.yaml", "--token", SECRET], "--token"],
    [["migrate", `--token=${SECRET}`], "--token"],
    [["plan", "--developer-token", SECRET], "--developer-token"],
    [["plan", `--developer-token=${SECRET}`], "--developer-token"],
    [["plan", "--developerToken", SECRET], "--developerToken"],
    [["plan", "--domo-token", SECRET], "--domo-token"],
    [["plan", "--TOKEN", SECRET], "--TOKEN"],
    [["plan", "--api-token", SECRET], "--api-token"],
  ])("refuses %j without repeating the value", (argv, flag) => {
    let error: unknown;
    try {
      rejectTokenFlag(argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const { message, hint } = error as UsageError;
    expect(message).toBe(
      `${flag} is not accepted: the token is never taken on the command line, where shell history and ps would show it`,
    );
    expect(hint).toMatch(/DOMO_DEVELOPER_TOKEN.*--token-file PATH/);
    expect(`${message} ${hint}`).not.toContain(SECRET);
  });

  it.each([
    [["migrate", "m.yaml", "--token-file", "/run/secrets/domo"]],
    [["migrate", "--token-file=/run/secrets/domo"]],
    [["validate", "tokens.yaml"]],
    [["validate", "--", "--token"]],
    [["plan", "-t"]],
    [[]],
  ])("lets %j through", (argv) => {
    expect(() => rejectTokenFlag(argv)).not.toThrow();
  });
});

describe("configOptions", () => {
  it("declares the three configuration flags, each requiring a value and described with its env variable", () => {
    expect(Object.keys(configOptions)).toEqual(["domain", "token-file", "journal"]);
    expect(configOptions.domain.description).toMatch(/DOMO_DOMAIN/);
    expect(configOptions["token-file"].description).toMatch(/DOMO_DEVELOPER_TOKEN/);
    expect(configOptions.journal.description).toMatch(/FEDMIGRATE_JOURNAL.*fedmigrate\.db/);
    for (const option of Object.values(configOptions))
      expect(option).toMatchObject({ type: "string", requiresArg: true });
  });

  it("maps yargs' camelCase arguments to resolveConfig's flags", () => {
    expect(configFlags({ domain: "acme", tokenFile: "/t", journal: "j.db" })).toEqual({
      domain: "acme",
      tokenFile: "/t",
      journal: "j.db",
    });
  });
});
