import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type LoggerOptions } from "../src/logger.js";

const SECRET = "tok-1f2e3d4c5b6a7988";

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level: "trace", stream, ...options });
  const json = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, json };
}

describe("createLogger", () => {
  it("writes JSON lines with a level label, an ISO time and no pid/hostname noise", () => {
    const { logger, json } = capture();
    logger.info({ event: "migrate.done", datasource: "ds1", state: "COMPLETE" }, "done");
    const [line] = json();
    expect(line).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event: "migrate.done",
      datasource: "ds1",
      state: "COMPLETE",
      msg: "done",
    });
  });

  it("writes synchronously: the line is in the stream when the call returns", () => {
    const { logger, lines } = capture();
    logger.warn({ event: "lock.takeover" }, "took over");
    expect(lines).toHaveLength(1);
  });

  it.each<[string, string[], string[]]>([
    ["info", ["info", "warn", "error"], ["trace", "debug"]],
    ["warn", ["warn", "error"], ["info"]],
    ["silent", [], ["error", "fatal"]],
  ])("at level %s writes %o and drops %o", (level, kept, dropped) => {
    const { logger, json } = capture({ level });
    for (const name of [...dropped, ...kept] as ("trace" | "debug" | "info" | "warn" | "error" | "fatal")[]) {
      logger[name]({ event: name }, name);
    }
    expect(json().map((line) => line.level)).toEqual(kept);
  });

  it.each<[string, Record<string, unknown>, (line: Record<string, unknown>) => unknown]>([
    ["token", { token: "abc" }, (l) => l.token],
    ["*.token", { config: { token: "abc" } }, (l) => (l.config as Record<string, unknown>).token],
    ["developerToken", { developerToken: "abc" }, (l) => l.developerToken],
    [
      "headers[x-domo-developer-token]",
      { headers: { "x-domo-developer-token": "abc" } },
      (l) => (l.headers as Record<string, unknown>)["x-domo-developer-token"],
    ],
    [
      "*.headers[X-DOMO-Developer-Token]",
      { req: { headers: { "X-DOMO-Developer-Token": "abc" } } },
      (l) =>
        ((l.req as Record<string, unknown>).headers as Record<string, unknown>)["X-DOMO-Developer-Token"],
    ],
  ])("redacts the path %s even when the value is not a known secret", (_label, fields, pick) => {
    const { logger, json, lines } = capture();
    logger.info(fields, "x");
    expect(pick(json()[0] ?? {})).toBe("[REDACTED]");
    expect(lines.join("")).not.toContain("abc");
  });

  it.each<[string, (log: ReturnType<typeof capture>["logger"]) => void]>([
    ["in the message", (log) => log.info(`using ${SECRET} now`)],
    ["in an unlisted field", (log) => log.info({ auth: SECRET }, "x")],
    ["deep in an object", (log) => log.info({ a: { b: { c: { d: [SECRET] } } } }, "x")],
    ["in a key", (log) => log.info({ [SECRET]: 1 }, "x")],
    ["in an error's message and stack", (log) => log.error({ err: new Error(`bad token ${SECRET}`) }, "x")],
    [
      "in an error's cause",
      (log) => log.error({ err: new Error("outer", { cause: new Error(SECRET) }) }, "x"),
    ],
    ["in a child logger's bindings", (log) => log.child({ who: SECRET }).info("x")],
  ])("replaces a secret %s", (_label, write) => {
    const { logger, lines } = capture({ secrets: [SECRET] });
    write(logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).toContain("[REDACTED]");
    expect(() => JSON.parse(lines[0] ?? "")).not.toThrow();
  });

  it("replaces a secret that JSON escapes", () => {
    const odd = 'se"cr\\et';
    const { logger, lines, json } = capture({ secrets: [odd] });
    logger.info({ value: odd }, "x");
    expect(lines[0]).not.toContain(JSON.stringify(odd).slice(1, -1));
    expect(json()[0]?.value).toBe("[REDACTED]");
  });

  it("ignores empty secrets rather than redacting everything", () => {
    const { logger, json } = capture({ secrets: ["", SECRET] });
    logger.info({ event: "x" }, "hello");
    expect(json()[0]).toMatchObject({ event: "x", msg: "hello" });
  });

  it("writes pretty lines when asked, synchronously, scrubbed, without colour when told", () => {
    const { logger, lines } = capture({ pretty: true, colorize: false, secrets: [SECRET] });
    logger.info({ event: "http.retry", attempt: 2, token: "x" }, `retrying ${SECRET}`);
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? "";
    expect(line).toMatch(/INFO/);
    expect(line).toContain("retrying [REDACTED]");
    expect(line).toContain("http.retry");
    expect(line).not.toContain(SECRET);
    expect(line.includes("\u001b[")).toBe(false);
    expect(() => JSON.parse(line)).toThrow();
  });

  it("never prints a control character raw: JSON lines stay valid JSON, pretty lines show escapes (issue 15)", () => {
    const hostile = "\x1b]0;pwned\x07 \u009b2J \u202eabc \x7f";
    const json = capture({ secrets: [SECRET] });
    json.logger.error({ event: "migrate.failed", toe: hostile }, `failed ${hostile}`);
    const [parsed] = json.json();
    expect(parsed?.toe).toBe(hostile);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: none may be left raw.
    expect(json.lines[0]).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);

    const pretty = capture({ pretty: true, colorize: false });
    pretty.logger.error({ event: "migrate.failed", toe: hostile }, `failed ${hostile}`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: none may be left raw.
    expect(pretty.lines.join("")).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    expect(pretty.lines.join("")).toContain("failed \\x1b]0;pwned\\x07 \\x9b2J \\u202eabc \\x7f");
  });

  it("redacts every encoding of a secret in a line (issue 15)", () => {
    const { logger, lines } = capture({ secrets: [SECRET] });
    const percent = [...SECRET].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    logger.warn({ body: `&#${[...SECRET].map((c) => c.charCodeAt(0)).join(";&#")};` }, `echo ${percent}`);
    expect(lines[0]).toContain("[REDACTED]");
    expect(lines[0]).not.toContain("&#116;&#111;&#107;");
    expect(lines[0]).not.toContain(percent);
  });

  it("colours pretty lines when told", () => {
    const { logger, lines } = capture({ pretty: true, colorize: true });
    logger.warn("careful");
    expect(lines[0]?.includes("\u001b[")).toBe(true);
  });
});
