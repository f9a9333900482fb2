import { describe, expect, it } from "vitest";
import { type ClassifyInput, classifyError, type ErrorKind } from "../../src/domo/classify-error.js";

describe("classifyError", () => {
  it.each<[ClassifyInput, ErrorKind]>([
    [{ method: "GET", status: 401 }, "auth"],
    [{ method: "POST", status: 401 }, "auth"],
    [{ method: "GET", status: 403 }, "auth"],
    [{ method: "POST", status: 403 }, "auth"],
    [{ method: "GET", status: 429 }, "transient"],
    [{ method: "POST", status: 429 }, "transient"],
    [{ method: "GET", status: 502 }, "transient"],
    [{ method: "GET", status: 503 }, "transient"],
    [{ method: "GET", status: 504 }, "transient"],
    [{ method: "POST", status: 500 }, "ambiguous"],
    [{ method: "POST", status: 502 }, "ambiguous"],
    [{ method: "POST", status: 503 }, "ambiguous"],
    [{ method: "POST", status: 504 }, "ambiguous"],
    [{ method: "POST", status: 599 }, "ambiguous"],
    [{ method: "POST", status: 404 }, "other"],
    [{ method: "GET", status: 301 }, "setup"],
    [{ method: "GET", status: 302 }, "setup"],
    [{ method: "POST", status: 303 }, "setup"],
    [{ method: "GET", status: 307 }, "setup"],
    [{ method: "GET", status: 308 }, "setup"],
    [{ method: "GET", status: 400 }, "other"],
    [{ method: "GET", status: 404 }, "other"],
    [{ method: "POST", status: 409 }, "other"],
    [{ method: "GET", status: 500 }, "other"],
    [{ method: "GET", status: 501 }, "other"],
    [{ method: "GET", status: 200 }, "other"],
    [{ method: "GET", networkError: "timeout" }, "transient"],
    [{ method: "POST", networkError: "timeout" }, "ambiguous"],
    [{ method: "post", networkError: "timeout" }, "ambiguous"],
    [{ method: "GET", networkError: "reset-after-send" }, "transient"],
    [{ method: "POST", networkError: "reset-after-send" }, "ambiguous"],
    [{ method: "GET", networkError: "reset-before-send" }, "transient"],
    [{ method: "POST", networkError: "reset-before-send" }, "transient"],
    [{ method: "POST", networkError: "refused" }, "transient"],
    [{ method: "POST", networkError: "dns" }, "transient"],
    [{ method: "POST", networkError: "connect-timeout" }, "transient"],
    [{ method: "GET", networkError: "tls" }, "setup"],
    [{ method: "POST", networkError: "tls" }, "setup"],
    [{ method: "POST", networkError: "proxy" }, "setup"],
    [{ method: "GET", networkError: "other" }, "transient"],
    [{ method: "POST", networkError: "other" }, "ambiguous"],
    [{ method: "GET" }, "other"],
    [{ method: "GET", unreadableBody: true }, "other"],
    [{ method: "POST", unreadableBody: true }, "ambiguous"],
    [{ method: "POST", status: 200, unreadableBody: true }, "ambiguous"],
  ])("%o → %s", (input, expected) => {
    expect(classifyError(input)).toBe(expected);
  });

  it("decides on the status when both a status and a network error are given", () => {
    expect(classifyError({ method: "POST", status: 401, networkError: "timeout" })).toBe("auth");
  });
});
