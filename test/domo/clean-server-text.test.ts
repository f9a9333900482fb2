import { describe, expect, it } from "vitest";
import {
  createServerTextCleaner,
  REDACTED,
  redactSecrets,
  registerSecret,
  secretPattern,
  showControlCharacters,
} from "../../src/domo/clean-server-text.js";
import { terminalSafe } from "../../src/report/terminal-safe.js";
import { TOKEN_ENCODINGS, tokenEncodings } from "../leak/token-encodings.js";

/** A token with every character an escape changes; a header allows all of them. */
const TOKEN = `tok-5f3a9c0b1e7d"'\\/&<>+`;
const PLAIN = "tok-0123456789abcdef01234567";
const TEXT_FORMS = TOKEN_ENCODINGS.filter((form) => form !== "utf16le");

/** Does any encoding of `token` remain in `text`? */
function leaks(text: string, token: string): string[] {
  const forms = tokenEncodings(token);
  return TEXT_FORMS.filter((form) =>
    text.includes(form === "base64" ? forms.base64.slice(0, -4) : forms[form]),
  );
}

describe("createServerTextCleaner: the token in every encoding a server may echo", () => {
  const clean = createServerTextCleaner([TOKEN, PLAIN]);
  it.each(TEXT_FORMS.flatMap((form) => [[form, TOKEN] as const, [form, PLAIN] as const]))(
    "redacts the %s form of %s",
    (form, token) => {
      const echoed = tokenEncodings(token)[form];
      const text = `Invalid token "${echoed}" for user 12`;
      expect(leaks(text, token)).toContain(form);
      const cleaned = clean.text(text);
      expect(leaks(cleaned, token)).toEqual([]);
      expect(cleaned).toContain(REDACTED);
      expect(cleaned.startsWith("Invalid token ")).toBe(true);
      expect(cleaned.endsWith(" for user 12")).toBe(true);
    },
  );

  it("redacts a token inside a JSON string once decoded, and inside nested values and keys", () => {
    const body = JSON.parse(
      `{"message":"bad ${tokenEncodings(TOKEN)["u-escaped"]}","list":[{"${PLAIN}":"x"}],"n":3}`,
    );
    expect(clean.value(body)).toEqual({
      message: `bad ${REDACTED}`,
      list: [{ [REDACTED]: "x" }],
      n: 3,
    });
  });

  it("leaves text without a token as it was", () => {
    const text = "table ORDERS not found in ANALYTICS.PUBLIC (names are case-sensitive)\nline two\ttab";
    expect(clean.text(text)).toBe(text);
    expect(clean.text("tok-0123")).toBe("tok-0123");
  });

  it("with no secret, redacts nothing", () => {
    expect(secretPattern([])).toBeUndefined();
    expect(redactSecrets(PLAIN, [])).toBe(PLAIN);
  });
});

describe("control characters: what could drive a terminal becomes visible", () => {
  it.each([
    ["clear screen (CSI 2J)", "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"],
    ["set the title (OSC 0)", "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"],
    [
      "an OSC 8 hyperlink",
      "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
      "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
    ],
    ["8-bit CSI and OSC (C1)", "\u009b2J\u009d0;x\u009c", "\\x9b2J\\x9d0;x\\x9c"],
    ["a carriage return overwriting the line", "ok\rFAIL", "ok\\x0dFAIL"],
    ["DEL and NUL", "a\x7fb\x00c", "a\\x7fb\\x00c"],
    ["a bidi override", "abc\u202edcba\u202c", "abc\\u202edcba\\u202c"],
    ["a bidi isolate", "\u2066x\u2069", "\\u2066x\\u2069"],
  ])("%s", (_name, input, shown) => {
    expect(showControlCharacters(input)).toBe(shown);
    expect(createServerTextCleaner([PLAIN]).text(`toe ${input}`)).toBe(`toe ${shown}`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about them.
    expect(terminalSafe(input)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it("keeps line breaks and tabs, unless the output is one line", () => {
    expect(showControlCharacters("a\r\nb\tc")).toBe("a\nb\tc");
    expect(showControlCharacters("a\r\nb\tc", { keepLineBreaks: false })).toBe("a\\x0ab\\x09c");
    expect(terminalSafe("a\nb", { oneLine: true })).toBe("a\\x0ab");
  });
});

describe("registered secrets", () => {
  it("are redacted by terminalSafe and redactSecrets without being passed", () => {
    const token = `tok-registered-${Date.now()}`;
    registerSecret(token);
    expect(terminalSafe(`x ${tokenEncodings(token)["html-decimal"]} y`)).toBe(`x ${REDACTED} y`);
    expect(redactSecrets(`"${token}"`)).toBe(`"${REDACTED}"`);
  });
});
